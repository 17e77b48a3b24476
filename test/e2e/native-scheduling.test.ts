// Kubernetes v1.37's native workload-aware scheduling on the local control plane,
// on a second, throwaway control plane (its own state directory, ports and etcd), so
// the suite's main cluster keeps its mode for the other files. It starts in the
// default mode ('off'), is switched to 'native' and back, and in between shows a gang
// PodGroup really being placed all-or-nothing by kube-scheduler.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { down, readState, status, up, type LocalCluster } from '../../cluster/local.js';
import { repoRoot } from '../../cluster/paths.js';
import { listRecords } from '../../cluster/processes.js';
import { clients, eventually, kubectl } from '../support/kube.js';

let cluster: LocalCluster;
const stateDir = mkdtempSync(join(tmpdir(), 'copse-native-'));
const NODES = 3;
const ns = 'gang';

beforeAll(async () => {
  cluster = await up({ stateDir, shape: { nodes: NODES }, workloadScheduling: 'off', log: () => {} });
}, 300_000);

afterAll(async () => {
  await down({ stateDir, purge: true, log: () => {} });
});

const pids = () => Object.fromEntries(listRecords(stateDir).map((r) => [r.name, r.pid]));

/** The versions the apiserver serves for scheduling.k8s.io, and the resources of each. */
async function schedulingApis(): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  const groups = await kubectl(cluster.kubeconfig, ['get', '--raw', '/apis/scheduling.k8s.io']);
  expect(groups.code, groups.stderr).toBe(0);
  const versions = (JSON.parse(groups.stdout) as { versions: { version: string }[] }).versions.map((v) => v.version);
  for (const v of versions) {
    const r = await kubectl(cluster.kubeconfig, ['get', '--raw', `/apis/scheduling.k8s.io/${v}`]);
    out[v] = (JSON.parse(r.stdout) as { resources: { name: string }[] }).resources.map((x) => x.name).sort();
  }
  return out;
}

/** `copse cluster status` for this state directory, as a user would run it. */
function cliStatus(): Promise<string> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [join(repoRoot(), 'bin', 'copse.js'), 'cluster', 'status'], { env: { ...process.env, COPSE_STATE_DIR: stateDir } });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', () => resolveRun(stdout));
  });
}

const modeLine = (out: string) => out.split('\n').find((l) => l.startsWith('workload scheduling'))?.replace(/\s{2,}/, ' ');

async function getJson<T>(args: string[]): Promise<T> {
  const r = await kubectl(cluster.kubeconfig, [...args, '-o', 'json']);
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as T;
}

interface PodJson {
  metadata: { name: string };
  spec: { nodeName?: string; schedulingGroup?: { podGroupName: string } };
  status: { phase?: string; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}
interface PodGroupJson {
  metadata: { name: string; finalizers?: string[] };
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

const gangPods = async () => (await getJson<{ items: PodJson[] }>(['get', 'pods', '-n', ns, '-l', 'gang=g1'])).items;
const podGroup = () => getJson<PodGroupJson>(['get', 'podgroups.v1beta1.scheduling.k8s.io', 'g1', '-n', ns]);

describe('workload-scheduling off (the default)', () => {
  it('does not serve scheduling.k8s.io/v1beta1 or v1alpha3, and status says off', async () => {
    expect(await schedulingApis()).toEqual({ v1: ['priorityclasses'] });
    expect(readState(stateDir)?.workloadScheduling).toBe('off');
    expect((await status(stateDir)).workloadScheduling).toBe('off');
    expect(modeLine(await cliStatus())).toBe('workload scheduling off (upstream defaults; scheduling.k8s.io/v1beta1 not served)');
  });

  it('drops spec.schedulingGroup from a pod, as upstream does for a disabled gate', async () => {
    await kubectl(cluster.kubeconfig, ['create', 'namespace', ns]);
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'dropped', namespace: ns }, spec: { schedulingGroup: { podGroupName: 'g0' }, containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }] } };
    const r = await kubectl(cluster.kubeconfig, ['create', '-f', '-', '-o', 'json'], { input: JSON.stringify(pod) });
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as PodJson).spec.schedulingGroup).toBeUndefined();
    await kubectl(cluster.kubeconfig, ['delete', 'pod', 'dropped', '-n', ns, '--wait=false']);
  });
});

describe('switching to native', () => {
  it('restarts only kube-apiserver, kube-scheduler and kube-controller-manager, and keeps the data', async () => {
    await kubectl(cluster.kubeconfig, ['create', 'configmap', 'keep-me', '-n', ns, '--from-literal=v=1']);
    const before = pids();
    await up({ stateDir, workloadScheduling: 'native', log: () => {} });
    const after = pids();
    const restarted = Object.keys(before).filter((n) => after[n] !== before[n]).sort();
    expect(restarted).toEqual(['kube-apiserver', 'kube-controller-manager', 'kube-scheduler']);
    const cm = await getJson<{ data: Record<string, string> }>(['get', 'configmap', 'keep-me', '-n', ns]);
    expect(cm.data).toEqual({ v: '1' });
  }, 300_000);

  it('serves Workload and PodGroup as v1beta1 and CompositePodGroup as v1alpha3, and status says native', async () => {
    expect(await schedulingApis()).toEqual({
      v1: ['priorityclasses'],
      v1beta1: ['podgroups', 'podgroups/status', 'workloads'],
      v1alpha3: ['compositepodgroups', 'compositepodgroups/status', 'podgroups', 'podgroups/status', 'workloads'],
    });
    expect(readState(stateDir)?.workloadScheduling).toBe('native');
    expect((await status(stateDir)).workloadScheduling).toBe('native');
    expect(modeLine(await cliStatus())).toBe(
      'workload scheduling native (feature gates GenericWorkload, TopologyAwareWorkloadScheduling, CompositePodGroup; serves scheduling.k8s.io/v1beta1, scheduling.k8s.io/v1alpha3)',
    );
  });

  it('up without the flag keeps native and restarts nothing', async () => {
    const before = pids();
    const again = await up({ stateDir, log: () => {} });
    expect(again.state.workloadScheduling).toBe('native');
    expect(pids()).toEqual(before);
  }, 120_000);
});

describe('a gang PodGroup under native scheduling', () => {
  const core = () => clients(cluster.kubeconfig).core;
  let spare = '';

  it('keeps every pod Pending, with the scheduler saying why, while only 2 of 3 fit', async () => {
    // Each pod takes a whole node's GPUs; with one of the three nodes cordoned only two fit.
    const nodes = (await core().listNode({ labelSelector: 'type=kwok' })).items.map((n) => n.metadata?.name ?? '').sort();
    expect(nodes).toHaveLength(NODES);
    spare = nodes[NODES - 1] ?? '';
    const cordon = await kubectl(cluster.kubeconfig, ['cordon', spare]);
    expect(cordon.code, cordon.stderr).toBe(0);

    const group = { apiVersion: 'scheduling.k8s.io/v1beta1', kind: 'PodGroup', metadata: { name: 'g1', namespace: ns }, spec: { schedulingPolicy: { gang: { minCount: 3 } } } };
    const pods = [0, 1, 2].map((i) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `g1-${i}`, namespace: ns, labels: { gang: 'g1' } },
      spec: {
        schedulingGroup: { podGroupName: 'g1' },
        containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10', resources: { limits: { 'nvidia.com/gpu': '8' } } }],
      },
    }));
    const r = await kubectl(cluster.kubeconfig, ['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [group, ...pods] }) });
    expect(r.code, r.stderr).toBe(0);
    expect((await podGroup()).metadata.finalizers).toEqual(['scheduling.k8s.io/podgroup-protection']);

    const pending = await eventually('all three gang pods marked unschedulable', async () => {
      const list = await gangPods();
      const unschedulable = list.filter((p) => p.status.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable'));
      return unschedulable.length === 3 ? list : undefined;
    }, 90_000);
    expect(pending.map((p) => [p.metadata.name, p.spec.schedulingGroup?.podGroupName, p.spec.nodeName ?? '', p.status.phase])).toEqual([
      ['g1-0', 'g1', '', 'Pending'],
      ['g1-1', 'g1', '', 'Pending'],
      ['g1-2', 'g1', '', 'Pending'],
    ]);
    const why =
      '0/1 placements are available, first placement status: minCount (3) cannot be satisfied: 2 scheduled, 0 remaining, ' +
      'pod group preemption: No preemption victims found for incoming preemptor';
    // The pod that found no node says why no node fits; the pods that would have fit
    // say the group cannot be placed (v1.37.2 repeats the "pod group is unschedulable" prefix).
    const allowed = [`pod group is unschedulable, pod group is unschedulable, ${why}`, '0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient nvidia.com/gpu.'];
    for (const p of pending) {
      const message = p.status.conditions?.find((c) => c.type === 'PodScheduled')?.message;
      expect(allowed, `${p.metadata.name}: ${message}`).toContain(message);
    }
    expect(pending.filter((p) => p.status.conditions?.some((c) => c.message === allowed[0])).length).toBeGreaterThanOrEqual(1);
    const cond = await eventually('the PodGroup condition', async () => (await podGroup()).status?.conditions?.find((c) => c.type === 'PodGroupInitiallyScheduled'));
    expect([cond.status, cond.reason]).toEqual(['False', 'Unschedulable']);
    expect(cond.message).toContain(why);
    // Nothing was bound on the way: no pod of the gang holds a node.
    expect((await gangPods()).filter((p) => p.spec.nodeName)).toEqual([]);
  }, 180_000);

  it('binds all three together once room appears', async () => {
    const r = await kubectl(cluster.kubeconfig, ['uncordon', spare]);
    expect(r.code, r.stderr).toBe(0);
    const bound = await eventually('all three gang pods Running', async () => {
      const list = await gangPods();
      return list.every((p) => p.spec.nodeName && p.status.phase === 'Running') ? list : undefined;
    }, 120_000);
    expect(new Set(bound.map((p) => p.spec.nodeName)).size).toBe(3);
    const cond = (await podGroup()).status?.conditions?.find((c) => c.type === 'PodGroupInitiallyScheduled');
    expect([cond?.status, cond?.reason]).toEqual(['True', 'Scheduled']);
  }, 180_000);

  it('deletes the PodGroup once its pods are gone (kube-controller-manager lifts the finalizer)', async () => {
    const pods = await kubectl(cluster.kubeconfig, ['delete', 'pods', '-n', ns, '-l', 'gang=g1', '--wait=true', '--timeout=60s']);
    expect(pods.code, pods.stderr).toBe(0);
    const del = await kubectl(cluster.kubeconfig, ['delete', 'podgroups.v1beta1.scheduling.k8s.io', 'g1', '-n', ns, '--wait=true', '--timeout=60s']);
    expect(del.code, del.stderr).toBe(0);
    const left = await kubectl(cluster.kubeconfig, ['get', 'podgroups.v1beta1.scheduling.k8s.io', '-n', ns, '-o', 'name']);
    expect(left.stdout.trim()).toBe('');
  }, 180_000);
});

describe('switching back to off', () => {
  it('stops serving the scheduling versions, again restarting only the three', async () => {
    const before = pids();
    await up({ stateDir, workloadScheduling: 'off', log: () => {} });
    const after = pids();
    expect(Object.keys(before).filter((n) => after[n] !== before[n]).sort()).toEqual(['kube-apiserver', 'kube-controller-manager', 'kube-scheduler']);
    expect(await schedulingApis()).toEqual({ v1: ['priorityclasses'] });
    expect((await status(stateDir)).workloadScheduling).toBe('off');
  }, 300_000);
});
