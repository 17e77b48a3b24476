// copse's aggregated API (live.copse.io) on the real local control plane: through kube-apiserver with
// the pinned kubectl, and straight to the server's port over raw HTTPS. The answers are checked
// against the real objects (pods, nodes, PodGangs) read at the same time, never against constants.
//
// `copse down` is not run here (it would stop the cluster the other files share): the function it
// calls, deregisterLocal, runs against the live kube-apiserver instead, the group is shown gone from
// discovery and a namespace deletion completes, and the APIService is registered again afterwards.
import { loadYaml } from '@kubernetes/client-node';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Node, Pod } from '../../api/core/wire.js';
import type { PodCliqueSet } from '../../api/index.js';
import type { PodCliqueSetView, PlacementView, TopologyDomainView } from '../../api/views/index.js';
import { DEFAULT_API_SERVICE_NAME, deregisterLocal, registerLocal } from '../../apiserver/register.js';
import { APISERVICE_NAME } from '../../apiserver/resources.js';
import { readState } from '../../cluster/local.js';
import { binaryPath } from '../../cluster/upstream.js';
import { RESOURCES } from '../../kube/resources.js';
import { COPSE_NAMESPACE } from '../../webhooks/registry.js';
import { createNamespace, listIn, readyPods, testClient } from '../support/dynamic.js';
import { groveSamplesPresent, podCliqueSetDocs } from '../support/grove-samples.js';
import { eventually, kubectl as kubectlRaw, type KubectlResult } from '../support/kube.js';

const kubeconfig = inject('kubeconfig');
const stateDir = dirname(kubeconfig);
const client = testClient(kubeconfig);
const present = groveSamplesPresent({ suite: 'aggregated API e2e', suites: 1, sub: 'samples' });
const SAMPLE = 'simple1';
const sampleDoc = present ? podCliqueSetDocs('samples').find((s) => (s.doc.metadata as { name?: string }).name === SAMPLE)?.doc : undefined;

// A discovery cache of this file's own: kubectl would otherwise keep answering from ~/.kube/cache.
const cacheDir = mkdtempSync(join(tmpdir(), 'copse-apiserver-e2e-'));
const kubectl = (args: string[], opts: { input?: string } = {}): Promise<KubectlResult> => kubectlRaw(kubeconfig, ['--cache-dir', cacheDir, ...args], opts);

async function ok(args: string[]): Promise<string> {
  const r = await kubectl(args);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

async function json<T>(args: string[]): Promise<T> {
  return JSON.parse(await ok([...args, '-o', 'json'])) as T;
}

/** `kubectl get` table output as rows of cells keyed by header. */
function table(out: string): Record<string, string>[] {
  const lines = out.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0] ?? '';
  // Column starts from the header: kubectl pads every column to its widest cell.
  const starts = [...header.matchAll(/\S+(?: \S+)*/g)].map((m) => ({ name: m[0], at: m.index ?? 0 }));
  return lines.slice(1).map((l) => Object.fromEntries(starts.map((s, i) => [s.name, l.slice(s.at, starts[i + 1]?.at ?? l.length).trim()])));
}

const PART_OF = 'app.kubernetes.io/part-of';
let ns = '';
let cleanup: () => Promise<void> = async () => undefined;
let pods: Pod[] = [];

beforeAll(async () => {
  const created = await createNamespace(client, 'live');
  ns = created.name;
  cleanup = created.cleanup;
  if (!sampleDoc) return;
  await client.create(RESOURCES.podCliqueSets, { ...sampleDoc, metadata: { ...(sampleDoc.metadata as object), namespace: ns } } as unknown as PodCliqueSet);
  pods = await readyPods(client, ns, 9, `${PART_OF}=${SAMPLE}`, 120_000);
});

afterAll(async () => {
  await cleanup();
});

describe('registration and discovery', () => {
  it('the APIService is Available=True', async () => {
    const svc = await client.get(RESOURCES.apiServices, APISERVICE_NAME, undefined);
    expect(svc.spec?.service).toMatchObject({ namespace: COPSE_NAMESPACE, name: DEFAULT_API_SERVICE_NAME, port: readState(stateDir)?.ports.aggregator });
    expect(svc.spec?.caBundle).toBeTruthy();
    expect(svc.status?.conditions?.find((c) => c.type === 'Available')).toMatchObject({ status: 'True', reason: 'Passed' });
  });

  it('kubectl api-resources lists the three resources with short names and kinds', async () => {
    const rows = table(await ok(['api-resources', '--api-group=live.copse.io']));
    expect(rows.map((r) => [r['NAME'], r['SHORTNAMES'], r['APIVERSION'], r['NAMESPACED'], r['KIND']])).toEqual([
      ['placements', 'lpl', 'live.copse.io/v1alpha1', 'true', 'Placement'],
      ['podcliquesets', 'lpcs', 'live.copse.io/v1alpha1', 'true', 'PodCliqueSet'],
      ['topologydomains', 'ltd', 'live.copse.io/v1alpha1', 'false', 'TopologyDomain'],
    ]);
  });

  it('a bare `podcliquesets` still means grove.io; the live view is lpcs', async () => {
    expect((await ok(['get', 'podcliquesets', '-n', ns, '-o', 'name'])).trim()).toBe(`podcliqueset.grove.io/${SAMPLE}`);
    expect((await ok(['get', 'lpcs', '-n', ns, '-o', 'name'])).trim()).toBe(`podcliqueset.live.copse.io/${SAMPLE}`);
  });
});

describe.skipIf(!present)('kubectl answers match the real objects (Grove sample simple1)', () => {
  it('get: Running, every gang ready, the pod count of the real pods', async () => {
    const rows = await eventually('lpcs Running', async () => {
      const r = table(await ok(['get', 'podcliquesets.live.copse.io', '-n', ns]));
      return r[0]?.['PHASE'] === 'Running' ? r : undefined;
    });
    expect(rows).toEqual([{ NAME: SAMPLE, REPLICAS: '1', PHASE: 'Running', GANGS: '1/1', PODS: `${pods.length}/${pods.length}`, BREACHED: '0', AGE: expect.any(String) as string }]);
  });

  it('get -o wide: each Placement names the nodes its pods are bound to', async () => {
    const rows = table(await ok(['get', 'placements.live.copse.io', '-n', ns, '-o', 'wide']));
    const pclqs = (await listIn(client, RESOURCES.podCliques, ns)).map((p) => p.metadata.name ?? '').sort();
    expect(rows.map((r) => r['NAME'])).toEqual(pclqs);
    for (const r of rows) {
      const own = pods.filter((p) => p.metadata?.labels?.['grove.io/podclique'] === r['NAME']);
      const nodes = [...new Set(own.map((p) => p.spec?.nodeName ?? ''))].sort();
      expect(r, r['NAME']).toMatchObject({ PODCLIQUESET: SAMPLE, REPLICA: '0', PLACED: `${own.length}/${own.length}`, NODES: String(nodes.length), GANG: `${SAMPLE}-0`, 'NODE NAMES': nodes.join(',') });
    }
    const wide = table(await ok(['get', 'lpcs', '-n', ns, '-o', 'wide']))[0];
    expect(wide).toMatchObject({ PLACED: '1/1', WAITING: '0', UPDATED: `${pods.length}/${pods.length}`, REASON: '' });
  });

  it('--subresource=status -o yaml: per gang and pod group, counts equal to the real pods and PodGang', async () => {
    const out = await ok(['get', 'podcliquesets.live.copse.io', SAMPLE, '-n', ns, '--subresource=status', '-o', 'yaml']);
    const v = loadYaml<PodCliqueSetView>(out);
    expect(v.kind).toBe('PodCliqueSet');
    expect(v.status.summary).toEqual({ gangs: 1, gangsPlaced: 1, gangsReady: 1, podGroupsBreached: 0, podCliquesWaiting: 0, pods: pods.length, podsPlaced: pods.length, podsReady: pods.length });
    const gang = await client.get(RESOURCES.podGangs, `${SAMPLE}-0`, ns);
    const g = v.status.replicas[0]?.gangs[0];
    expect(g?.name).toBe(gang.metadata.name);
    expect(g?.podGroups.map((p) => [p.name, p.minimum, p.pods, p.placed, p.ready])).toEqual(
      gang.spec.podgroups.map((pg) => {
        const n = pods.filter((p) => p.metadata?.labels?.['grove.io/podclique'] === pg.name).length;
        return [pg.name, pg.minReplicas, n, n, n];
      }),
    );
  });

  it('a Placement reports each node with the domain labels the node really has', async () => {
    const name = `${SAMPLE}-0-pca`;
    const v = await json<PlacementView>(['get', 'lpl', name, '-n', ns]);
    const nodes = new Map((await client.list(RESOURCES.nodes, {})).items.map((n: Node) => [n.metadata?.name ?? '', n]));
    expect(v.status.nodes.length).toBeGreaterThan(0);
    for (const n of v.status.nodes) {
      const labels = nodes.get(n.name)?.metadata?.labels ?? {};
      expect(n.domains).toEqual({ zone: labels['topology.kubernetes.io/zone'], block: labels['topology.copse.io/block'], rack: labels['topology.copse.io/rack'], host: labels['kubernetes.io/hostname'] });
      expect(n.pods).toBe(pods.filter((p) => p.spec?.nodeName === n.name && p.metadata?.labels?.['grove.io/podclique'] === name).length);
    }
  });

  it('a host TopologyDomain counts the pods really bound to that node', async () => {
    const node = pods[0]?.spec?.nodeName ?? '';
    await eventually(`host.${node} pod count`, async () => {
      const all = (await client.list(RESOURCES.pods, { fieldSelector: `spec.nodeName=${node}` })).items.filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
      const v = await json<TopologyDomainView>(['get', 'ltd', `host.${node}`]);
      return v.status.pods === all.length && v.status.gangs.includes(`${ns}/${SAMPLE}-0`) ? v : undefined;
    });
  });

  it('-A lists the namespace with the others; a label selector picks by the PodCliqueSet labels', async () => {
    // Other files' namespaces may be going away meanwhile: compare until two reads agree.
    const all = await eventually('lpcs -A to list every grove.io PodCliqueSet', async () => {
      const rows = table(await ok(['get', 'lpcs', '-A']));
      const grove = (await client.list(RESOURCES.podCliqueSets, {})).items.map((p) => `${p.metadata.namespace}/${p.metadata.name}`).sort();
      return JSON.stringify(rows.map((r) => `${r['NAMESPACE']}/${r['NAME']}`).sort()) === JSON.stringify(grove) ? rows : undefined;
    });
    expect(all.find((r) => r['NAMESPACE'] === ns)).toMatchObject({ NAME: SAMPLE, PHASE: 'Running' });
    expect(table(await ok(['get', 'lpcs', '-n', ns, '-l', `app=${SAMPLE}`])).map((r) => r['NAME'])).toEqual([SAMPLE]);
    const none = await kubectl(['get', 'lpcs', '-n', ns, '-l', 'app=nothing-has-this']);
    expect([none.code, none.stdout, none.stderr.trim()]).toEqual([0, '', `No resources found in ${ns} namespace.`]);
    const racks = table(await ok(['get', 'ltd', '-l', 'live.copse.io/level=rack']));
    expect(racks.length).toBeGreaterThan(0);
    expect(racks.every((r) => r['LEVEL'] === 'rack')).toBe(true);
  });

  it('chunked lists: kubectl --chunk-size=3 shows the same rows as one whole list; raw pages carry continue and remainingItemCount', async () => {
    const names = (out: string) => table(out).map((r) => r['NAME']);
    // Hosts only: their set does not change while other files run (pods move, nodes stay).
    const whole = names(await ok(['get', 'ltd', '-l', 'live.copse.io/level=host', '--chunk-size=0']));
    expect(whole.length).toBeGreaterThan(6);
    expect(names(await ok(['get', 'ltd', '-l', 'live.copse.io/level=host', '--chunk-size=3']))).toEqual(whole);
    // Through kube-apiserver by hand: page by page, every object once, in order.
    const all = JSON.parse(await ok(['get', '--raw', '/apis/live.copse.io/v1alpha1/topologydomains'])) as { items: { metadata: { name: string } }[] };
    const first = JSON.parse(await ok(['get', '--raw', '/apis/live.copse.io/v1alpha1/topologydomains?limit=4'])) as {
      metadata: { continue?: string; remainingItemCount?: number; resourceVersion: string };
      items: { metadata: { name: string } }[];
    };
    expect(first.items.map((i) => i.metadata.name)).toEqual(all.items.slice(0, 4).map((i) => i.metadata.name));
    expect(first.metadata.remainingItemCount).toBe(all.items.length - 4);
    const rest = JSON.parse(await ok(['get', '--raw', `/apis/live.copse.io/v1alpha1/topologydomains?limit=100000&continue=${first.metadata.continue ?? ''}`])) as {
      metadata: { continue?: string; resourceVersion: string };
      items: { metadata: { name: string } }[];
    };
    expect([...first.items, ...rest.items].map((i) => i.metadata.name)).toEqual(all.items.map((i) => i.metadata.name));
    expect([rest.metadata.continue, rest.metadata.resourceVersion]).toEqual([undefined, first.metadata.resourceVersion]);
    const bad = await kubectl(['get', '--raw', `/apis/live.copse.io/v1alpha1/topologydomains?limit=2&continue=${first.metadata.continue ?? ''}&resourceVersion=5`]);
    expect(bad.stderr.trim()).toBe('Error from server (BadRequest): specifying resource version is not allowed when using continue');
  });
});

describe('get -w sees the pods of a new PodCliqueSet become ready', () => {
  it('streams the change from 0 ready to all ready', async () => {
    const watched = await createNamespace(client, 'livew');
    const child = spawn(binaryPath('kubectl'), ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, 'get', 'lpcs', '-n', watched.name, '-w', '-o', 'jsonpath={.metadata.name} {.status.summary.podsReady}/{.status.summary.pods}{"\\n"}']);
    let seen = '';
    child.stdout.on('data', (d: Buffer) => (seen += d.toString('utf8')));
    try {
      // The watch is open before the object exists, so its first event is the view being ADDED.
      await new Promise((r) => setTimeout(r, 1500));
      await client.create(RESOURCES.podCliqueSets, {
        apiVersion: 'grove.io/v1alpha1',
        kind: 'PodCliqueSet',
        metadata: { name: 'watched', namespace: watched.name },
        spec: { replicas: 1, template: { cliques: [{ name: 'w', spec: { roleName: 'w', replicas: 2, podSpec: { containers: [{ name: 'w', image: 'registry.k8s.io/pause:3.10' }] } } }] } },
      } as unknown as PodCliqueSet);
      await eventually('the watch to show 2/2 ready', async () => seen.includes('watched 2/2'), 90_000);
      const lines = seen.trim().split('\n');
      expect(lines[lines.length - 1]).toBe('watched 2/2');
      // It saw the state before the pods were ready, not only the end.
      expect(lines.some((l) => /^watched [01]\/[0-2]$/.test(l))).toBe(true);
    } finally {
      child.kill();
      await watched.cleanup();
    }
  });
});

describe('a gang pending for lack of room', () => {
  it('names the shortfall: 12 nvidia.com/gpu per pod, no node has more than 8', async () => {
    await client.create(RESOURCES.podCliqueSets, {
      apiVersion: 'grove.io/v1alpha1',
      kind: 'PodCliqueSet',
      metadata: { name: 'toobig', namespace: ns },
      spec: {
        replicas: 1,
        template: {
          cliques: [
            {
              name: 'worker',
              spec: {
                roleName: 'worker',
                replicas: 2,
                podSpec: { containers: [{ name: 'w', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '100m', 'nvidia.com/gpu': '12' }, limits: { 'nvidia.com/gpu': '12' } } }] },
              },
            },
          ],
        },
      },
    } as unknown as PodCliqueSet);
    const nodes = (await client.list(RESOURCES.nodes, {})).items.length;
    const v = await eventually('a planner reason on toobig', async () => {
      const out = await ok(['get', 'lpcs', 'toobig', '-n', ns, '--subresource=status', '-o', 'yaml']);
      const view = loadYaml<PodCliqueSetView>(out);
      return view.status.replicas[0]?.gangs[0]?.pending?.reason === 'Unschedulable' ? view : undefined;
    }, 60_000);
    const g = v.status.replicas[0]?.gangs[0];
    expect(v.status.phase).toBe('Pending');
    expect(g?.pending).toEqual({
      reason: 'Unschedulable',
      message: `Pod groups below minReplicas scheduled (scheduled/minReplicas): toobig-0-worker 0/2. podgroup toobig-0-worker needs 2 pods (100m cpu, 12 nvidia.com/gpu each); 0/${nodes} nodes are available: ${nodes} Insufficient nvidia.com/gpu.`,
      unplacedPods: 2,
      unplacedRequests: { cpu: '200m', memory: '0', 'nvidia.com/gpu': '24' },
    });
    // The stored PodGang says the same: the view reads it, it does not invent it.
    const stored = (await client.get(RESOURCES.podGangs, 'toobig-0', ns)).status?.conditions?.find((c) => c.type === 'Scheduled');
    expect(stored?.message).toBe(g?.pending?.message);
    const wide = table(await ok(['get', 'lpcs', 'toobig', '-n', ns, '-o', 'wide']))[0];
    expect(wide).toMatchObject({ PHASE: 'Pending', GANGS: '0/1', PODS: '0/2', PLACED: '0/1', REASON: `toobig-0: Unschedulable: podgroup toobig-0-worker needs 2 pods (100m cpu, 12 nvidia.com/gpu each); 0/${nodes} nodes are available: ${nodes} Insufficient nvidia.com/gpu.` });
  });
});

// ------------------------------------------------------------------------------------------------
// Security

interface RawResponse {
  code: number;
  body: string;
}

function raw(path: string, headers: Record<string, string>, cert?: { cert: Buffer; key: Buffer }, method = 'GET'): Promise<RawResponse> {
  const port = readState(stateDir)?.ports.aggregator ?? 0;
  return new Promise((resolveRaw, reject) => {
    // Loopback to the server's own port; its serving certificate is not what is under test here.
    const req = request({ host: '127.0.0.1', port, path, method, headers, rejectUnauthorized: false, ...(cert ?? {}) }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString('utf8')));
      res.on('end', () => resolveRaw({ code: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const pki = (name: string) => ({ cert: readFileSync(join(stateDir, 'pki', `${name}.crt`)), key: readFileSync(join(stateDir, 'pki', `${name}.key`)) });
const FORGED = { 'X-Remote-User': 'system:admin', 'X-Remote-Group': 'system:masters' };
const UNAUTHORIZED = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 };

describe('security', () => {
  it('a user without RBAC gets 403 with Kubernetes\' message', async () => {
    const r = await kubectl(['get', 'lpcs', '-n', ns, '--as=someone']);
    expect([r.code, r.stderr.trim()]).toEqual([1, `Error from server (Forbidden): podcliquesets.live.copse.io is forbidden: User "someone" cannot list resource "podcliquesets" in API group "live.copse.io" in the namespace "${ns}"`]);
    const s = await kubectl(['get', 'lpcs', SAMPLE, '-n', ns, '--subresource=status', '--as=someone']);
    expect(s.stderr.trim()).toBe(`Error from server (Forbidden): podcliquesets.live.copse.io "${SAMPLE}" is forbidden: User "someone" cannot get resource "podcliquesets/status" in API group "live.copse.io" in the namespace "${ns}"`);
  });

  it('the view ClusterRole (which copse-live-view aggregates into) grants read', async () => {
    await ok(['create', 'rolebinding', 'someone-views', '--clusterrole=view', '--user=someone', '-n', ns]);
    await eventually('someone may list lpcs (the SubjectAccessReview cache expires)', async () => (await kubectl(['get', 'lpcs', '-n', ns, '--as=someone', '-o', 'name'])).code === 0, 30_000);
    expect((await kubectl(['get', 'lpcs', '-n', ns, '--as=someone', '-o', 'name'])).stdout.trim()).toBe(`podcliqueset.live.copse.io/${SAMPLE}\npodcliqueset.live.copse.io/toobig`);
    // Read only: view never grants a write, and a write is refused by authorization first.
    const w = await kubectl(['delete', 'lpcs', SAMPLE, '-n', ns, '--as=someone']);
    expect(w.stderr.trim()).toBe(`Error from server (Forbidden): podcliquesets.live.copse.io "${SAMPLE}" is forbidden: User "someone" cannot delete resource "podcliquesets" in API group "live.copse.io" in the namespace "${ns}"`);
  });

  it('forged X-Remote-* headers without the front-proxy client certificate get 401', async () => {
    const path = '/apis/live.copse.io/v1alpha1/podcliquesets';
    const none = await raw(path, FORGED);
    expect([none.code, JSON.parse(none.body)]).toEqual([401, UNAUTHORIZED]);
    // A client certificate from the cluster CA (kubectl's admin) is not the front proxy's either.
    const admin = await raw(path, FORGED, pki('admin'));
    expect([admin.code, JSON.parse(admin.body)]).toEqual([401, UNAUTHORIZED]);
    // The control: the front-proxy certificate with the same headers is believed.
    const proxied = await raw(path, FORGED, pki('front-proxy-client'));
    expect(proxied.code).toBe(200);
    expect((JSON.parse(proxied.body) as { kind: string }).kind).toBe('PodCliqueSetList');
  });

  it('every write verb gets 405, through kubectl and straight to the server', async () => {
    const create = await kubectl(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'live.copse.io/v1alpha1', kind: 'PodCliqueSet', metadata: { name: 'x', namespace: ns }, spec: {} }) });
    expect(create.stderr.trim()).toBe('Error from server (MethodNotAllowed): error when creating "STDIN": create is not supported on resources of kind "podcliquesets.live.copse.io"');
    const del = await kubectl(['delete', 'lpcs', SAMPLE, '-n', ns]);
    expect(del.stderr.trim()).toBe('Error from server (MethodNotAllowed): delete is not supported on resources of kind "podcliquesets.live.copse.io"');
    const patch = await kubectl(['patch', 'lpcs', SAMPLE, '-n', ns, '--type=merge', '-p', '{"spec":{"replicas":3}}']);
    expect(patch.stderr.trim()).toBe('Error from server (MethodNotAllowed): patch is not supported on resources of kind "podcliquesets.live.copse.io"');
    const label = await kubectl(['label', 'ltd', '-l', 'live.copse.io/level=zone', 'x=y']);
    expect(label.stderr.trim()).toMatch(/^Error from server \(MethodNotAllowed\): patch is not supported on resources of kind "topologydomains.live.copse.io"/);
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const r = await raw(`/apis/live.copse.io/v1alpha1/namespaces/${ns}/podcliquesets/${SAMPLE}`, FORGED, pki('front-proxy-client'), method);
      expect([method, r.code, (JSON.parse(r.body) as { reason: string }).reason]).toEqual([method, 405, 'MethodNotAllowed']);
    }
  });

  it('malformed paths and query strings get Status errors, and the server keeps serving', async () => {
    const base = `/apis/live.copse.io/v1alpha1/namespaces/${ns}/podcliquesets`;
    const cases: [string, number, string][] = [
      [`${base}?labelSelector=a%3D%3D%3D`, 400, 'unable to parse requirement: expected a value, found "="'],
      [`${base}?fieldSelector=spec.replicas%3D1`, 400, 'field label not supported: "spec.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"'],
      [`${base}?watch=maybe`, 400, 'invalid value for query parameter watch: "maybe" is not a boolean'],
      [`${base}?timeoutSeconds=-5`, 400, 'invalid value for query parameter timeoutSeconds: "-5" is not a non-negative integer'],
      [`${base}/%E0%A4%A`, 400, 'invalid path segment "%E0%A4%A": malformed percent-encoding'],
      [`${base}/${SAMPLE}/scale`, 404, 'the server could not find the requested resource'],
      [`${base}/nope`, 404, 'podcliquesets.live.copse.io "nope" not found'],
      ['/apis/live.copse.io/v1alpha1/namespaces/x/topologydomains', 404, 'the server could not find the requested resource'],
    ];
    for (const [path, code, message] of cases) {
      const r = await raw(path, FORGED, pki('front-proxy-client'));
      const status = JSON.parse(r.body) as { kind: string; code: number; message: string };
      expect([path, r.code, status.kind, status.code, status.message]).toEqual([path, code, 'Status', code, message]);
    }
    // A watch from a version that is not this server's: an ERROR event carrying 410, so clients relist.
    const w = await raw(`${base}?watch=1&resourceVersion=junk`, FORGED, pki('front-proxy-client'));
    const event = JSON.parse(w.body) as { type: string; object: { code: number; reason: string; message: string } };
    expect([w.code, event.type, event.object.code, event.object.reason]).toEqual([200, 'ERROR', 410, 'Expired']);
    expect(event.object.message).toMatch(/^too old resource version: junk \(current: \d+\)$/);
    // The same through kube-apiserver, as kubectl shows it.
    const bad = await kubectl(['get', '--raw', `${base}?labelSelector=a%3D%3D%3D`]);
    expect(bad.stderr.trim()).toBe('Error from server (BadRequest): unable to parse requirement: expected a value, found "="');
    expect(table(await ok(['get', 'lpcs', '-n', ns])).map((r) => r['NAME'])).toEqual([SAMPLE, 'toobig']);
    expect((await raw('/readyz', {})).code).toBe(200);
  });
});

describe('copse down removes the APIService (deregisterLocal against the live kube-apiserver)', () => {
  it('the group leaves discovery, a namespace deletion completes, and registering again makes it Available', async () => {
    const before = await client.get(RESOURCES.apiServices, APISERVICE_NAME, undefined);
    const port = before.spec?.service?.port ?? 0;
    const caBundle = before.spec?.caBundle ?? '';
    try {
      await deregisterLocal(client, COPSE_NAMESPACE, DEFAULT_API_SERVICE_NAME);
      await eventually('live.copse.io gone from discovery', async () => {
        const groups = JSON.parse(await ok(['get', '--raw', '/apis'])) as { groups: { name: string }[] };
        return !groups.groups.some((g) => g.name === 'live.copse.io');
      });
      const fresh = mkdtempSync(join(tmpdir(), 'copse-apiserver-e2e-'));
      const r = await kubectlRaw(kubeconfig, ['--cache-dir', fresh, 'api-resources', '--api-group=live.copse.io']);
      expect([r.code, r.stdout.trim()]).toEqual([0, 'NAME   SHORTNAMES   APIVERSION   NAMESPACED   KIND']);
      const gone = await createNamespace(client, 'livedel');
      await gone.cleanup();
      await eventually('the namespace deletion to complete', async () => !(await client.list(RESOURCES.namespaces, {})).items.some((n) => n.metadata?.name === gone.name), 60_000);
      // A second removal (copse down after the server removed it on SIGTERM) is not an error.
      await deregisterLocal(client, COPSE_NAMESPACE, DEFAULT_API_SERVICE_NAME);
    } finally {
      await registerLocal(client, { namespace: COPSE_NAMESPACE, service: DEFAULT_API_SERVICE_NAME, port, caBundle });
    }
    await eventually('the APIService Available again', async () => {
      const svc = await client.get(RESOURCES.apiServices, APISERVICE_NAME, undefined);
      return svc.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True');
    }, 60_000);
    expect(table(await ok(['get', 'lpcs', '-n', ns])).map((r) => r['NAME'])).toEqual([SAMPLE, 'toobig']);
  });
});
