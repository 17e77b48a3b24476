import { describe, expect, it } from 'vitest';

import type { ViewObject } from '../api/views/meta.js';
import { ResourceVersionClock } from './live/clock.js';
import { LiveCollection, naturalSortKey } from './live/collection.js';
import { CONTINUE_EXPIRED_MESSAGE, Pager } from './pager.js';
import { type RequestInfo, type ResourceRequest, requestInfo } from './requestinfo.js';
import { listBody } from './respond.js';
import { ApiError } from './status.js';

const TABLE = 'table' as const;
const JSON_REPR = 'json' as const;

function domain(name: string, value: number, zone = 'z1'): ViewObject {
  const amounts = { cpu: '8', memory: '32Gi', 'nvidia.com/gpu': '8' };
  return {
    apiVersion: 'live.copse.io/v1alpha1',
    kind: 'TopologyDomain',
    metadata: { name, labels: { zone } },
    spec: { level: 'rack', value },
    status: { nodes: 1, schedulableNodes: 1, pods: 0, gangs: [], free: amounts, allocatable: amounts, largestNodeFree: amounts },
  } as unknown as ViewObject;
}

/** A live collection of `n` domains d-1..d-n (natural order), whose values a test can change. */
function domains(n: number): { c: LiveCollection; clock: ResourceVersionClock; values: Map<string, number> } {
  const clock = new ResourceVersionClock('100000');
  const values = new Map(Array.from({ length: n }, (_, i) => [`d-${i + 1}`, 0]));
  const c = new LiveCollection({
    clock,
    compute: (k) => (values.has(k) ? domain(k, values.get(k) ?? 0, Number(k.slice(2)) % 2 ? 'odd' : 'even') : undefined),
    keys: () => values.keys(),
    sortKey: (o) => naturalSortKey(o.metadata.name ?? ''),
  });
  return { c, clock, values };
}

function req(query: string): ResourceRequest {
  const info: RequestInfo = requestInfo('GET', `/apis/live.copse.io/v1alpha1/topologydomains${query}`);
  if (info.kind !== 'resource') throw new Error('not a resource request');
  return info;
}

interface ListOut {
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items?: { metadata: { name: string } }[];
  rows?: { cells: unknown[] }[];
}

function list(c: LiveCollection, clock: ResourceVersionClock, pager: Pager, query: string, repr: 'json' | 'table' = JSON_REPR): ListOut {
  return JSON.parse(listBody(c, clock, req(query), repr, Date.now(), pager).json) as ListOut;
}

const names = (l: ListOut) => (l.items ?? []).map((i) => i.metadata.name);

/** Follows continue tokens from `first` to the end; returns every page. */
function pages(c: LiveCollection, clock: ResourceVersionClock, pager: Pager, limit: number, extra = ''): ListOut[] {
  const out = [list(c, clock, pager, `?limit=${limit}${extra}`)];
  for (let tok = out[0]?.metadata.continue; tok !== undefined; tok = out.at(-1)?.metadata.continue) {
    out.push(list(c, clock, pager, `?limit=${limit}&continue=${encodeURIComponent(tok)}${extra}`));
  }
  return out;
}

function apiError(f: () => unknown): ApiError {
  try {
    f();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}

describe('chunked lists: limit and continue', () => {
  it('without a limit the list is whole and has no continue token', () => {
    const { c, clock } = domains(7);
    const l = list(c, clock, new Pager(), '');
    expect(names(l)).toEqual(['d-1', 'd-2', 'd-3', 'd-4', 'd-5', 'd-6', 'd-7']);
    expect(l.metadata.continue).toBeUndefined();
    expect(list(c, clock, new Pager(), '?limit=0').items).toHaveLength(7);
    expect(list(c, clock, new Pager(), '?limit=7').metadata.continue).toBeUndefined();
  });

  it('pages of 3 over 7 items: every item once, in order, with remainingItemCount, the last page without a token', () => {
    const { c, clock } = domains(7);
    const ps = pages(c, clock, new Pager(), 3);
    expect(ps.map(names)).toEqual([['d-1', 'd-2', 'd-3'], ['d-4', 'd-5', 'd-6'], ['d-7']]);
    expect(ps.map((p) => p.metadata.remainingItemCount)).toEqual([4, 1, undefined]);
    expect(ps.at(-1)?.metadata.continue).toBeUndefined();
  });

  it('a continued list is the list of its first page: changes, additions and removals after it do not show', () => {
    const { c, clock, values } = domains(6);
    const pager = new Pager();
    const first = list(c, clock, pager, '?limit=2');
    const rv = first.metadata.resourceVersion;
    values.set('d-4', 9);
    values.delete('d-5');
    values.set('d-10', 0);
    for (const k of ['d-4', 'd-5', 'd-10']) c.markDirty(k);
    const second = list(c, clock, pager, `?limit=2&continue=${first.metadata.continue ?? ''}`);
    const third = list(c, clock, pager, `?limit=2&continue=${second.metadata.continue ?? ''}`);
    expect([...names(first), ...names(second), ...names(third)]).toEqual(['d-1', 'd-2', 'd-3', 'd-4', 'd-5', 'd-6']);
    expect([second.metadata.resourceVersion, third.metadata.resourceVersion]).toEqual([rv, rv]);
    expect((second.items?.[1] as unknown as { spec: { value: number } }).spec.value).toBe(0);
    // A new list sees the changes.
    expect(names(list(c, clock, pager, ''))).toEqual(['d-1', 'd-2', 'd-3', 'd-4', 'd-6', 'd-10']);
  });

  it('selectors are applied before the cut, and then remainingItemCount is left out (as kube-apiserver)', () => {
    const { c, clock } = domains(9);
    const ps = pages(c, clock, new Pager(), 2, '&labelSelector=zone%3Dodd');
    expect(ps.map(names)).toEqual([['d-1', 'd-3'], ['d-5', 'd-7'], ['d-9']]);
    expect(ps.map((p) => p.metadata.remainingItemCount)).toEqual([undefined, undefined, undefined]);
  });

  it('Table pages carry the token in the Table\u2019s ListMeta', () => {
    const { c, clock } = domains(5);
    const pager = new Pager();
    const t = list(c, clock, pager, '?limit=2', TABLE);
    expect(t.rows).toHaveLength(2);
    expect(t.metadata.remainingItemCount).toBe(3);
    const rest = list(c, clock, pager, `?limit=10&continue=${t.metadata.continue ?? ''}`, TABLE);
    expect(rest.rows).toHaveLength(3);
    expect(rest.metadata.continue).toBeUndefined();
  });

  it('an expired snapshot is 410 Expired in kube-apiserver\u2019s words, with a token for the (inconsistent) remainder', () => {
    const { c, clock, values } = domains(6);
    let now = 0;
    const pager = new Pager({ ttlMs: 1_000, now: () => now });
    const first = list(c, clock, pager, '?limit=2');
    now = 1_000;
    values.set('d-3', 5);
    values.delete('d-4');
    c.markDirty('d-3');
    c.markDirty('d-4');
    const err = apiError(() => list(c, clock, pager, `?limit=2&continue=${first.metadata.continue ?? ''}`));
    expect([err.status.code, err.status.reason, err.status.message]).toEqual([410, 'Expired', CONTINUE_EXPIRED_MESSAGE]);
    const remainder = err.status.metadata.continue;
    expect(remainder).toBeDefined();
    // The remainder continues from the current state, after the last object served.
    const rest = pages(c, clock, pager, 10, '').length; // a fresh list still works
    expect(rest).toBe(1);
    const next = list(c, clock, pager, `?limit=10&continue=${remainder ?? ''}`);
    expect(names(next)).toEqual(['d-3', 'd-5', 'd-6']);
    expect(next.metadata.resourceVersion).toBe(clock.format(clock.current));
  });

  it('the oldest snapshot goes first when too many are held', () => {
    const { c, clock } = domains(4);
    const pager = new Pager({ maxSnapshots: 2 });
    const a = list(c, clock, pager, '?limit=1');
    list(c, clock, pager, '?limit=1');
    list(c, clock, pager, '?limit=1');
    expect(pager.held()).toBe(2);
    expect(apiError(() => list(c, clock, pager, `?limit=1&continue=${a.metadata.continue ?? ''}`)).status.code).toBe(410);
  });

  it('bad continue requests are 400s that say why', () => {
    const { c, clock } = domains(4);
    const pager = new Pager();
    const first = list(c, clock, pager, '?limit=1');
    const tok = first.metadata.continue ?? '';
    const cases: [string, string][] = [
      ['?continue=not-a-token', 'invalid continue token: not a token this server issued'],
      [`?continue=${Buffer.from('{"v":2}').toString('base64url')}`, 'invalid continue token: not a token this server issued'],
      [`?continue=${tok}&resourceVersion=5`, 'specifying resource version is not allowed when using continue'],
      [`?continue=${tok}&labelSelector=zone%3Dodd`, 'invalid continue token: it belongs to another list (resource, namespace or selectors differ)'],
    ];
    for (const [q, message] of cases) {
      const err = apiError(() => list(c, clock, pager, q));
      expect([q, err.status.code, err.status.reason, err.status.message]).toEqual([q, 400, 'BadRequest', message]);
    }
    // resourceVersion=0 with a continue token is allowed (kube-apiserver treats it as unset).
    expect(names(list(c, clock, pager, `?continue=${tok}&resourceVersion=0`))).toEqual(['d-2', 'd-3', 'd-4']);
  });
});
