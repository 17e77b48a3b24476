// Two copse servers against one cluster, on the real local control plane:
// - a stalled watch: a second server reaches kube-apiserver through a loopback TCP proxy whose open
//   connections are then frozen (bytes dropped both ways, nothing closed: a half-open connection).
//   Pods created meanwhile reach that server's cache only because the stall watchdog
//   (--watch-stall-seconds) aborts the silent watch and the informer relists on a new connection;
//   without it the frozen watch would wait forever;
// - leader election: with the `copse up` server and a second `copse serve --controllers=true`, only
//   the Lease holder reconciles; kill -9 of the leader hands the Lease over once it expires, and
//   the new leader converges a change made meanwhile. Both serve admission throughout.
import { randomUUID } from 'node:crypto';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Lease, Pod } from '../../api/core/wire.js';
import { SERVER_PROCESS, upStack } from '../../cli/stack.js';
import { readState } from '../../cluster/local.js';
import { stateDir } from '../../cluster/paths.js';
import { isRunning, readRecord } from '../../cluster/processes.js';
import { RESOURCES } from '../../kube/resources.js';
import { clique, PAUSE_IMAGE, pcsCreateReview, podCliqueSet } from '../support/admission.js';
import { createNamespace, listIn, testClient } from '../support/dynamic.js';
import { eventually, kubectl } from '../support/kube.js';
import { type Shape, converged } from '../support/workloads.js';
import { type SecondServer, freezableProxy, kubeconfigVia, metrics, sample, startSecondServer } from '../support/servers.js';

const kubeconfig = inject('kubeconfig');
const client = testClient(kubeconfig);
// Server start-ups, a Lease expiry and two convergences on a shared, busy machine.
const TEST_MS = 15 * 60_000;
const LEASE = 'copse-controller-leader';
const LEASE_NS = 'copse-system';

let ns: { name: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  ns = await createNamespace(client, 'ctl-ha');
});

afterAll(async () => {
  await upStack({ log: () => {} });
  await ns?.cleanup();
});

function mainMetricsPort(): number {
  const s = readState(stateDir());
  if (!s) throw new Error('no local cluster state');
  return s.ports.metrics;
}

function mainServerPid(): number {
  const rec = readRecord(stateDir(), SERVER_PROCESS);
  if (!rec || !isRunning(rec)) throw new Error('the copse server is not running');
  return rec.pid;
}

const holder = async (): Promise<string> => (await client.get<Lease>(RESOURCES.leases, LEASE, LEASE_NS)).spec?.holderIdentity ?? '';
const heldBy = (pid: number) => (identity: string) => identity.includes(`_${pid}_`);

const pod = (name: string): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns.name, labels: { 'copse.io/test': 'stall' } },
  spec: { containers: [{ name: 'main', image: PAUSE_IMAGE }], schedulingGates: [{ name: 'copse.io/test-never' }] },
});

describe('a stalled watch', { timeout: TEST_MS }, () => {
  let server: SecondServer | undefined;
  let proxy: Awaited<ReturnType<typeof freezableProxy>> | undefined;
  let kc: ReturnType<typeof kubeconfigVia> | undefined;

  afterAll(async () => {
    await server?.stop();
    await proxy?.close();
    kc?.cleanup();
  });

  it('is aborted by the watchdog and the cache catches up by relisting on a new connection', async () => {
    const apiserverPort = inject('apiserverPort');
    proxy = await freezableProxy(apiserverPort);
    kc = kubeconfigVia(kubeconfig, proxy.port);
    // A standby (the `copse up` server leads): it only watches, it never writes.
    server = await startSecondServer(kc.path, ['--controllers=true', '--watch-stall-seconds=8']);
    const pods = async () => (await listIn(client, RESOURCES.pods, ns.name, 'copse.io/test=stall')).length;
    const cached = async () => sample(await metrics(server?.metricsPort ?? 0), 'copse_informer_objects', { resource: 'pods' });
    const clusterPods = async () => (await client.list(RESOURCES.pods)).items.length;
    // The manager publishes cache sizes every 10 s.
    await eventually('the second server to cache every pod', async () => (await cached()) === (await clusterPods()), 120_000, 1000);

    const before = await metrics(server.metricsPort);
    const stallsBefore = sample(before, 'copse_informer_watch_stalls_total', { resource: 'pods' });
    const relistsBefore = sample(before, 'copse_informer_relists_total', { resource: 'pods' });
    const frozenAt = Date.now();
    const frozen = proxy.freeze();
    expect(frozen).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) await client.create(RESOURCES.pods, pod(`stall-${i}-${randomUUID().slice(0, 6)}`));
    expect(await pods()).toBe(5);

    // The outcome, proved without racing other namespaces' churn: the pods informer gave up its silent
    // watch after the freeze, and a relist (a consistent read) then completed and replaced its cache.
    // The stall may come before the last create returns on a loaded machine (five creates can take
    // longer than the 8 s watchdog); the pods the relist missed then arrive on the new, live watch.
    const podStalls = () =>
      server?.logLines().filter((l) => l['msg'] === 'watch stalled; relisting' && l['informer'] === 'pods' && Date.parse(String(l['time'])) >= frozenAt) ?? [];
    await eventually('the pods watch to be declared stalled after the freeze', async () => podStalls().length > 0, 120_000, 500);
    await eventually(
      'a relist of pods to complete after the stall',
      async () => sample(await metrics(server?.metricsPort ?? 0), 'copse_informer_relists_total', { resource: 'pods' }) > relistsBefore,
      120_000,
      1000,
    );
    const after = await metrics(server.metricsPort);
    expect(sample(after, 'copse_informer_watch_stalls_total', { resource: 'pods' })).toBeGreaterThan(stallsBefore);
    // The frozen connections were given up by the client (the watchdog), never by the proxy.
    expect(proxy.frozenClosedByClient()).toBeGreaterThan(0);
  });
});

/** An AdmissionReview for a PodCliqueSet whose minAvailable exceeds its replicas. */
function invalidReview(): string {
  return pcsCreateReview(podCliqueSet('bad', [clique('a', { minAvailable: 2 })]), 'x', 'test');
}

/** The message with which the webhook server on `port` denies invalidReview() (TLS unchecked: loopback, the test is about serving). */
function denial(port: number): Promise<string> {
  return new Promise((resolveDenial, reject) => {
    const body = invalidReview();
    const req = request(
      { host: '127.0.0.1', port, path: '/webhooks/validate-podcliqueset?timeout=10s', method: 'POST', rejectUnauthorized: false, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString('utf8')));
        res.on('end', () => {
          const r = JSON.parse(text) as { response?: { allowed?: boolean; status?: { message?: string } } };
          resolveDenial(r.response?.allowed === false ? (r.response.status?.message ?? '') : `allowed: ${text}`);
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const DENIED = 'spec.template.cliques[0].spec.minAvailable: Invalid value: 2: minAvailable must not be greater than replicas';

function oneClique(replicas: number): Shape {
  return { pcs: 'ha', replicas, cliques: { main: { replicas: 2, minAvailable: 2 } }, standalone: ['main'], groups: [] };
}

describe('leader election between two copse servers', { timeout: TEST_MS }, () => {
  let second: SecondServer | undefined;

  afterAll(async () => {
    await second?.stop();
  });

  it('only the Lease holder reconciles; kill -9 of it hands over and the new leader converges a change made meanwhile', async () => {
    const first = mainServerPid();
    second = await startSecondServer(kubeconfig, ['--controllers=true']);
    expect(heldBy(first)(await holder())).toBe(true);

    await client.create(RESOURCES.podCliqueSets, {
      apiVersion: 'grove.io/v1alpha1',
      kind: 'PodCliqueSet',
      metadata: { name: 'ha', namespace: ns.name },
      spec: { replicas: 1, template: { cliques: [{ name: 'main', spec: { roleName: 'main', replicas: 2, minAvailable: 2, podSpec: { containers: [{ name: 'main', image: PAUSE_IMAGE }] } } }] } },
    });
    await converged(client, ns.name, oneClique(1), 180_000);
    const standby = await metrics(second.metricsPort);
    const leader = await metrics(mainMetricsPort());
    expect(sample(standby, 'copse_leader', { lease: LEASE })).toBe(0);
    expect(sample(standby, 'copse_reconcile_duration_seconds_count')).toBe(0);
    expect(sample(leader, 'copse_leader', { lease: LEASE })).toBe(1);
    expect(sample(leader, 'copse_reconcile_duration_seconds_count', { controller: 'podcliqueset' })).toBeGreaterThan(0);
    // Both serve admission: the first through kube-apiserver, the second directly.
    const viaApiserver = await kubectl(kubeconfig, ['apply', '-f', '-'], { input: invalidReviewObject(ns.name) });
    expect(viaApiserver.stderr).toContain(DENIED);
    expect(await denial(second.port)).toContain(DENIED);

    const lease = await client.get<Lease>(RESOURCES.leases, LEASE, LEASE_NS);
    process.kill(first, 'SIGKILL');
    const killedAt = Date.now();
    // A change while nobody leads (the scale subresource needs no webhook).
    const scaled = await kubectl(kubeconfig, ['-n', ns.name, 'scale', 'podcliqueset', 'ha', '--replicas=2']);
    expect(scaled.code, scaled.stderr).toBe(0);
    await eventually('the second server to take the Lease', async () => heldBy(second?.pid ?? 0)(await holder()), 120_000, 250);
    const handover = (Date.now() - killedAt) / 1000;
    const taken = await client.get<Lease>(RESOURCES.leases, LEASE, LEASE_NS);
    expect(taken.spec?.leaseTransitions).toBe((lease.spec?.leaseTransitions ?? 0) + 1);
    // Never before the old lease expired: no two leaders.
    const lastRenew = Date.parse(String(lease.spec?.renewTime));
    const acquired = Date.parse(String(taken.spec?.acquireTime));
    expect(acquired - lastRenew).toBeGreaterThanOrEqual((lease.spec?.leaseDurationSeconds ?? 15) * 1000);
    console.info(`lease handed over ${handover.toFixed(1)} s after kill -9 (leaseDurationSeconds ${lease.spec?.leaseDurationSeconds})`);

    await converged(client, ns.name, oneClique(2), 180_000);
    const now = await metrics(second.metricsPort);
    expect(sample(now, 'copse_leader', { lease: LEASE })).toBe(1);
    expect(sample(now, 'copse_reconcile_duration_seconds_count', { controller: 'podcliqueset' })).toBeGreaterThan(0);
    expect(await denial(second.port)).toContain(DENIED);

    // The first server comes back (what `copse up` does) as the standby, and serves admission again.
    await upStack({ log: () => {} });
    const restarted = mainServerPid();
    expect(heldBy(second.pid)(await holder())).toBe(true);
    const again = await kubectl(kubeconfig, ['apply', '-f', '-'], { input: invalidReviewObject(ns.name) });
    expect(again.stderr).toContain(DENIED);
    expect(sample(await metrics(mainMetricsPort()), 'copse_reconcile_duration_seconds_count')).toBe(0);

    // A graceful stop releases the Lease, so the restarted server leads at once.
    await second.stop('SIGTERM');
    second = undefined;
    await eventually('the restarted server to lead', async () => heldBy(restarted)(await holder()), 60_000, 250);
  });
});

/** The invalid PodCliqueSet of invalidReview() as YAML for kubectl (JSON is YAML). */
function invalidReviewObject(namespace: string): string {
  const review = JSON.parse(invalidReview()) as { request: { object: { metadata: { namespace: string } } } };
  review.request.object.metadata.namespace = namespace;
  return JSON.stringify(review.request.object);
}
