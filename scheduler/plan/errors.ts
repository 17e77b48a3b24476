/**
 * Input the planner cannot interpret (a malformed quantity, a group config naming a pod group that does
 * not exist). The message starts with the path of the offending field so the caller can point at it.
 * Capacity problems are never errors: they come back as an unschedulable plan with a reason.
 */
export class PlanInputError extends Error {
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`${field}: ${detail}`);
    this.name = 'PlanInputError';
  }
}
