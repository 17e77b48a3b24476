// Calls to the running copse server's extender as kube-scheduler makes them: HTTPS verified against
// copse's CA, one keep-alive connection (kube-scheduler's scheduling cycle is serial, one call at a
// time), the ExtenderArgs body of a nodeCacheCapable extender (the whole Pod, `Nodes: null`, the
// node names), filter first and prioritize over the nodes that passed.
import { Agent, request } from 'node:https';
import { performance } from 'node:perf_hooks';
import type { Pod } from '../../api/core/wire.js';
import type { ExtenderFilterResult, HostPriority } from '../../scheduler/wire.js';

export interface ExtenderCallTimes {
  filterMs: number;
  prioritizeMs: number;
  passed: number;
}

export class ExtenderClient {
  private readonly agent: Agent;

  constructor(
    private readonly urlPrefix: string,
    caPem: string,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: 1, ca: caPem });
  }

  private post<T>(verb: 'filter' | 'prioritize', body: string): Promise<T> {
    const url = new URL(`${this.urlPrefix}/${verb}`);
    return new Promise<T>((resolve, reject) => {
      const req = request(
        { hostname: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent: this.agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, timeout: 5000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            if (res.statusCode !== 200) return reject(new Error(`extender ${verb}: HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString('utf8').slice(0, 200)}`));
            try {
              resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as T);
            } catch (err) {
              reject(err as Error);
            }
          });
          res.on('error', reject);
        },
      );
      // kube-scheduler's httpTimeout is 5 s: a call that takes longer counts as failed there too.
      req.on('timeout', () => req.destroy(new Error(`extender ${verb}: no answer within 5 s`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  /** One filter call, its answer as kube-scheduler gets it. */
  filter(pod: Pod, nodeNames: readonly string[]): Promise<ExtenderFilterResult> {
    return this.post<ExtenderFilterResult>('filter', JSON.stringify({ Pod: pod, Nodes: null, NodeNames: nodeNames }));
  }

  /** One scheduling cycle's calls for `pod` over `nodeNames`, timed from request to parsed answer. */
  async cycle(pod: Pod, nodeNames: readonly string[]): Promise<ExtenderCallTimes> {
    const t0 = performance.now();
    const filtered = await this.filter(pod, nodeNames);
    const t1 = performance.now();
    if (filtered.Error) throw new Error(`extender filter: ${filtered.Error}`);
    const passed = filtered.NodeNames ?? [];
    await this.post<HostPriority[]>('prioritize', JSON.stringify({ Pod: pod, Nodes: null, NodeNames: passed }));
    return { filterMs: t1 - t0, prioritizeMs: performance.now() - t1, passed: passed.length };
  }

  close(): void {
    this.agent.destroy();
  }
}
