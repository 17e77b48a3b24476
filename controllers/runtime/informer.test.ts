import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { DynamicClient, ListResult, ObjectLike, WatchEvent, WatchOptions } from '../../kube/dynamic.js';
import { KubeError } from '../../kube/errors.js';
import { RESOURCES } from '../../kube/resources.js';
import { Informer } from './informer.js';

type Step = (opts: WatchOptions, emit: (e: WatchEvent<ObjectLike>) => void) => Promise<void>;

/** A scripted client: `lists` answer successive lists, `watches` run successive watch requests. */
function scripted(lists: ObjectLike[][], watches: Step[]) {
  const calls = { lists: 0, watches: [] as (string | undefined)[], drops: 0 };
  const client = {
    http: { dropIdleConnections: () => ++calls.drops },
    list: async (): Promise<ListResult<ObjectLike>> => {
      const items = lists[Math.min(calls.lists, lists.length - 1)] ?? [];
      calls.lists++;
      return { items, resourceVersion: `list-${calls.lists}` };
    },
    watch: async (_r: unknown, opts: WatchOptions, onEvent: (e: WatchEvent<ObjectLike>) => void): Promise<void> => {
      calls.watches.push(opts.resourceVersion);
      const step = watches.shift();
      if (!step) return new Promise<void>((resolve) => opts.signal.addEventListener('abort', () => resolve(), { once: true }));
      return step(opts, onEvent);
    },
  } as unknown as DynamicClient;
  return { client, calls };
}

const pod = (name: string, rv: string): ObjectLike => ({ metadata: { namespace: 'a', name, resourceVersion: rv } });
const until = async (cond: () => boolean, ms = 3000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};
const log = pino({ level: 'silent' });

describe('Informer', () => {
  it('lists, then applies watch events and follows the resourceVersion', async () => {
    const { client, calls } = scripted(
      [[pod('p1', '1')]],
      [
        async (_o, emit) => {
          emit({ type: 'ADDED', object: pod('p2', '5') });
          emit({ type: 'MODIFIED', object: pod('p1', '6') });
          emit({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '9' } } });
        },
      ],
    );
    const inf = new Informer(client, { resource: RESOURCES.pods, log, minBackoffMs: 1 });
    const seen: string[] = [];
    inf.on({ add: (o) => seen.push(`add ${o.metadata?.name}`), update: (_a, b) => seen.push(`update ${b.metadata?.name}`) });
    inf.start();
    await inf.waitForSync();
    await until(() => calls.watches.length >= 2);
    expect(seen).toEqual(['add p1', 'add p2', 'update p1']);
    expect(calls.watches).toEqual(['list-1', '9']);
    await inf.shutdown();
  });

  it('relists on 410 Gone and turns the difference into events', async () => {
    const { client, calls } = scripted(
      [[pod('p1', '1'), pod('p2', '1')], [pod('p1', '2'), pod('p3', '1')]],
      [
        async () => {
          throw new KubeError('Gone', 410, 'too old', undefined, undefined);
        },
      ],
    );
    const inf = new Informer(client, { resource: RESOURCES.pods, log, minBackoffMs: 1 });
    const seen: string[] = [];
    inf.on({ add: (o) => seen.push(`add ${o.metadata?.name}`), update: (_a, b) => seen.push(`update ${b.metadata?.name}`), delete: (o) => seen.push(`delete ${o.metadata?.name}`) });
    inf.start();
    await until(() => calls.lists === 2);
    await until(() => seen.length === 5);
    expect(seen).toEqual(['add p1', 'add p2', 'add p3', 'update p1', 'delete p2']);
    expect(inf.store.keys().sort()).toEqual(['a/p1', 'a/p3']);
    expect(inf.relists).toBe(2);
    await inf.shutdown();
  });

  it('keeps going after any other error (connection refused, apiserver restart), rewatching from its resourceVersion', async () => {
    const { client, calls } = scripted(
      [[pod('p1', '1')]],
      [
        async () => {
          throw new KubeError('Transient', 0, 'ECONNREFUSED', undefined, undefined);
        },
        async () => {
          throw new KubeError('Transient', 503, 'unavailable', undefined, undefined);
        },
        async (_o, emit) => emit({ type: 'DELETED', object: pod('p1', '7') }),
      ],
    );
    const inf = new Informer(client, { resource: RESOURCES.pods, log, minBackoffMs: 1 });
    inf.start();
    await until(() => inf.store.size === 0 && calls.watches.length >= 4);
    expect(calls.lists).toBe(1);
    expect(calls.watches.slice(0, 3)).toEqual(['list-1', 'list-1', 'list-1']);
    await inf.shutdown();
  });

  it('aborts a watch that has been silent past stallMs and relists', async () => {
    const { client, calls } = scripted([[pod('p1', '1')], [pod('p1', '1'), pod('p2', '3')]], [
      // a half-open connection: never emits, never ends
      (o) => new Promise<void>((resolve) => o.signal.addEventListener('abort', () => resolve(), { once: true })),
    ]);
    const inf = new Informer(client, { resource: RESOURCES.pods, log, minBackoffMs: 1, stallMs: 200 });
    inf.start();
    await until(() => inf.store.size === 2, 5000);
    expect(calls.lists).toBe(2);
    // The pooled sockets on the suspect path are dropped before the relist.
    expect(calls.drops).toBe(1);
    await inf.shutdown();
  });

  it('counts a watch that hangs before its headers and rejects when aborted as a stall too', async () => {
    const { client, calls } = scripted([[pod('p1', '1')], [pod('p1', '1'), pod('p2', '3')]], [
      // sent on a dead pooled socket: the abort surfaces as an error, not as the end of a stream
      (o) =>
        new Promise<void>((_resolve, reject) =>
          o.signal.addEventListener('abort', () => reject(new KubeError('Transient', 0, 'GET /api/v1/pods: aborted', undefined, undefined)), { once: true }),
        ),
    ]);
    let stalls = 0;
    let failures = 0;
    const inf = new Informer(client, {
      resource: RESOURCES.pods,
      log,
      minBackoffMs: 1,
      stallMs: 200,
      metrics: { relisted: () => {}, watchFailed: () => failures++, stalled: () => stalls++ },
    });
    inf.start();
    await until(() => inf.store.size === 2, 5000);
    expect([calls.lists, calls.drops, stalls, failures]).toEqual([2, 1, 1, 0]);
    await inf.shutdown();
  });
});
