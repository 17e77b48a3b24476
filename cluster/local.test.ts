import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  commandFor,
  COMPONENTS,
  completePorts,
  PORT_BLOCK_SIZE,
  PORT_BLOCKS,
  portBlock,
  PORT_NAMES,
  PORT_RANGE_END,
  PORT_RANGE_FIRST,
  readState,
  type ClusterState,
} from './local.js';
import { resolveShape } from './topology.js';
import { MODE_COMPONENTS, WORKLOAD_SCHEDULING_MODES, type WorkloadSchedulingMode } from './workload-scheduling.js';

describe('port blocks', () => {
  it('gives each state directory a block of 20 ports between 20000 and 32000', () => {
    expect(PORT_BLOCK_SIZE).toBe(20);
    expect(PORT_BLOCKS).toBe(600);
    expect(PORT_NAMES.length).toBeLessThanOrEqual(PORT_BLOCK_SIZE);
    expect(portBlock(0)).toEqual({ etcd: 20000, etcdPeer: 20001, apiserver: 20002, controllerManager: 20003, scheduler: 20004, webhook: 20005, extender: 20006, aggregator: 20007, metrics: 20008 });
    const last = Object.values(portBlock(PORT_BLOCKS - 1));
    expect(Math.min(...last)).toBe(PORT_RANGE_END - PORT_BLOCK_SIZE);
    expect(Math.max(...last)).toBeLessThan(PORT_RANGE_END);
    expect(portBlock(PORT_BLOCKS)).toEqual(portBlock(0));
  });

  it('fills in names added after a cluster was created from its own block, keeping recorded ports', () => {
    const { metrics: _m, aggregator: _a, ...older } = portBlock(7);
    expect(completePorts(older)).toEqual(portBlock(7));
    expect(completePorts({ ...older, webhook: 25000 })).toEqual({ ...portBlock(7), webhook: 25000 });
    expect(completePorts(undefined)).toBeUndefined();
    expect(completePorts({ etcd: PORT_RANGE_FIRST + 3 })).toBeUndefined();
  });
});

describe('component command lines', () => {
  const dir = mkdtempSync(join(tmpdir(), 'copse-cmd-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const state = (workloadScheduling: WorkloadSchedulingMode): ClusterState => ({
    version: 1,
    ports: portBlock(3),
    shape: resolveShape({}),
    kubernetesVersion: 'v1.37.2',
    workloadScheduling,
  });
  const cmd = (c: (typeof COMPONENTS)[number], mode: WorkloadSchedulingMode = 'off') => commandFor(c, dir, state(mode));

  it('etcd serves TLS with client-certificate auth on its client and peer ports, on loopback', () => {
    const etcd = cmd('etcd');
    const { etcd: client, etcdPeer: peer } = portBlock(3);
    expect(etcd).toEqual(
      expect.arrayContaining([
        `--listen-client-urls=https://127.0.0.1:${client}`,
        `--advertise-client-urls=https://127.0.0.1:${client}`,
        '--client-cert-auth=true',
        `--trusted-ca-file=${join(dir, 'pki', 'etcd-ca.crt')}`,
        `--cert-file=${join(dir, 'pki', 'etcd-server.crt')}`,
        `--key-file=${join(dir, 'pki', 'etcd-server.key')}`,
        `--listen-peer-urls=https://127.0.0.1:${peer}`,
        `--initial-advertise-peer-urls=https://127.0.0.1:${peer}`,
        '--peer-client-cert-auth=true',
        `--peer-trusted-ca-file=${join(dir, 'pki', 'etcd-ca.crt')}`,
        `--peer-cert-file=${join(dir, 'pki', 'etcd-peer.crt')}`,
      ]),
    );
    expect(etcd.filter((a) => a.includes('http://'))).toEqual([]);
  });

  it('kube-apiserver reaches etcd over TLS with its own etcd client cert', () => {
    expect(cmd('kube-apiserver')).toEqual(
      expect.arrayContaining([
        `--etcd-servers=https://127.0.0.1:${portBlock(3).etcd}`,
        `--etcd-cafile=${join(dir, 'pki', 'etcd-ca.crt')}`,
        `--etcd-certfile=${join(dir, 'pki', 'apiserver-etcd-client.crt')}`,
        `--etcd-keyfile=${join(dir, 'pki', 'apiserver-etcd-client.key')}`,
      ]),
    );
  });

  it('names only controllers that kube-controller-manager v1.37 knows', () => {
    expect(cmd('kube-controller-manager').filter((a) => a.startsWith('--controllers='))).toEqual(['--controllers=*,-nodeipam']);
  });

  it('switching the workload-scheduling mode changes exactly the apiserver, scheduler and controller-manager', () => {
    const changed = COMPONENTS.filter((c) => JSON.stringify(cmd(c, 'off')) !== JSON.stringify(cmd(c, 'native')));
    expect(changed).toEqual(['kube-apiserver', 'kube-controller-manager', 'kube-scheduler']);
    expect([...MODE_COMPONENTS].sort()).toEqual(changed);
    expect(cmd('kube-apiserver', 'native')).toEqual(expect.arrayContaining(['--runtime-config=scheduling.k8s.io/v1beta1=true,scheduling.k8s.io/v1alpha3=true']));
  });

  it.each(WORKLOAD_SCHEDULING_MODES)('is stable: the same state gives the same command lines (%s)', (mode) => {
    for (const c of COMPONENTS) expect(cmd(c, mode), c).toEqual(cmd(c, mode));
  });
});

describe('cluster state file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'copse-state-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a state file of an older copse: mode off, missing port names filled in', () => {
    const { metrics: _m, ...ports } = portBlock(11);
    writeFileSync(join(dir, 'cluster.json'), JSON.stringify({ version: 1, ports, shape: resolveShape({}), kubernetesVersion: 'v1.34.4' }));
    const s = readState(dir);
    expect(s?.workloadScheduling).toBe('off');
    expect(s?.ports).toEqual(portBlock(11));
    expect(s?.kubernetesVersion).toBe('v1.34.4');
  });

  it('keeps a recorded mode', () => {
    const raw = JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as object;
    writeFileSync(join(dir, 'cluster.json'), JSON.stringify({ ...raw, workloadScheduling: 'native' }));
    expect(readState(dir)?.workloadScheduling).toBe('native');
  });

  it('refuses a file that is not a cluster state, naming it', () => {
    writeFileSync(join(dir, 'cluster.json'), '{}');
    expect(() => readState(dir)).toThrow(`${join(dir, 'cluster.json')} is not a copse cluster state file`);
  });
});
