// The extender on its own thread, as `copse serve` runs it: the worker is the compiled
// dist/scheduler/extender-thread.js (a worker thread cannot load TypeScript), so this file needs
// `npm run build` first, which `npm test` does. The main thread's index changes; the thread's copy
// follows; calls are answered over HTTPS and their durations land in the main thread's registry.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Node, Pod } from '../api/core/wire.js';
import { issueCert, newCa } from '../certs/issue.js';
import { createLogger } from '../kube/log.js';
import { Registry } from '../kube/metrics.js';
import { ExtenderClient } from '../test/bench/extender-client.js';
import type { ExtenderServer, ExtenderServerOptions } from './extender-host.js';
import type { NodeUsage as NodeUsageType } from './usage.js';
import type { ExtenderFilterResult } from './wire.js';
import type { Worker } from 'node:worker_threads';

const dist = new URL('../dist/scheduler/', import.meta.url);
const built = existsSync(fileURLToPath(new URL('extender-thread.js', dist)));

const node = (name: string): Node => ({ metadata: { name }, status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' } } }) as Node;
const pod = (name: string, extra: Partial<Pod['spec']> = {}, annotations: Record<string, string> = {}): Pod =>
  ({
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, annotations },
    spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '3' } } }], ...extra },
    status: { phase: 'Pending' },
  }) as Pod;

describe('the scheduler extender thread', () => {
  it('is built (npm test builds dist/ first)', () => {
    expect(built, `${fileURLToPath(dist)}extender-thread.js is missing: run npm run build`).toBe(true);
  });

  const servers: ExtenderServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  async function start(synced: Promise<void>, onThread?: (w: Worker) => void): Promise<{ server: ExtenderServer; usage: NodeUsageType; registry: Registry; ca: string }> {
    const host = (await import(new URL('extender-host.js', dist).href)) as typeof import('./extender-host.js');
    const { NodeUsage } = (await import(new URL('usage.js', dist).href)) as typeof import('./usage.js');
    const now = new Date();
    const ca = newCa({ commonName: 'test-ca', now, validDays: 1 });
    const tls = issueCert(ca, { commonName: 'extender', ipAddresses: ['127.0.0.1'], usage: 'server', now, validDays: 1 });
    const usage = new NodeUsage();
    const registry = new Registry();
    const opts: ExtenderServerOptions = { host: '127.0.0.1', port: 0, tls, usage, synced, log: createLogger('silent'), registry, restartDelayMs: 50, ...(onThread ? { onThread } : {}) };
    const server = await host.startExtenderServer(opts);
    servers.push(server);
    return { server, usage, registry, ca: ca.certPem };
  }

  /** One filter call over a fresh connection (a restarted thread closed the old ones). */
  async function filter(url: string, ca: string, p: Pod, names: string[]): Promise<ExtenderFilterResult> {
    const client = new ExtenderClient(url, ca);
    try {
      return await client.filter(p, names);
    } finally {
      client.close();
    }
  }

  async function until<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const v = await fn();
      if (ok(v)) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: last ${JSON.stringify(v)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it.runIf(built)('answers "starting" until the caches have listed, then from a copy that follows every change of the main index', async () => {
    let markSynced = (): void => {};
    const synced = new Promise<void>((r) => (markSynced = r));
    const { server, usage, registry, ca } = await start(synced);
    usage.setNode(node('a'));
    usage.setNode(node('b'));
    // A 3-CPU reservation on node a (a gang pod copse planned there, gate not lifted yet).
    usage.apply({ op: 'pod', key: 'ns/gang-0', node: 'a', reserved: true, requests: { cpu: 3000 } });

    const before = await filter(server.url, ca, pod('plain'), ['a', 'b']);
    expect(before.NodeNames).toEqual([]);
    expect(before.FailedNodes['a']).toMatch(/copse is starting/);

    markSynced();
    const held = await until('the reservation on a to be honoured', () => filter(server.url, ca, pod('plain'), ['a', 'b']), (r) => (r.NodeNames ?? []).length > 0);
    expect(held.NodeNames).toEqual(['b']);
    expect(held.FailedNodes['a']).toMatch(/requested, .* free once gang reservations are held back/);

    // The reservation goes in the main thread: the copy follows.
    usage.removePod('ns/gang-0');
    const freed = await until('node a to be free again', () => filter(server.url, ca, pod('plain'), ['a', 'b']), (r) => (r.NodeNames ?? []).length === 2);
    expect(freed.NodeNames).toEqual(['a', 'b']);
    // A node the main index drops is unknown to the copy too: nothing is free there.
    usage.removeNode('b');
    const gone = await until('node b to be gone', () => filter(server.url, ca, pod('plain'), ['a', 'b']), (r) => (r.NodeNames ?? []).length === 1);
    expect(gone.NodeNames).toEqual(['a']);

    // Durations are recorded in the main thread's registry, by verb and outcome.
    await until('the durations to arrive', async () => registry.value('copse_extender_request_duration_seconds', { verb: 'filter', outcome: 'ok' }), (n) => n >= 3);
    expect(await registry.value('copse_extender_request_duration_seconds', { verb: 'filter', outcome: 'not-ready' })).toBe(1);
  });

  it.runIf(built)('serves a full scheduling cycle and starts again on the same port after its thread dies', async () => {
    const threads: Worker[] = [];
    const { server, usage, ca } = await start(Promise.resolve(), (w) => threads.push(w));
    for (const n of ['a', 'b', 'c']) usage.setNode(node(n));
    const cycle = async (names: string[]) => {
      const client = new ExtenderClient(server.url, ca);
      try {
        return await client.cycle(pod('plain'), names);
      } finally {
        client.close();
      }
    };
    const first = await until('the copy to hold three nodes', () => cycle(['a', 'b', 'c']), (c) => c.passed === 3);
    expect(first.passed).toBe(3);

    await threads[0]?.terminate();
    // Changes made while no thread runs reach the next one (it starts from the whole index).
    usage.removeNode('c');
    const again = await until('a second thread', () => cycle(['a', 'b', 'c']).catch(() => ({ passed: -1 })), (c) => c.passed >= 0);
    expect(threads).toHaveLength(2);
    expect(again.passed).toBe(2);
  });
});
