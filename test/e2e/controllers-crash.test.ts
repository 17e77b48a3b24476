// Crashes in the middle of the controllers' work, on the real local control plane:
// - kill -9 of the copse server process at several points of a deploy and of a scale-in, then a
//   restart (what `copse up` does: only the server comes back);
// - kill -9 of kube-apiserver while a deploy is in flight, restarted by the local cluster tooling:
//   the same copse process (same pid) recovers its watches and converges.
// After each, Grove's invariants hold exactly (test/support/workloads.ts): exact counts, every pod
// owned by an existing PodClique with indices 0..replicas-1 exactly once (no duplicates, no
// orphans), nothing stuck terminating.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SERVER_PROCESS, upStack } from '../../cli/stack.js';
import { up } from '../../cluster/local.js';
import { stateDir } from '../../cluster/paths.js';
import { isRunning, readRecord } from '../../cluster/processes.js';
import { RESOURCES } from '../../kube/resources.js';
import { createNamespace, listIn, testClient } from '../support/dynamic.js';
import { groveSamplesPresent } from '../support/grove-samples.js';
import { eventually, kubectl } from '../support/kube.js';
import { killServer, restartServer } from '../support/servers.js';
import { type Shape, converged, groveWorkload } from '../support/workloads.js';

const kubeconfig = inject('kubeconfig');
const client = testClient(kubeconfig);
const present = groveSamplesPresent({ suite: 'controllers: crashes', suites: 2, sub: 'e2e-workloads' });
const STEP_MS = 300_000;
// Each test waits for restarts and a convergence of up to STEP_MS on a shared, busy machine.
const TEST_MS = 4 * STEP_MS;

let ns: { name: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  ns = await createNamespace(client, 'ctl-crash');
});

afterAll(async () => {
  // Whatever happened, leave a running server behind for the next file.
  await upStack({ log: () => {} });
  await ns?.cleanup();
});

const CLIQUES = { 'pc-a': { replicas: 2, minAvailable: 2 }, 'pc-b': { replicas: 1, minAvailable: 1 }, 'pc-c': { replicas: 3, minAvailable: 3 } };

function workload1(name: string, replicas: number): Shape {
  return {
    pcs: name,
    replicas,
    cliques: CLIQUES,
    standalone: ['pc-a'],
    groups: [{ name: 'sg-x', cliqueNames: ['pc-b', 'pc-c'], minAvailable: 2, replicas: Array.from({ length: replicas }, () => 2) }],
  };
}

async function createWorkload(name: string, replicas: number): Promise<void> {
  const pcs = groveWorkload('workload1.yaml', ns.name);
  await client.create(RESOURCES.podCliqueSets, { ...pcs, metadata: { ...pcs.metadata, name }, spec: { ...pcs.spec, replicas } });
}

/** Polls `count` until `ready` says so, returning the count then. */
async function when(what: string, count: () => Promise<number>, ready: (n: number) => boolean): Promise<number> {
  return eventually(
    what,
    async () => {
      const n = await count();
      return ready(n) ? n : undefined;
    },
    STEP_MS,
    100,
  );
}

const livePods = (pcs: string) => async () => (await listIn(client, RESOURCES.pods, ns.name, `app.kubernetes.io/part-of=${pcs}`)).filter((p) => !p.metadata?.deletionTimestamp).length;
const terminatingPods = (pcs: string) => async () => (await listIn(client, RESOURCES.pods, ns.name, `app.kubernetes.io/part-of=${pcs}`)).filter((p) => p.metadata?.deletionTimestamp).length;
const podCliques = (pcs: string) => async () => (await listIn(client, RESOURCES.podCliques, ns.name, `app.kubernetes.io/part-of=${pcs}`)).length;

describe.skipIf(!present)('kill -9 of the copse server', { timeout: TEST_MS }, () => {
  // Six replicas (60 pods): with 64 PodClique workers a restarted server makes 30 pods faster than the
  // test's 100 ms poll, and the second kill would land after the deploy instead of inside it.
  it('during a deploy: right after the first PodClique exists, and again once 12 of 60 pods exist', async () => {
    await createWorkload('crash-deploy', 6);
    const first = await when('a PodClique', podCliques('crash-deploy'), (n) => n >= 1);
    await restartServer(await killServer());
    const atKill = await when('12 pods', livePods('crash-deploy'), (n) => n >= 12);
    await restartServer(await killServer());
    // The kills happened mid-deploy, not after it.
    expect(first).toBeLessThan(15);
    expect(atKill).toBeLessThan(60);
    await converged(client, ns.name, workload1('crash-deploy', 6), STEP_MS);
  });

  it('during a scale-in: once the first pod is terminating, and again with pods gone but PodCliques left', async () => {
    const r = await kubectl(kubeconfig, ['-n', ns.name, 'scale', 'podcliqueset', 'crash-deploy', '--replicas=1']);
    expect(r.code, r.stderr).toBe(0);
    await when('a terminating pod or fewer pods', async () => (await terminatingPods('crash-deploy')()) + (30 - (await livePods('crash-deploy')())), (n) => n >= 1);
    await restartServer(await killServer());
    const pclqs = await when('fewer than 15 PodCliques', podCliques('crash-deploy'), (n) => n < 15);
    await restartServer(await killServer());
    expect(pclqs).toBeGreaterThanOrEqual(5);
    await converged(client, ns.name, workload1('crash-deploy', 1), STEP_MS);
  });
});

describe.skipIf(!present)('kube-apiserver restart during reconciliation', { timeout: TEST_MS }, () => {
  it('copse recovers its watches without restarting and converges', async () => {
    const server = readRecord(stateDir(), SERVER_PROCESS);
    if (!server || !isRunning(server)) throw new Error('the copse server is not running');
    await createWorkload('apiserver-restart', 3);
    const atKill = await when('8 pods', livePods('apiserver-restart'), (n) => n >= 8);
    const apiserver = readRecord(stateDir(), 'kube-apiserver');
    if (!apiserver || !isRunning(apiserver)) throw new Error('kube-apiserver is not running');
    process.kill(apiserver.pid, 'SIGKILL');
    await eventually('kube-apiserver to be gone', async () => !isRunning(apiserver));
    // Down for a while, so the informers see failures and back off, not just one reconnect.
    await new Promise((r) => setTimeout(r, 5000));
    await up({ log: () => {} });
    const restarted = readRecord(stateDir(), 'kube-apiserver');
    expect(restarted?.pid).not.toBe(apiserver.pid);
    await converged(client, ns.name, workload1('apiserver-restart', 3), STEP_MS);
    // The same copse process did it.
    const after = readRecord(stateDir(), SERVER_PROCESS);
    expect(after?.pid).toBe(server.pid);
    expect(isRunning(server)).toBe(true);
    expect(atKill).toBeLessThan(30);
    // And it is still working from live watches: a scale now is followed too.
    const r = await kubectl(kubeconfig, ['-n', ns.name, 'scale', 'podcliqueset', 'apiserver-restart', '--replicas=2']);
    expect(r.code, r.stderr).toBe(0);
    await converged(client, ns.name, workload1('apiserver-restart', 2), STEP_MS);
  });
});
