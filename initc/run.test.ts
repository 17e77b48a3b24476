import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Pod } from '../api/core/wire.js';
import type { DynamicClient, ListResult, WatchEvent, WatchOptions } from '../kube/dynamic.js';
import { KubeError } from '../kube/errors.js';
import { EXIT, parseInitcArgs } from './args.js';
import { runInitc, waitForParents } from './run.js';

type Step = (opts: WatchOptions, emit: (e: WatchEvent<Pod>) => void) => Promise<void>;

/** A scripted API: `lists` answer (or fail) successive lists, `watches` run successive watch requests. */
function scripted(lists: (Pod[] | KubeError)[], watches: Step[]) {
  const calls = { lists: 0, watches: 0, selectors: [] as (string | undefined)[] };
  const client = {
    list: async (_r: unknown, opts: { labelSelector?: string }): Promise<ListResult<Pod>> => {
      calls.selectors.push(opts.labelSelector);
      const next = lists[Math.min(calls.lists, lists.length - 1)] ?? [];
      calls.lists++;
      if (next instanceof KubeError) throw next;
      return { items: next, resourceVersion: `${calls.lists}` };
    },
    watch: async (_r: unknown, opts: WatchOptions, onEvent: (e: WatchEvent<Pod>) => void): Promise<void> => {
      calls.watches++;
      const step = watches.shift();
      if (!step) return new Promise<void>((resolve) => opts.signal.addEventListener('abort', () => resolve(), { once: true }));
      return step(opts, onEvent);
    },
  } as unknown as DynamicClient;
  return { client, calls };
}

const pod = (name: string, pclq: string, ready: boolean, rv = '1'): Pod => ({
  metadata: { namespace: 'ns', name, resourceVersion: rv, labels: { 'grove.io/podclique': pclq, 'grove.io/podgang': 'w-0' } },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});
const log = pino({ level: 'silent' });
const base = { namespace: 'ns', gang: 'w-0', parents: [{ podClique: 'w-0-a', minAvailable: 2 }], log, minBackoffMs: 1, maxBackoffMs: 5 };

describe('waitForParents', () => {
  it('ends right after the first list when the parents are ready already', async () => {
    const { client, calls } = scripted([[pod('a1', 'w-0-a', true), pod('a2', 'w-0-a', true)]], []);
    const r = await waitForParents(client, { ...base, timeoutMs: undefined });
    expect(r.outcome).toBe('ready');
    expect(calls).toEqual({ lists: 1, watches: 0, selectors: ['grove.io/podgang=w-0,grove.io/podclique in (w-0-a)'] });
  });

  it('keeps waiting through a dropped watch and finishes on the event after the reconnect', async () => {
    const { client, calls } = scripted(
      [[pod('a1', 'w-0-a', true), pod('a2', 'w-0-a', false)]],
      [
        async () => {
          throw new KubeError('Transient', 0, 'watch: connection reset', undefined, undefined);
        },
        async (_o, emit) => {
          emit({ type: 'MODIFIED', object: pod('a2', 'w-0-a', true, '7') });
        },
      ],
    );
    const seen: string[] = [];
    const r = await waitForParents(client, { ...base, timeoutMs: 10_000, onProgress: (p) => seen.push(p.parents.map((x) => x.ready).join()) });
    expect(r.outcome).toBe('ready');
    expect(calls.watches).toBe(2);
    expect(seen).toEqual(['1', '2']);
  });

  it('a list the API refuses is retried; if the timeout passes first, the last error is reported', async () => {
    const forbidden = new KubeError('Forbidden', 403, 'Forbidden (403): pods is forbidden: User "system:serviceaccount:ns:w" cannot list resource "pods"', undefined, undefined);
    const { client, calls } = scripted([forbidden], []);
    const r = await waitForParents(client, { ...base, timeoutMs: 100 });
    expect(r).toMatchObject({ outcome: 'timeout', lastError: forbidden.message, progress: { done: false } });
    expect(calls.lists).toBeGreaterThan(1);
  });

  it('times out with the parents still short of their minimum', async () => {
    const { client } = scripted([[pod('a1', 'w-0-a', true)]], []);
    const r = await waitForParents(client, { ...base, timeoutMs: 50 });
    expect(r.outcome).toBe('timeout');
    expect(r.progress.waitingFor).toEqual([{ podClique: 'w-0-a', minAvailable: 2, ready: 1 }]);
  });
});

describe('runInitc: what it cannot run without', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const run = async (files: Record<string, string>, extra: string[] = [], env: NodeJS.ProcessEnv = {}) => {
    dir = mkdtempSync(join(tmpdir(), 'initc-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const err: string[] = [];
    const o = parseInitcArgs(['--podcliques=w-0-a:1', `--pod-info-dir=${dir}`, `--service-account-dir=${dir}`, `--termination-log=${join(dir, 'termination-log')}`, ...extra]);
    const code = await runInitc(o, env, { out: () => undefined, err: (l) => err.push(l) });
    return { code, err: err.join('\n'), log: readFileSync(join(dir, 'termination-log'), 'utf8').trim() };
  };

  it('a missing downward-API file exits 1 naming the file, also in the termination log', async () => {
    const r = await run({ namespace: 'ns\n' }, ['--server=https://127.0.0.1:1']);
    expect(r.code).toBe(EXIT.failed);
    expect(r.err).toMatch(/^copse initc: cannot read the PodGang name \(label grove\.io\/podgang\) from .*\/podgangname: ENOENT/);
    expect(r.log).toBe(r.err);
  });

  it('an empty gang file exits 1: the pod has no grove.io/podgang label', async () => {
    const r = await run({ namespace: 'ns', podgangname: '' }, ['--server=https://127.0.0.1:1']);
    expect(r).toMatchObject({ code: EXIT.failed });
    expect(r.err).toMatch(/podgangname is empty; it must hold the PodGang name/);
  });

  it('without --server or the in-cluster variables it exits 1 saying so', async () => {
    const r = await run({ namespace: 'ns', podgangname: 'w-0', token: 't', 'ca.crt': 'x' });
    expect(r).toEqual({ code: EXIT.failed, err: 'copse initc: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set; pass --server', log: 'copse initc: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set; pass --server' });
  });

  it('a missing token exits 1 naming it', async () => {
    const r = await run({ namespace: 'ns', podgangname: 'w-0' }, ['--server=https://127.0.0.1:1']);
    expect(r.code).toBe(EXIT.failed);
    expect(r.err).toMatch(/cannot read the service-account token from .*\/token/);
  });
});
