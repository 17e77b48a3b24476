// The extender's own thread (the entry of a worker_threads Worker; extender-host.ts starts it).
// kube-scheduler waits on every extender call, and the main thread's event loop is shared with the
// controllers and the planner, whose passes over a large deploy hold it for tens to hundreds of
// milliseconds. Here a call waits only for other calls. The thread answers from its own copy of the
// node usage index, fed in order with every change the main thread makes to its index.
import { parentPort, workerData } from 'node:worker_threads';
import { serverTlsOptions } from '../certs/tls.js';
import { buildExtenderApp } from './extender.js';
import type { ExtenderThreadData, FromThread, ToThread } from './extender-host.js';
import { NodeUsage } from './usage.js';

const port = parentPort;
if (!port) throw new Error('scheduler/extender-thread.js runs as a worker thread (scheduler/extender-host.ts starts it)');
const data = workerData as ExtenderThreadData;
const post = (m: FromThread): void => port.postMessage(m);

const usage = new NodeUsage();
let ready = false;
const app = buildExtenderApp({ tls: data.tls, usage, ready: () => ready, observe: (verb, outcome, seconds) => post({ type: 'observe', verb, outcome, seconds }) });

port.on('message', (m: ToThread) => {
  switch (m.type) {
    case 'ops':
      for (const op of m.ops) usage.apply(op);
      break;
    case 'ready':
      ready = true;
      break;
    case 'certificate':
      app.server.setSecureContext(serverTlsOptions(m.cert));
      break;
    case 'close':
      void app.close().finally(() => {
        post({ type: 'closed' });
        port.close();
      });
      break;
  }
});

try {
  await app.listen({ host: data.host, port: data.port });
  const addr = app.server.address();
  post({ type: 'listening', port: typeof addr === 'object' && addr ? addr.port : data.port });
} catch (err) {
  post({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
  port.close();
}
