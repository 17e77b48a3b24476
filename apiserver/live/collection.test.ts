import { describe, expect, it } from 'vitest';

import { ResourceVersionClock } from './clock.js';
import { LiveCollection, viewJsonParts } from './collection.js';
import type { ViewObject } from '../../api/views/meta.js';

const obj = (name: string, value: number): ViewObject => ({
  apiVersion: 'live.copse.io/v1alpha1',
  kind: 'TopologyDomain',
  metadata: { name, labels: { a: 'b' } },
  spec: { value },
  status: { text: 'x"y' },
});

describe('viewJsonParts: one serialization for the change check and the served object', () => {
  it('parts join to the object, apiVersion, kind and metadata first', () => {
    const o = obj('d', 1);
    const p = viewJsonParts(o);
    const joined = `${p.head}${p.metadata}${p.tail}`;
    expect(JSON.parse(joined)).toEqual(o);
    expect(Object.keys(JSON.parse(joined) as object)).toEqual(['apiVersion', 'kind', 'metadata', 'spec', 'status']);
  });

  it('an object with nothing beyond metadata still closes', () => {
    const o = { apiVersion: 'live.copse.io/v1alpha1', kind: 'K', metadata: { name: 'n' } } as unknown as ViewObject;
    const p = viewJsonParts(o);
    expect(JSON.parse(`${p.head}${p.metadata}${p.tail}`)).toEqual(o);
  });
});

describe('LiveCollection: served JSON carries the version, unchanged content keeps it', () => {
  it('serves the object with its resourceVersion and bumps it only when the content changes', () => {
    let value = 1;
    const clock = new ResourceVersionClock('100000');
    const c = new LiveCollection({ clock, compute: (k) => obj(k, value), keys: () => ['d'], sortKey: (o) => o.metadata.name });
    const first = c.get('d');
    expect(JSON.parse(first?.json ?? '')).toEqual({ ...obj('d', 1), metadata: { name: 'd', labels: { a: 'b' }, resourceVersion: '1000001' } });
    c.markDirty('d');
    expect(c.get('d')?.rv).toBe(1);
    value = 2;
    c.markDirty('d');
    const second = c.get('d');
    expect(second?.rv).toBe(2);
    expect((JSON.parse(second?.json ?? '') as { spec: unknown; metadata: { resourceVersion: string } }).spec).toEqual({ value: 2 });
    expect((JSON.parse(second?.json ?? '') as { metadata: { resourceVersion: string } }).metadata.resourceVersion).toBe('1000002');
    c.stop();
  });
});

describe('LiveCollection: history bounded by bytes, computation lazy without watchers', () => {
  const big = (name: string, value: number): ViewObject => ({ ...obj(name, value), status: { text: 'x'.repeat(10_000) } });

  it('keeps the served JSON of the history under historyBytes and answers 410 (undefined) for a forgotten version', () => {
    let value = 0;
    const clock = new ResourceVersionClock('100000');
    const c = new LiveCollection({ clock, compute: (k) => big(k, value), keys: () => ['d'], sortKey: (o) => o.metadata.name, historyBytes: 100_000 });
    c.get('d');
    for (let i = 1; i <= 50; i++) {
      value = i;
      c.markDirty('d');
      c.get('d');
    }
    const stats = c.historyStats();
    expect(stats.bytes).toBeLessThanOrEqual(100_000);
    expect(stats.changes).toBeGreaterThan(5);
    expect(stats.changes).toBeLessThan(11);
    expect(c.changesSince(1)).toBeUndefined();
    const recent = c.changesSince(48);
    expect(recent?.map((ch) => ch.rv)).toEqual([49, 50, 51]);
    c.stop();
  });

  it('without a watcher an event computes nothing until a read; with one, the timer streams it', async () => {
    let computed = 0;
    let value = 1;
    const clock = new ResourceVersionClock('100000');
    const c = new LiveCollection({ clock, compute: (k) => (computed++, obj(k, value)), keys: () => ['d'], sortKey: (o) => o.metadata.name, flushDelayMs: 1 });
    c.get('d');
    expect(computed).toBe(1);
    value = 2;
    c.markDirty('d');
    await new Promise((r) => setTimeout(r, 30));
    expect(computed).toBe(1);
    const seen: number[] = [];
    c.subscribe((changes) => seen.push(...changes.map((ch) => ch.rv)));
    await new Promise((r) => setTimeout(r, 30));
    expect(computed).toBe(2);
    expect(seen).toEqual([2]);
    value = 3;
    c.markDirty('d');
    await new Promise((r) => setTimeout(r, 30));
    expect(seen).toEqual([2, 3]);
    c.stop();
  });
});
