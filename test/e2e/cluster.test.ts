// Smoke suite for the embedded local control plane: real etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler and kwok, reached over loopback.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { etcdHealthcheckTls, readState, status } from '../../cluster/local.js';
import { listRecords } from '../../cluster/processes.js';
import { stateDir } from '../../cluster/paths.js';
import { isLoopback, tcpSockets } from '../support/sockets.js';
import { TopologyLabels } from '../../cluster/topology.js';
import { KUBERNETES_VERSION } from '../../cluster/upstream.js';
import { clients, eventually, kubectl, testNamespace } from '../support/kube.js';

const kubeconfig = inject('kubeconfig');
const expectedNodes = inject('expectedNodes');
const workloadScheduling = inject('workloadScheduling');
const { core, apps } = clients(kubeconfig);
let ns: { name: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  ns = await testNamespace(core, 'smoke');
});
afterAll(async () => {
  await ns.cleanup();
});

const pause = { name: 'main', image: 'registry.k8s.io/pause:3.10' };

describe('local control plane', () => {
  it('reports every component healthy, and the workload-scheduling mode the run asked for', async () => {
    const report = await status();
    expect(Object.entries(report.components).filter(([, c]) => !c.healthy).map(([n]) => n)).toEqual([]);
    expect(report.healthy).toBe(true);
    expect(report.workloadScheduling).toBe(workloadScheduling);
  });

  it('listens on and talks to loopback only, in every process it started', () => {
    const records = listRecords(stateDir());
    expect(records.map((r) => r.name).sort()).toEqual(
      expect.arrayContaining(['copse-server', 'etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok']),
    );
    const offenders: string[] = [];
    let listening = 0;
    for (const r of records) {
      for (const s of tcpSockets(r.pid)) {
        if (s.state === 'LISTEN') listening++;
        if (!isLoopback(s.local)) offenders.push(`${r.name} ${s.state} local ${s.local}`);
        if (s.state === 'ESTABLISHED' && !isLoopback(s.remote)) offenders.push(`${r.name} connected to ${s.remote}`);
      }
    }
    expect(offenders).toEqual([]);
    // etcd (client + peer), kube-apiserver, controller-manager, scheduler, copse server.
    expect(listening).toBeGreaterThanOrEqual(6);
  });

  it('has the simulated GPU nodes Ready, with topology labels and capacity', async () => {
    const nodes = (await core.listNode({ labelSelector: 'type=kwok' })).items;
    expect(nodes).toHaveLength(expectedNodes);
    for (const n of nodes) {
      expect(n.status?.conditions?.find((c) => c.type === 'Ready')?.status, n.metadata?.name).toBe('True');
      expect(n.status?.allocatable?.['nvidia.com/gpu']).toBe('8');
      expect(n.status?.allocatable?.cpu).toBe('64');
      expect(n.status?.allocatable?.memory).toBe('512Gi');
    }
    if (expectedNodes === 16) {
      const distinct = (key: string) => new Set(nodes.map((n) => n.metadata?.labels?.[key])).size;
      expect(distinct(TopologyLabels.zone)).toBe(1);
      expect(distinct(TopologyLabels.block)).toBe(2);
      expect(distinct(TopologyLabels.rack)).toBe(4);
      expect(distinct(TopologyLabels.host)).toBe(16);
      expect(distinct(TopologyLabels.nvlinkDomain)).toBe(4);
    }
  });

  it('schedules a pod with kube-scheduler and kwok reports it Running and Ready', async () => {
    await core.createNamespacedPod({
      namespace: ns.name,
      body: { metadata: { name: 'gpu-pod' }, spec: { containers: [{ ...pause, resources: { limits: { 'nvidia.com/gpu': '2' } } }] } },
    });
    const pod = await eventually('gpu-pod Ready', async () => {
      const p = await core.readNamespacedPod({ name: 'gpu-pod', namespace: ns.name });
      return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? p : undefined;
    });
    expect(pod.spec?.nodeName).toMatch(/^kwok-z0-b\d-r\d-h\d$/);
    expect(pod.status?.phase).toBe('Running');
    expect(pod.status?.podIP).toMatch(/^10\.244\./);
  });

  it('leaves a pod Pending when no node has room, with the scheduler saying why', async () => {
    await core.createNamespacedPod({
      namespace: ns.name,
      body: { metadata: { name: 'too-big' }, spec: { containers: [{ ...pause, resources: { limits: { 'nvidia.com/gpu': '9' } } }] } },
    });
    const message = await eventually('a FailedScheduling condition', async () => {
      const p = await core.readNamespacedPod({ name: 'too-big', namespace: ns.name });
      return p.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False')?.message;
    });
    expect(message).toContain('Insufficient nvidia.com/gpu');
  });

  it('runs the controller-manager: a Deployment gets its Ready replicas', async () => {
    await apps.createNamespacedDeployment({
      namespace: ns.name,
      body: {
        metadata: { name: 'web' },
        spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [pause] } } },
      },
    });
    const ready = await eventually('3 ready replicas', async () => {
      const d = await apps.readNamespacedDeployment({ name: 'web', namespace: ns.name });
      return d.status?.readyReplicas === 3 ? d.status.readyReplicas : undefined;
    }, 60_000);
    expect(ready).toBe(3);
  });

  it('garbage-collects dependents when their owner is deleted', async () => {
    const owner = await core.createNamespacedConfigMap({ namespace: ns.name, body: { metadata: { name: 'owner' }, data: { a: '1' } } });
    await core.createNamespacedConfigMap({
      namespace: ns.name,
      body: {
        metadata: { name: 'dependent', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata?.uid ?? '' }] },
      },
    });
    await core.deleteNamespacedConfigMap({ name: 'owner', namespace: ns.name, propagationPolicy: 'Background' });
    const gone = await eventually('the dependent ConfigMap to be collected', async () => {
      const list = await core.listNamespacedConfigMap({ namespace: ns.name });
      return list.items.some((c) => c.metadata?.name === 'dependent') ? undefined : true;
    }, 60_000);
    expect(gone).toBe(true);
  });

  it('serves the pinned version to the pinned kubectl', async () => {
    const r = await kubectl(kubeconfig, ['version', '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const v = JSON.parse(r.stdout) as { serverVersion: { gitVersion: string }; clientVersion: { gitVersion: string } };
    expect(v.serverVersion.gitVersion).toBe(KUBERNETES_VERSION);
    expect(v.clientVersion.gitVersion).toBe(KUBERNETES_VERSION);
    const nodes = await kubectl(kubeconfig, ['get', 'nodes', '-l', 'type=kwok', '--no-headers']);
    expect(nodes.stdout.trim().split('\n').filter((l) => / Ready /.test(l))).toHaveLength(expectedNodes);
  });

  const systemKubectl = spawnSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).stdout.trim();
  it.skipIf(!systemKubectl)(`works with the system kubectl (${systemKubectl || 'not installed'})`, async () => {
    const r = await kubectl(kubeconfig, ['get', 'nodes', '-o', 'name'], { bin: systemKubectl });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(expectedNodes);
  });
});

/** One request to etcd's /health; the outcome is the status and body, or the client-side error. */
function etcdHealth(url: string, tls: RequestOptions = {}): Promise<string> {
  return new Promise((resolveReq) => {
    const u = new URL(url);
    const opts = { host: u.hostname, port: u.port, path: u.pathname, timeout: 5000 };
    const onRes = (res: import('node:http').IncomingMessage) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => resolveReq(`${res.statusCode} ${body.trim()}`));
    };
    const req = u.protocol === 'https:' ? httpsRequest({ ...opts, ...tls }, onRes) : httpRequest(opts, onRes);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolveReq(`error ${e.message}`));
    req.end();
  });
}

describe('etcd is closed to everyone but the apiserver and copse', () => {
  const port = () => readState()?.ports.etcd;

  it('answers plain HTTP with nothing: it hangs up', async () => {
    expect(await etcdHealth(`http://127.0.0.1:${port()}/health`)).toBe('error socket hang up');
  });

  it('refuses a TLS client without a certificate from the etcd CA', async () => {
    const tls = etcdHealthcheckTls(stateDir());
    expect(tls).toBeDefined();
    const anonymous = await etcdHealth(`https://127.0.0.1:${port()}/health`, { ca: tls?.ca });
    expect(anonymous).toMatch(/^error .*certificate required/);
    // The cluster CA's admin certificate is no key to etcd either.
    const admin = clients(kubeconfig).kc.getCurrentUser();
    const adminCert = Buffer.from(admin?.certData ?? '', 'base64').toString('utf8');
    const adminKey = Buffer.from(admin?.keyData ?? '', 'base64').toString('utf8');
    expect(adminCert).toContain('BEGIN CERTIFICATE');
    const withAdmin = await etcdHealth(`https://127.0.0.1:${port()}/health`, { ca: tls?.ca, cert: adminCert, key: adminKey });
    expect(withAdmin).toMatch(/^error .*(unknown ca|bad certificate|certificate required)/);
  });

  it('serves a client with the etcd CA\'s client certificate (the probe copse uses)', async () => {
    const tls = etcdHealthcheckTls(stateDir());
    expect(await etcdHealth(`https://127.0.0.1:${port()}/health`, { ...tls })).toMatch(/^200 \{"health":"true"/);
  });
});

describe('the state directory', () => {
  it('is owner-only: the folder 0700, keys, kubeconfigs, logs and every other file 0600', () => {
    const root = stateDir();
    const exposed: string[] = [];
    const seen = { keys: 0, kubeconfigs: 0, logs: 0 };
    const visit = (p: string) => {
      const st = statSync(p);
      if (st.mode & 0o077) exposed.push(`${p.slice(root.length) || '/'} ${(st.mode & 0o777).toString(8)}`);
      if (p.endsWith('.key')) seen.keys++;
      if (p.endsWith('.kubeconfig')) seen.kubeconfigs++;
      if (p.endsWith('.log')) seen.logs++;
      if (st.isDirectory()) for (const e of readdirSync(p)) visit(join(p, e));
    };
    visit(root);
    expect(statSync(root).mode & 0o777).toBe(0o700);
    expect(exposed).toEqual([]);
    // The walk did see what matters.
    expect(seen.keys).toBeGreaterThanOrEqual(10);
    expect(seen.kubeconfigs).toBe(4);
    expect(seen.logs).toBeGreaterThanOrEqual(6);
  });
});
