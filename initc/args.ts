// The command line of `copse initc`, parsed without touching the world: every mistake becomes a
// UsageError naming the flag, which the command turns into exit code 2 (EXIT.usage).
import { parseArgs } from 'node:util';
import { parseParents, type ParentRequirement } from '../api/desired/startup.js';
import { POD_INFO_MOUNT_PATH, SA_TOKEN_MOUNT_PATH } from '../api/keys.js';
import { formatGoDuration, parseGoDuration } from '../api/rules/untyped.js';

/** What `copse initc` exits with; the init container's exit code tells the operator which case it was. */
export const EXIT = {
  /** Every parent has at least minAvailable Ready pods. */
  ready: 0,
  /** Could not run: unreadable pod-info or token files, or the API refused the service account. */
  failed: 1,
  /** Bad command line. */
  usage: 2,
  /** --timeout passed before every parent was ready; the message names the parents still waited for. */
  timeout: 3,
} as const;

export const DEFAULT_TERMINATION_LOG = '/dev/termination-log';

export const INITC_HELP = `Usage: copse initc --podcliques=<podclique>:<minAvailable> [...] [options]

Waits until every named parent PodClique has at least minAvailable Ready pods in this pod's
PodGang, then exits 0. This is the program of the init container copse injects into pods whose
PodClique has spec.startsAfter (Grove's grove-initc, with the same arguments).

  --podcliques NAME:MIN      a parent and how many of its pods must be Ready; repeat it, or
                             separate several with commas (required)
  --timeout DURATION         give up after this long, e.g. 90s, 10m, 1h30m (default: wait forever,
                             as Grove does); the failure message names every parent not ready
  --pod-info-dir DIR         downward-API files namespace and podgangname (default ${POD_INFO_MOUNT_PATH})
  --service-account-dir DIR  token and ca.crt to reach the API with (default ${SA_TOKEN_MOUNT_PATH})
  --server URL               the API server (default https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT)
  --termination-log PATH     where a failure message is written for the pod's status (default ${DEFAULT_TERMINATION_LOG})

Exit codes: 0 parents ready, 1 could not run (files, API access), 2 bad arguments, 3 timed out.
`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface InitcOptions {
  help: boolean;
  parents: ParentRequirement[];
  /** Milliseconds; undefined waits forever. */
  timeoutMs: number | undefined;
  podInfoDir: string;
  serviceAccountDir: string;
  /** undefined: from KUBERNETES_SERVICE_HOST/PORT at run time. */
  server: string | undefined;
  terminationLog: string;
}

function parseTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ns = parseGoDuration(value);
  if (ns === undefined || ns < 0n) throw new UsageError(`--timeout: must be a duration such as 90s, 10m or 1h30m, got "${value}"`);
  if (ns === 0n) return undefined;
  if (ns < 1_000_000n) throw new UsageError(`--timeout: must be at least 1ms, got "${value}"`);
  return Number(ns / 1_000_000n);
}

function parseServer(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--server: must be an https:// URL, got "${value}"`);
  }
  if (url.protocol !== 'https:') throw new UsageError(`--server: must be an https:// URL, got "${value}"`);
  return value.replace(/\/+$/, '');
}

function nonEmpty(flag: string, value: string | undefined, fallback: string): string {
  if (value === undefined) return fallback;
  if (value === '') throw new UsageError(`--${flag}: must not be empty`);
  return value;
}

/** Parse `copse initc` flags; throws UsageError naming the flag. */
export function parseInitcArgs(argv: readonly string[]): InitcOptions {
  let values: Record<string, string | string[] | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        podcliques: { type: 'string', multiple: true },
        timeout: { type: 'string' },
        'pod-info-dir': { type: 'string' },
        'service-account-dir': { type: 'string' },
        server: { type: 'string' },
        'termination-log': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}" (flags only; see --help)`);
  const help = values['help'] === true;
  const items = ((values['podcliques'] as string[] | undefined) ?? []).flatMap((v) => v.split(',')).map((s) => s.trim());
  if (!help && items.length === 0) throw new UsageError('--podcliques: at least one <podclique>:<minAvailable> is required');
  const { parents, problems } = parseParents(items.filter((s) => s !== ''));
  if (problems.length > 0) throw new UsageError(`--podcliques: ${problems.join('; ')}`);
  return {
    help,
    parents,
    timeoutMs: parseTimeout(values['timeout'] as string | undefined),
    podInfoDir: nonEmpty('pod-info-dir', values['pod-info-dir'] as string | undefined, POD_INFO_MOUNT_PATH),
    serviceAccountDir: nonEmpty('service-account-dir', values['service-account-dir'] as string | undefined, SA_TOKEN_MOUNT_PATH),
    server: parseServer(values['server'] as string | undefined),
    terminationLog: nonEmpty('termination-log', values['termination-log'] as string | undefined, DEFAULT_TERMINATION_LOG),
  };
}

/** `1m30s` for 90000 ms, as the timeout message prints it. */
export function formatTimeout(ms: number): string {
  return formatGoDuration(BigInt(ms) * 1_000_000n);
}
