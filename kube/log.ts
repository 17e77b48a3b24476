// One pino root logger for the whole process (style §7.8). JSON to stdout; the level comes from
// COPSE_LOG_LEVEL (trace|debug|info|warn|error|fatal|silent, default info). Per-object work gets a
// child carrying kind/namespace/name so every line about one object can be grepped together.
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

const LEVELS: readonly LevelWithSilent[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** Parse a level name; anything unknown falls back to `info` instead of throwing at import time. */
export function parseLogLevel(value: string | undefined): LevelWithSilent {
  const v = (value ?? '').trim().toLowerCase();
  return (LEVELS as readonly string[]).includes(v) ? (v as LevelWithSilent) : 'info';
}

/** Build a root logger; exported so tests and embedders can direct output elsewhere. */
export function createLogger(level: string | undefined = process.env['COPSE_LOG_LEVEL'], dest?: pino.DestinationStream): Logger {
  const opts: pino.LoggerOptions = {
    level: parseLogLevel(level),
    base: { app: 'copse' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return dest ? pino(opts, dest) : pino(opts);
}

export const rootLogger: Logger = createLogger();

/** A child logger for one component, e.g. `componentLogger('webhooks')`. */
export function componentLogger(component: string, parent: Logger = rootLogger): Logger {
  return parent.child({ component });
}

/** A child logger for one object: `childFor('PodCliqueSet', 'default', 'simple1')`. */
export function childFor(kind: string, namespace: string | undefined, name: string | undefined, parent: Logger = rootLogger): Logger {
  return parent.child({ kind, namespace: namespace ?? '', name: name ?? '' });
}
