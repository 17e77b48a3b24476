// The main thread's side of the extender thread (extender-thread.ts): start it, keep its copy of the
// node usage index current (the index's changes, batched per turn of the event loop, in order), tell
// it when the caches have listed, hand it certificate rotations, record its call durations in this
// process's metrics, and start it again if it dies. Its copy lags the main index by at most the
// main loop's own delay, as the index lags the informers' watch events anyway.
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Registry } from '../kube/metrics.js';
import { EXTENDER_PATH_PREFIX, type ExtenderOutcome, type ExtenderVerb, extenderMetrics } from './extender.js';
import type { NodeUsage, UsageOp } from './usage.js';

type Cert = { certPem: string; keyPem: string };

export interface ExtenderThreadData {
  host: string;
  port: number;
  tls: Cert;
}

export type ToThread = { type: 'ops'; ops: UsageOp[] } | { type: 'ready' } | { type: 'certificate'; cert: Cert } | { type: 'close' };

export type FromThread =
  | { type: 'listening'; port: number }
  | { type: 'failed'; message: string }
  | { type: 'observe'; verb: ExtenderVerb; outcome: ExtenderOutcome; seconds: number }
  | { type: 'closed' };

export interface ExtenderServerOptions {
  host: string;
  port: number;
  tls: Cert;
  /** The main thread's index; the thread keeps a copy of it. */
  usage: NodeUsage;
  /** Resolves once the informers behind `usage` have listed: answering earlier would miss reservations. */
  synced: Promise<void>;
  log: Logger;
  registry?: Registry;
  /** Wait before starting a thread that died again. */
  restartDelayMs?: number;
  /** Called with each thread once it listens (tests stop one to see it start again). */
  onThread?: (worker: Worker) => void;
}

export interface ExtenderServer {
  readonly port: number;
  readonly url: string;
  setCertificate(cert: Cert): void;
  close(): Promise<void>;
}

/** One running thread: its worker and the queue of messages not posted yet. */
class ThreadLink {
  private outbox: ToThread[] = [];
  private flushing = false;

  constructor(readonly worker: Worker) {}

  op(op: UsageOp): void {
    const last = this.outbox.at(-1);
    if (last?.type === 'ops') last.ops.push(op);
    else this.outbox.push({ type: 'ops', ops: [op] });
    this.schedule();
  }

  send(m: ToThread): void {
    this.outbox.push(m);
    this.schedule();
  }

  private schedule(): void {
    if (this.flushing) return;
    this.flushing = true;
    // One message per batch: an informer's list or a burst of pod events becomes a few posts.
    queueMicrotask(() => {
      this.flushing = false;
      const out = this.outbox;
      this.outbox = [];
      for (const m of out) this.worker.postMessage(m);
    });
  }
}

export async function startExtenderServer(opts: ExtenderServerOptions): Promise<ExtenderServer> {
  const observe = extenderMetrics(opts.registry);
  let cert = opts.tls;
  let synced = false;
  let closing = false;
  let link: ThreadLink | undefined;
  let stopMirror: (() => void) | undefined;

  const start = (port: number): Promise<{ link: ThreadLink; port: number }> =>
    new Promise((resolve, reject) => {
      const data: ExtenderThreadData = { host: opts.host, port, tls: cert };
      const worker = new Worker(new URL('./extender-thread.js', import.meta.url), { workerData: data });
      const l = new ThreadLink(worker);
      let listening = false;
      // Where it listens (the asked port, or the one the system chose for port 0): a restart keeps it.
      let bound = port;
      worker.on('message', (m: FromThread) => {
        if (m.type === 'observe') observe(m.verb, m.outcome, m.seconds);
        else if (m.type === 'listening') {
          listening = true;
          bound = m.port;
          // The copy starts from the whole index; then every change follows in order. Until
          // `ready`, the thread answers that copse is starting.
          stopMirror?.();
          stopMirror = opts.usage.mirrorTo((op) => l.op(op));
          if (synced) l.send({ type: 'ready' });
          link = l;
          opts.onThread?.(worker);
          resolve({ link: l, port: m.port });
        } else if (m.type === 'failed') reject(new Error(`scheduler extender: cannot listen on ${opts.host}:${port}: ${m.message}`));
      });
      worker.on('error', (err) => {
        opts.log.error({ err }, 'scheduler extender thread failed');
        if (!listening) reject(err);
      });
      worker.on('exit', (code) => {
        if (!listening) return reject(new Error(`scheduler extender thread exited with code ${code} before it listened`));
        if (closing || link !== l) return;
        // kube-scheduler's calls fail meanwhile (ignorable): pods wait, none is misplaced.
        opts.log.error({ code }, 'scheduler extender thread exited; starting it again');
        stopMirror?.();
        link = undefined;
        setTimeout(() => void restart(bound), opts.restartDelayMs ?? 1_000).unref();
      });
    });

  const restart = async (port: number): Promise<void> => {
    if (closing) return;
    try {
      await start(port);
      opts.log.info({ port }, 'scheduler extender thread started again');
    } catch (err) {
      opts.log.error({ err }, 'scheduler extender thread did not start again; retrying');
      setTimeout(() => void restart(port), opts.restartDelayMs ?? 1_000).unref();
    }
  };

  const first = await start(opts.port);
  void opts.synced.then(() => {
    synced = true;
    link?.send({ type: 'ready' });
  });
  const host = ['0.0.0.0', '::'].includes(opts.host) ? '127.0.0.1' : opts.host;
  opts.log.info({ host: opts.host, port: first.port }, 'scheduler extender listening (own thread)');
  return {
    port: first.port,
    url: `https://${host}:${first.port}${EXTENDER_PATH_PREFIX}`,
    setCertificate: (c) => {
      cert = c;
      link?.send({ type: 'certificate', cert: c });
    },
    close: async () => {
      closing = true;
      stopMirror?.();
      const l = link;
      link = undefined;
      if (!l) return;
      const exited = new Promise<void>((resolve) => l.worker.once('exit', () => resolve()));
      l.send({ type: 'close' });
      // A thread that does not finish closing in time is stopped.
      const timer = setTimeout(() => void l.worker.terminate(), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
