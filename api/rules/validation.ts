// What every rule set in api/rules returns, and the scheduler profile copse always runs.
import type { FieldError } from '../field-errors.js';

/** Every error (validation never stops at the first) and the warnings to relay to the client. */
export interface ValidationResult {
  errors: FieldError[];
  warnings: string[];
}

/** The scheduler backend copse always runs; topology-aware through copse's scheduler extender. */
export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';
