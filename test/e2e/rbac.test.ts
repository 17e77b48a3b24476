// copse's server under its own ServiceAccount's RBAC, and nothing else: on a throwaway control plane
// in native workload-scheduling mode (its own state directory, like install.test.ts, so the suite's
// cluster and its `copse up` server are left alone), the install RBAC is applied, a TokenRequest gives
// a token of copse-system/copse, and `copse serve` runs with a kubeconfig holding only that token:
// webhooks and certificate sync, the aggregated API, leader election, every controller, gang
// placement and the native backend. Grove samples then go through create, scale out, scale in and
// delete, with exact names and counts after each step, and the server must never have been answered
// 403. The cluster runs OwnerReferencesPermissionEnforcement, so the `<owner>/finalizers` grants are
// exercised too.
//
// The admin kubeconfig does only what an installer does: CRDs, RBAC, the webhook configurations and
// the APIService (pointing at this server's loopback ports instead of a Service), and the test's own
// reads and kubectl calls.
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PodCliqueSet } from '../../api/index.js';
import { LABEL_PART_OF } from '../../api/keys.js';
import { ANNOTATION_BACKEND, LABEL_NATIVE_PODGANG } from '../../api/native/index.js';
import { DEFAULT_API_SERVICE_NAME, registerLocal } from '../../apiserver/register.js';
import { APISERVICE_NAME } from '../../apiserver/resources.js';
import { installCopse, manifestObjects } from '../../cli/install.js';
import { SERVICE_ACCOUNT } from '../../cli/manifests.js';
import { ensureLocalTopology } from '../../cli/stack.js';
import { ANNOTATION_INITC_EXIT_CODE } from '../../cluster/initc-plan.js';
import { down, up, type LocalCluster } from '../../cluster/local.js';
import { repoRoot } from '../../cluster/paths.js';
import { LEADER_LEASE_NAME } from '../../controllers/permissions.js';
import type { DynamicClient, ObjectLike } from '../../kube/dynamic.js';
import { RESOURCES, type Resource, resourcePath } from '../../kube/resources.js';
import { NATIVE_RESOURCES } from '../../scheduler/native/resources.js';
import { COPSE_NAMESPACE, webhookConfigurations } from '../../webhooks/registry.js';
import { createNamespace, gone, listIn, namesOf, testClient } from '../support/dynamic.js';
import { groveSamplesPresent, podCliqueSetDocs } from '../support/grove-samples.js';
import { eventually, kubectl } from '../support/kube.js';
import { type SecondServer, freePort, metrics, sample, startSecondServer } from '../support/servers.js';
import { type Shape, converged, observe } from '../support/workloads.js';

/** A log line of a refusal: Forbidden, Unauthorized, or a 401/403 status code (not any "403", such as a duration of 0.403 ms). */
const DENIED_LOG = /forbidden|unauthorized|(code|status)\\?"?\s*[:=]\s*40[13]\b/i;

const present = groveSamplesPresent({ suite: 'RBAC: copse under its ServiceAccount', suites: 1, sub: 'samples' });
const quiet = () => {};
// A control plane to start, then several convergences on a shared, busy machine.
const TEST_MS = 10 * 60_000;
const RBAC_KINDS = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);

const stateDir = mkdtempSync(join(tmpdir(), 'copse-rbac-'));
const kcDir = mkdtempSync(join(tmpdir(), 'copse-rbac-kc-'));
let cluster: LocalCluster;
let admin: DynamicClient;
let server: SecondServer | undefined;
let ns = '';

/** A token of copse's ServiceAccount (TokenRequest, one hour). */
async function serviceAccountToken(client: DynamicClient): Promise<string> {
  const res = await client.http.request({
    method: 'POST',
    path: resourcePath(RESOURCES.serviceAccounts, { namespace: SERVICE_ACCOUNT.namespace, name: SERVICE_ACCOUNT.name, subresource: 'token' }),
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
  });
  const token = (res.body as { status?: { token?: string } }).status?.token;
  if (!token) throw new Error('TokenRequest returned no token');
  return token;
}

/** The admin kubeconfig with its client certificate replaced by `token`: same server, same CA. */
function tokenKubeconfig(adminKubeconfig: string, token: string): string {
  const text = readFileSync(adminKubeconfig, 'utf8').replace(/ {4}client-certificate-data: \S+\n {4}client-key-data: \S+\n/, `    token: ${token}\n`);
  if (!text.includes(`token: ${token}`)) throw new Error('the admin kubeconfig has no client certificate to replace');
  const path = join(kcDir, 'copse-sa.kubeconfig');
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}

beforeAll(async () => {
  if (!present) return;
  cluster = await up({ stateDir, shape: { nodes: 4 }, workloadScheduling: 'native', log: quiet });
  admin = testClient(cluster.kubeconfig);
  // What an in-cluster install applies, minus the Deployment: CRDs, namespace and every RBAC object.
  await installCopse(admin, 'local', quiet);
  for (const o of manifestObjects(join(repoRoot(), 'manifests/install/apiserver.yaml'))) if (RBAC_KINDS.has(o.kind ?? '')) await admin.applyManifest(o);
  // The webhook configurations and APIService an install makes, at this server's loopback ports, without caBundles.
  const port = await freePort();
  const apiPort = await freePort();
  for (const cfg of webhookConfigurations({ url: `https://127.0.0.1:${port}` })) await admin.applyManifest(cfg);
  await registerLocal(admin, { namespace: COPSE_NAMESPACE, service: DEFAULT_API_SERVICE_NAME, port: apiPort });
  const kubeconfig = tokenKubeconfig(cluster.kubeconfig, await serviceAccountToken(admin));
  server = await startSecondServer(kubeconfig, ['--controllers=true', '--native-scheduling=auto', `--api-bind-address=127.0.0.1:${apiPort}`, '--resync-interval=5'], {
    port,
    // Debug: event-recording failures are logged only at this level.
    env: { COPSE_LOG_LEVEL: 'debug' },
  });
  // Certificate sync (as copse's ServiceAccount) injects its CA into the configurations and the APIService.
  await eventually(
    'caBundles injected and live.copse.io Available',
    async () => {
      const cfg = await admin.get(RESOURCES.validatingWebhookConfigurations, 'podcliqueset-validating-webhook');
      const api = await admin.get(RESOURCES.apiServices, APISERVICE_NAME);
      return Boolean(cfg.webhooks?.every((w) => w.clientConfig.caBundle)) && (api.status?.conditions ?? []).some((c) => c.type === 'Available' && c.status === 'True');
    },
    120_000,
    500,
  );
  await ensureLocalTopology(admin, quiet);
  ns = (await createNamespace(admin, 'rbac')).name;
}, 600_000);

afterAll(async () => {
  await server?.stop();
  if (present) await down({ stateDir, purge: true, log: quiet });
  rmSync(kcDir, { recursive: true, force: true });
});

function sampleDoc(name: string): PodCliqueSet {
  const doc = podCliqueSetDocs('samples').find((d) => (d.doc.metadata as { name?: string } | undefined)?.name === name);
  if (!doc) throw new Error(`Grove sample ${name} not found`);
  const pcs = structuredClone(doc.doc) as unknown as PodCliqueSet;
  return { ...pcs, metadata: { ...pcs.metadata, namespace: ns } };
}

/** Grove's simple1: standalone pca (3) and pcd (2), scaling group sga of pcb and pcc (2 each), HPAs on pca and sga. */
function simple1(replicas: number, groups: number[], overrides: Record<string, number> = {}): Shape {
  return {
    pcs: 'simple1',
    replicas,
    cliques: { pca: { replicas: 3, minAvailable: 3 }, pcb: { replicas: 2, minAvailable: 2 }, pcc: { replicas: 2, minAvailable: 2 }, pcd: { replicas: 2, minAvailable: 2 } },
    standalone: ['pca', 'pcd'],
    groups: [{ name: 'sga', cliqueNames: ['pcb', 'pcc'], minAvailable: 1, replicas: groups }],
    overrides,
  };
}

/** Grove's simple2: four standalone cliques started in order (pcb and pcc after pca, pcd after both). */
const SIMPLE2: Shape = {
  pcs: 'simple2',
  replicas: 1,
  cliques: { pca: { replicas: 3, minAvailable: 3 }, pcb: { replicas: 2, minAvailable: 2 }, pcc: { replicas: 2, minAvailable: 2 }, pcd: { replicas: 2, minAvailable: 2 } },
  standalone: ['pca', 'pcb', 'pcc', 'pcd'],
  groups: [],
};

async function scale(resource: string, name: string, replicas: number): Promise<void> {
  const r = await kubectl(cluster.kubeconfig, ['-n', ns, 'scale', resource, name, `--replicas=${replicas}`]);
  expect(r.code, r.stderr).toBe(0);
}

const names = async <T extends ObjectLike>(r: Resource<T>, selector?: string): Promise<string[]> => namesOf(await listIn(admin, r, ns, selector));

describe.skipIf(!present)('copse serve with only the copse ServiceAccount’s RBAC', { timeout: TEST_MS }, () => {
  it('leads, syncs every informer and probes native scheduling under its own identity', async () => {
    // Leader election starts once the caches are synced, a moment after /readyz.
    await eventually('the server to lead', async () => sample(await metrics(server?.metricsPort ?? 0), 'copse_leader', { lease: LEADER_LEASE_NAME }) === 1, 60_000, 500);
    const lease = await admin.get(RESOURCES.leases, LEADER_LEASE_NAME, COPSE_NAMESPACE);
    expect(lease.spec?.holderIdentity).toContain(`_${server?.pid ?? 0}_`);
    const probe = server?.logLines().find((l) => l['component'] === 'native' && typeof l['native'] === 'boolean');
    expect(probe?.['native']).toBe(true);
  });

  it('turns simple1 (native gangs) and simple2 (preferred packing: the extender, startup order) into exactly Grove’s graphs', async () => {
    await admin.create(RESOURCES.podCliqueSets, sampleDoc('simple1'));
    // Preferred packing is the one change to the sample: native cannot express it, so placement does it.
    const s2 = sampleDoc('simple2');
    s2.spec.template.topologyConstraint = { topologyName: 'grove-topology', pack: { preferred: 'rack' } };
    await admin.create(RESOURCES.podCliqueSets, s2);
    await converged(admin, ns, simple1(1, [1]), 300_000);
    await converged(admin, ns, SIMPLE2, 300_000);

    const gangs = await listIn(admin, RESOURCES.podGangs, ns);
    expect(gangs.map((g) => `${g.metadata.name ?? ''}=${g.metadata.annotations?.[ANNOTATION_BACKEND] ?? ''}`).sort()).toEqual(['simple1-0=native', 'simple2-0=extender']);
    expect(await names(NATIVE_RESOURCES.workloads)).toEqual(['simple1-0']);
    expect(await names(NATIVE_RESOURCES.podGroups, `${LABEL_NATIVE_PODGANG}=simple1-0`)).toEqual(['simple1-0-pca', 'simple1-0-pcd', 'simple1-0-sga-0-pcb', 'simple1-0-sga-0-pcc']);
    // The init container's identity, which copse could create only holding what its Role grants.
    for (const pcs of ['simple1', 'simple2']) {
      const sel = `${LABEL_PART_OF}=${pcs}`;
      expect(await names(RESOURCES.serviceAccounts, sel)).toEqual([pcs]);
      expect(await names(RESOURCES.roles, sel)).toEqual([`grove.io:pcs:${pcs}`]);
      expect(await names(RESOURCES.roleBindings, sel)).toEqual([`grove.io:pcs:${pcs}`]);
      expect(await names(RESOURCES.secrets, sel)).toEqual([`${pcs}-ic-sat`]);
    }
    expect(await names(RESOURCES.hpas, `${LABEL_PART_OF}=simple1`)).toEqual(['simple1-0-pca', 'simple1-0-sga']);
    // simple2's waiting cliques ran `copse initc` with that identity, and it let them start.
    const waited = (await observe(admin, ns, 'simple2')).pods.filter((p) => !p.metadata?.name?.startsWith('simple2-0-pca-'));
    expect(waited.map((p) => p.metadata?.annotations?.[ANNOTATION_INITC_EXIT_CODE])).toEqual(Array<string>(6).fill('0'));
    // The aggregated API authorizes through copse's SubjectAccessReviews.
    const live = await kubectl(cluster.kubeconfig, ['-n', ns, 'get', 'podcliquesets.live.copse.io', '-o', 'name']);
    expect(live.stdout.trim().split('\n').sort(), live.stderr).toEqual(['podcliqueset.live.copse.io/simple1', 'podcliqueset.live.copse.io/simple2']);
  });

  it('scales out a PodClique, a scaling group and the PodCliqueSet (a scaled native gang, a second replica)', async () => {
    await scale('podclique', 'simple1-0-pcd', 3);
    await scale('podcliquescalinggroup', 'simple1-0-sga', 2);
    await scale('podcliqueset', 'simple1', 2);
    await converged(admin, ns, simple1(2, [2, 1], { 'simple1-0-pcd': 3 }), 300_000);
    expect(await names(NATIVE_RESOURCES.workloads)).toEqual(['simple1-0', 'simple1-0-sga-0', 'simple1-1']);
    expect(await names(RESOURCES.hpas, `${LABEL_PART_OF}=simple1`)).toEqual(['simple1-0-pca', 'simple1-0-sga', 'simple1-1-pca', 'simple1-1-sga']);
  });

  it('scales in the PodCliqueSet, the scaling group and a PodClique', async () => {
    await scale('podcliqueset', 'simple1', 1);
    await scale('podcliquescalinggroup', 'simple1-0-sga', 1);
    await scale('podclique', 'simple1-0-pcd', 2);
    await converged(admin, ns, simple1(1, [1]), 300_000);
    await eventually('the scaled native gang and replica 1 to be gone', async () => JSON.stringify(await names(NATIVE_RESOURCES.workloads)) === '["simple1-0"]', 120_000, 500);
    expect(await names(RESOURCES.hpas, `${LABEL_PART_OF}=simple1`)).toEqual(['simple1-0-pca', 'simple1-0-sga']);
  });

  it('deletes everything it made when the PodCliqueSets go', async () => {
    for (const pcs of ['simple1', 'simple2']) await admin.delete(RESOURCES.podCliqueSets, pcs, ns);
    // The finalizers copse removes, then its children (pods by copse, the rest by garbage collection).
    await eventually('the PodCliqueSets to be gone', async () => (await listIn(admin, RESOURCES.podCliqueSets, ns)).length === 0, 180_000, 500);
    for (const pcs of ['simple1', 'simple2']) {
      const sel = `${LABEL_PART_OF}=${pcs}`;
      for (const r of [RESOURCES.pods, RESOURCES.podCliques, RESOURCES.podCliqueScalingGroups, RESOURCES.podGangs, RESOURCES.services, RESOURCES.hpas, RESOURCES.serviceAccounts, RESOURCES.roles, RESOURCES.roleBindings, RESOURCES.secrets]) {
        await gone(admin, r, ns, sel, 180_000);
      }
    }
    // kube-controller-manager releases the PodGroups' protection finalizer after their pods are gone.
    await eventually('the PodGroups to be gone', async () => (await names(NATIVE_RESOURCES.podGroups)).length === 0, 180_000, 500);
  });

  it('was never answered 403 (nor 401), by its own count and in its logs', async () => {
    const m = await metrics(server?.metricsPort ?? 0);
    const count = (code: string) => sample(m, 'copse_kube_request_duration_seconds_count', { code });
    expect({ 401: count('401'), 403: count('403') }).toEqual({ 401: 0, 403: 0 });
    // The count is real: it saw the writes above.
    expect(count('201')).toBeGreaterThan(50);
    for (const controller of ['podcliqueset', 'podclique', 'podcliquescalinggroup', 'podgang', 'placement', 'native-gang']) {
      expect(sample(m, 'copse_reconcile_duration_seconds_count', { controller }), controller).toBeGreaterThan(0);
    }
    // A refusal shows as Forbidden/Unauthorized or as a 401/403 code; a bare "403" also matched a duration
    // such as "durationMs":0.403 and failed a full run.
    const denied = (server?.logLines() ?? []).filter((l) => DENIED_LOG.test(JSON.stringify(l))).map((l) => JSON.stringify(l).slice(0, 400));
    expect(denied).toEqual([]);
  });
});
