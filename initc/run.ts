// The shell of `copse initc`: read the pod's downward-API files and service-account token, then list
// and watch this gang's pods of the named parents until every parent has its minimum of Ready pods.
// The watch is copse's informer (controllers/runtime/informer.ts): it rewatches after a dropped
// connection, relists after 410 Gone and after a stalled stream, so the wait survives apiserver
// restarts. The same code runs in the init container and, on simulated nodes, as a local process
// started by cluster/initc-runner.ts with the paths and API address overridden by flags.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pod } from '../api/core/wire.js';
import type { ParentRequirement } from '../api/desired/startup.js';
import { Informer } from '../controllers/runtime/informer.js';
import { DynamicClient, FIELD_MANAGERS } from '../kube/dynamic.js';
import { toKubeError } from '../kube/errors.js';
import { KubeHttp } from '../kube/http.js';
import { createLogger, type Logger } from '../kube/log.js';
import { RESOURCES } from '../kube/resources.js';
import { EXIT, formatTimeout, type InitcOptions } from './args.js';
import { ServiceAccountAuth } from './auth.js';
import { describeParents, parentPodSelector, startupProgress, timeoutMessage, type StartupProgress } from './progress.js';
import { sleep } from '../controllers/runtime/sleep.js';

export interface WaitOptions {
  namespace: string;
  gang: string;
  parents: readonly ParentRequirement[];
  /** undefined: wait forever. */
  timeoutMs: number | undefined;
  log: Logger;
  /** Called with every new state of the parents (for the container's log). */
  onProgress?: (p: StartupProgress) => void;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export type WaitResult = { outcome: 'ready'; progress: StartupProgress } | { outcome: 'timeout'; progress: StartupProgress; lastError: string | undefined };

/**
 * Wait until every parent has at least minAvailable Ready pods in `gang`, or the timeout passes.
 * A first list is tried until it succeeds, so an API that refuses the token (no RoleBinding yet, a
 * token not yet valid) is retried, and its last error is reported if the timeout passes meanwhile;
 * parents that are ready already end the wait right there. After that the informer keeps the view.
 */
export async function waitForParents(client: DynamicClient, o: WaitOptions): Promise<WaitResult> {
  const stop = new AbortController();
  const timer = o.timeoutMs === undefined ? undefined : setTimeout(() => stop.abort(), o.timeoutMs);
  const labelSelector = parentPodSelector(o.parents, o.gang);
  let progress = startupProgress(o.parents, o.gang, []);
  let reported = '';
  const report = (next: StartupProgress): void => {
    progress = next;
    const text = describeParents(next.parents);
    if (text !== reported) {
      reported = text;
      o.onProgress?.(next);
    }
  };
  let lastError: string | undefined;
  let informer: Informer<Pod> | undefined;
  try {
    let backoff = o.minBackoffMs ?? 200;
    for (;;) {
      if (stop.signal.aborted) return { outcome: 'timeout', progress, lastError };
      try {
        const list = await client.list(RESOURCES.pods, { namespace: o.namespace, labelSelector, signal: stop.signal });
        report(startupProgress(o.parents, o.gang, list.items));
        lastError = undefined;
        break;
      } catch (err) {
        if (stop.signal.aborted) return { outcome: 'timeout', progress, lastError };
        lastError = toKubeError(err).message;
        o.log.warn({ err: lastError, backoffMs: backoff }, 'listing the parent pods failed; retrying');
        await sleep(backoff, stop.signal);
        backoff = Math.min(backoff * 2, o.maxBackoffMs ?? 5_000);
      }
    }
    if (progress.done) return { outcome: 'ready', progress };

    const inf = new Informer<Pod>(client, {
      resource: RESOURCES.pods,
      namespace: o.namespace,
      labelSelector,
      log: o.log,
      ...(o.minBackoffMs !== undefined ? { minBackoffMs: o.minBackoffMs } : {}),
      ...(o.maxBackoffMs !== undefined ? { maxBackoffMs: o.maxBackoffMs } : {}),
    });
    informer = inf;
    const ready = new Promise<void>((resolveReady) => {
      const check = (): void => {
        report(startupProgress(o.parents, o.gang, inf.store.list()));
        if (progress.done) resolveReady();
      };
      inf.on({ add: check, update: check, delete: check });
    });
    const timedOut = new Promise<void>((resolveTimeout) => stop.signal.addEventListener('abort', () => resolveTimeout(), { once: true }));
    inf.start();
    await Promise.race([ready, timedOut]);
    return progress.done ? { outcome: 'ready', progress } : { outcome: 'timeout', progress, lastError };
  } finally {
    if (timer) clearTimeout(timer);
    stop.abort();
    await informer?.shutdown();
  }
}

export class InitcFailure extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

function readTrimmed(dir: string, file: string, what: string): string {
  const path = join(dir, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (err) {
    throw new InitcFailure(EXIT.failed, `copse initc: cannot read ${what} from ${path}: ${(err as Error).message}`);
  }
  if (text === '') throw new InitcFailure(EXIT.failed, `copse initc: ${path} is empty; it must hold ${what}`);
  return text;
}

function apiServer(o: InitcOptions, env: NodeJS.ProcessEnv): string {
  if (o.server) return o.server;
  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = env['KUBERNETES_SERVICE_PORT'];
  if (!host || !port) throw new InitcFailure(EXIT.failed, 'copse initc: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set; pass --server');
  return `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** A client that authenticates with the token file (re-read as the kubelet rotates it) and trusts ca.crt. */
export function serviceAccountClient(server: string, serviceAccountDir: string): { client: DynamicClient; http: KubeHttp } {
  readTrimmed(serviceAccountDir, 'token', 'the service-account token');
  readTrimmed(serviceAccountDir, 'ca.crt', "the API server's CA certificate");
  const http = new KubeHttp(new ServiceAccountAuth(server, join(serviceAccountDir, 'token'), join(serviceAccountDir, 'ca.crt')));
  return { client: new DynamicClient(http, FIELD_MANAGERS.initc), http };
}

/** Best effort: where the file cannot be written, FallbackToLogsOnError shows the log tail instead. */
function writeTerminationLog(path: string, message: string): void {
  try {
    writeFileSync(path, message + '\n');
  } catch {
    /* not writable here (e.g. a local run); the message is on stderr too */
  }
}

export interface InitcIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** Run the init program; resolves with its exit code. */
export async function runInitc(o: InitcOptions, env: NodeJS.ProcessEnv, io: InitcIo): Promise<number> {
  const fail = (code: number, message: string): number => {
    io.err(message);
    writeTerminationLog(o.terminationLog, message);
    return code;
  };
  let http: KubeHttp | undefined;
  try {
    const namespace = readTrimmed(o.podInfoDir, 'namespace', 'the pod namespace');
    const gang = readTrimmed(o.podInfoDir, 'podgangname', 'the PodGang name (label grove.io/podgang)');
    const sa = serviceAccountClient(apiServer(o, env), o.serviceAccountDir);
    http = sa.http;
    io.out(`copse initc: waiting in PodGang ${namespace}/${gang} for ${o.parents.map((p) => `${p.podClique} (${p.minAvailable} Ready)`).join(', ')}${o.timeoutMs === undefined ? '' : `, at most ${formatTimeout(o.timeoutMs)}`}`);
    const result = await waitForParents(sa.client, {
      namespace,
      gang,
      parents: o.parents,
      timeoutMs: o.timeoutMs,
      log: createLogger(env['COPSE_LOG_LEVEL'] ?? 'warn').child({ component: 'initc' }),
      onProgress: (p) => io.out(`copse initc: ${describeParents(p.parents)}`),
    });
    if (result.outcome === 'ready') {
      io.out(`copse initc: all parents ready: ${describeParents(result.progress.parents)}`);
      return EXIT.ready;
    }
    const why = result.lastError ? ` (last API error: ${result.lastError})` : '';
    return fail(EXIT.timeout, timeoutMessage(namespace, gang, result.progress, formatTimeout(o.timeoutMs ?? 0)) + why);
  } catch (err) {
    if (err instanceof InitcFailure) return fail(err.exitCode, err.message);
    return fail(EXIT.failed, `copse initc: ${(err as Error).message}`);
  } finally {
    http?.close();
  }
}
