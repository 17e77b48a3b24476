import { describe, expect, it } from 'vitest';
import type { ObjectLike } from '../../kube/dynamic.js';
import { Store, byControllerUid, byLabel, byNamespace } from './store.js';

const obj = (ns: string, name: string, rv: string, extra: Partial<NonNullable<ObjectLike['metadata']>> = {}): ObjectLike => ({
  metadata: { namespace: ns, name, resourceVersion: rv, ...extra },
});
const owned = (uid: string) => ({ ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'o', uid, controller: true }] });

describe('Store', () => {
  it('indexes by namespace, controller owner and label, and keeps indexes true on update and delete', () => {
    const s = new Store<ObjectLike>();
    s.addIndex('ns', byNamespace);
    s.addIndex('owner', byControllerUid);
    s.addIndex('part-of', byLabel('app.kubernetes.io/part-of'));
    s.upsert(obj('a', 'p1', '1', { ...owned('u1'), labels: { 'app.kubernetes.io/part-of': 'x' } }));
    s.upsert(obj('a', 'p2', '1', owned('u1')));
    s.upsert(obj('b', 'p1', '1', { labels: { 'app.kubernetes.io/part-of': 'x' } }));
    expect(s.byIndex('ns', 'a').map((o) => o.metadata?.name).sort()).toEqual(['p1', 'p2']);
    expect(s.byIndex('owner', 'u1')).toHaveLength(2);
    expect(s.byIndex('part-of', 'a/x')).toHaveLength(1);
    expect(s.byIndex('part-of', 'b/x')).toHaveLength(1);
    s.upsert(obj('a', 'p1', '2', owned('u2')));
    expect(s.byIndex('owner', 'u1').map((o) => o.metadata?.name)).toEqual(['p2']);
    expect(s.byIndex('part-of', 'a/x')).toEqual([]);
    s.remove('a/p2');
    expect(s.byIndex('owner', 'u1')).toEqual([]);
    expect(() => s.byIndex('nope', 'x')).toThrow(/no index "nope"/);
  });

  it('replace() reports adds, updates (by resourceVersion) and deletes', () => {
    const s = new Store<ObjectLike>();
    s.upsert(obj('a', 'keep', '1'));
    s.upsert(obj('a', 'change', '1'));
    s.upsert(obj('a', 'gone', '1'));
    const r = s.replace([obj('a', 'keep', '1'), obj('a', 'change', '2'), obj('a', 'new', '1')]);
    expect(r.added.map((o) => o.metadata?.name)).toEqual(['new']);
    expect(r.updated.map(([, n]) => n.metadata?.name)).toEqual(['change']);
    expect(r.deleted.map((o) => o.metadata?.name)).toEqual(['gone']);
    expect(s.keys().sort()).toEqual(['a/change', 'a/keep', 'a/new']);
  });

  it('revision() changes exactly when a bucket gains, loses or changes an object', () => {
    const s = new Store<ObjectLike>();
    s.addIndex('part-of', byLabel('app.kubernetes.io/part-of'));
    const x = { labels: { 'app.kubernetes.io/part-of': 'x' } };
    const y = { labels: { 'app.kubernetes.io/part-of': 'y' } };
    expect(s.revision('part-of', 'a/x')).toBe(0);
    s.upsert(obj('a', 'p1', '1', x));
    const r1 = s.revision('part-of', 'a/x');
    expect(r1).toBeGreaterThan(0);
    s.upsert(obj('a', 'other', '1', y));
    expect(s.revision('part-of', 'a/x')).toBe(r1);
    s.upsert(obj('a', 'p1', '2', x));
    const r2 = s.revision('part-of', 'a/x');
    expect(r2).not.toBe(r1);
    s.upsert(obj('a', 'p2', '1', x));
    const r3 = s.revision('part-of', 'a/x');
    expect(r3).not.toBe(r2);
    s.remove('a/p2');
    const r4 = s.revision('part-of', 'a/x');
    expect([r1, r2, r3]).not.toContain(r4);
    // Moving p1 to another bucket empties this one; refilling it never repeats an earlier revision.
    s.upsert(obj('a', 'p1', '3', y));
    expect(s.revision('part-of', 'a/x')).toBe(0);
    s.upsert(obj('a', 'p1', '4', x));
    expect([0, r1, r2, r3, r4]).not.toContain(s.revision('part-of', 'a/x'));
    expect(() => s.revision('nope', 'x')).toThrow(/no index "nope"/);
  });
});
