// The bench's stand-in for kube-scheduler's extender calls, on a thread of its own: the bench's main
// thread also follows the deploy's watch events, and a call timed there would count the time its
// answer waits for that loop. kube-scheduler's calls wait on nothing of the kind. The thread loops
// one scheduling cycle (filter, then prioritize over the nodes that passed) at a pace until told to
// stop, then posts every sample.
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import type { Pod } from '../../api/core/wire.js';
import { ExtenderClient } from './extender-client.js';

export interface LoadThreadData {
  urlPrefix: string;
  caPem: string;
  pod: Pod;
  names: string[];
  intervalMs: number;
  warmup: number;
}

export interface LoadThreadResult {
  filter: number[];
  prioritize: number[];
  both: number[];
  errors: number;
  firstErrors: string[];
}

const port = parentPort;
if (!port) throw new Error('extender-load-thread.js runs as a worker thread');
const data = workerData as LoadThreadData;
let stop = false;
port.on('message', (m: { type: 'stop' }) => {
  if (m.type === 'stop') stop = true;
});

const ext = new ExtenderClient(data.urlPrefix, data.caPem);
const out: LoadThreadResult = { filter: [], prioritize: [], both: [], errors: 0, firstErrors: [] };
try {
  // Warm the connection and the server's code paths, so the first TLS handshake is not a sample.
  for (let i = 0; i < data.warmup; i++) await ext.cycle(data.pod, data.names);
  port.postMessage({ type: 'warm' });
  while (!stop) {
    const t = performance.now();
    try {
      const c = await ext.cycle(data.pod, data.names);
      out.filter.push(c.filterMs);
      out.prioritize.push(c.prioritizeMs);
      out.both.push(c.filterMs + c.prioritizeMs);
    } catch (err) {
      out.errors++;
      if (out.firstErrors.length < 3) out.firstErrors.push((err as Error).message);
    }
    const wait = data.intervalMs - (performance.now() - t);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
} finally {
  ext.close();
  port.postMessage({ type: 'done', result: out });
}
