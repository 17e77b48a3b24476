// copse's startup timeout (ANNOTATION_STARTUP_TIMEOUT): checked where a user writes it (a clique
// template, by the PodCliqueSet validating webhook) and where it is used (a pod, by the startup webhook),
// with the one rule `copse initc --timeout` applies.
import { parseGoDuration } from './untyped.js';

/** What is wrong with a startup-timeout value, or undefined for a Go duration of at least 1ms. */
export function startupTimeoutProblem(value: string): string | undefined {
  const ns = parseGoDuration(value);
  if (ns === undefined || ns < 0n) return `must be a duration such as 90s, 10m or 1h30m, got "${value}"`;
  if (ns < 1_000_000n) return `must be at least 1ms, got "${value}"`;
  return undefined;
}
