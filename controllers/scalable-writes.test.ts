// ScalableWrites: a scalable child is applied again only over a cache that shows copse's last apply.
import { describe, expect, it } from 'vitest';
import type { DynamicClient, ObjectLike } from '../kube/dynamic.js';
import { RESOURCES } from '../kube/resources.js';
import type { EventHandler, Informer } from './runtime/informer.js';
import { ScalableWrites } from './scalable-writes.js';

const signal = new AbortController().signal;
const pclq = (rv: string | undefined, replicas: number): ObjectLike => ({ metadata: { name: 'w-0-a', namespace: 'ns', ...(rv ? { resourceVersion: rv } : {}) }, spec: { replicas } }) as ObjectLike;

function fixture() {
  const handlers: EventHandler<ObjectLike>[] = [];
  const inf = { on: (h: EventHandler<ObjectLike>) => void handlers.push(h) } as unknown as Informer<ObjectLike>;
  let rv = 10;
  const sent: number[] = [];
  const client = { apply: async (_r: unknown, o: ObjectLike) => (sent.push((o as { spec: { replicas: number } }).spec.replicas), { ...o, metadata: { ...o.metadata, resourceVersion: String(++rv) } }) } as unknown as DynamicClient;
  const writes = new ScalableWrites();
  writes.follow(RESOURCES.podCliques.kind, inf);
  const event = (o: ObjectLike) => handlers.forEach((h) => h.update?.(o, o));
  const apply = (want: ObjectLike, have: ObjectLike | undefined) => writes.apply(client, RESOURCES.podCliques, want, have, signal);
  return { event, apply, sent };
}

describe('ScalableWrites', () => {
  it('holds a child whose create the cache does not show, sends nothing, and applies over the cached copy after', async () => {
    const f = fixture();
    expect((await f.apply(pclq(undefined, 2), undefined)) !== 'held').toBe(true);
    expect(await f.apply(pclq(undefined, 2), undefined)).toBe('held');
    expect(f.sent).toEqual([2]);
    // The cache shows our create (rv 11): a changed child is applied again.
    const out = await f.apply(pclq(undefined, 3), pclq('11', 2));
    expect(out !== 'held' && out.changed).toBe(true);
    expect(f.sent).toEqual([2, 3]);
  });

  it('follows the watch: our version then a scale in one breath clears the hold', async () => {
    const f = fixture();
    await f.apply(pclq(undefined, 2), undefined);
    // Only the scale (rv 12) is cached when the pass runs; the event of rv 11 went by before it.
    expect(await f.apply(pclq(undefined, 5), pclq('12', 5))).toBe('held');
    f.event(pclq('11', 2));
    const out = await f.apply(pclq(undefined, 5), pclq('12', 5));
    expect(out === 'held' ? 'held' : out.changed).toBe(false);
    expect(f.sent).toEqual([2]);
  });
});
