// A state directory left by an older copse keeps working: its etcd served plain HTTP
// with no client authentication, its files were world-readable, its process records
// had no start time and its cluster.json no workload-scheduling mode. `up` moves etcd
// onto TLS with the data kept, and tightens the files. Runs on a throwaway state
// directory of its own, next to the suite's main cluster.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { choosePorts, down, etcdHealthcheckTls, readState, up, type Ports } from '../../cluster/local.js';
import { isRunning, readRecord, startProcess, type ProcessRecord } from '../../cluster/processes.js';
import { binaryPath } from '../../cluster/upstream.js';
import { resolveShape } from '../../cluster/topology.js';
import { eventually, kubectl } from '../support/kube.js';

const stateDir = join(mkdtempSync(join(tmpdir(), 'copse-upgrade-')), 'cluster');
let ports: Ports;

/** POST to etcd's JSON gateway; the outcome as status and body, or the client-side error. */
function etcdPost(url: string, body: object, tls?: { ca: string; cert: string; key: string }): Promise<string> {
  return new Promise((resolveReq) => {
    const u = new URL(url);
    const opts = { host: u.hostname, port: u.port, path: u.pathname, method: 'POST', timeout: 5000, headers: { 'content-type': 'application/json' } };
    const onRes = (res: import('node:http').IncomingMessage) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => resolveReq(`${res.statusCode} ${text.trim()}`));
    };
    const req = u.protocol === 'https:' ? httpsRequest({ ...opts, ...tls }, onRes) : httpRequest(opts, onRes);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolveReq(`error ${e.message}`));
    req.end(JSON.stringify(body));
  });
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);

let oldEtcd: ProcessRecord;

beforeAll(async () => {
  // What copse before this change left behind: a world-readable folder and state file,
  // and etcd on plain HTTP (both ports), recorded without a start time.
  mkdirSync(join(stateDir, 'logs'), { recursive: true, mode: 0o755 });
  chmodSync(stateDir, 0o755);
  ports = await choosePorts(stateDir);
  writeFileSync(join(stateDir, 'cluster.json'), JSON.stringify({ version: 1, ports, shape: resolveShape({ nodes: 1 }), kubernetesVersion: 'v1.34.4' }), { mode: 0o644 });
  const http = (port: number) => `http://127.0.0.1:${port}`;
  const args = [
    '--name=copse',
    `--data-dir=${join(stateDir, 'etcd')}`,
    `--listen-client-urls=${http(ports.etcd)}`,
    `--advertise-client-urls=${http(ports.etcd)}`,
    `--listen-peer-urls=${http(ports.etcdPeer)}`,
    `--initial-advertise-peer-urls=${http(ports.etcdPeer)}`,
    `--initial-cluster=copse=${http(ports.etcdPeer)}`,
    '--quota-backend-bytes=4294967296',
    '--log-level=warn',
  ];
  oldEtcd = startProcess(stateDir, 'etcd', binaryPath('etcd'), args);
  for (const d of ['logs', 'run']) chmodSync(join(stateDir, d), 0o755);
  const { startTicks: _t, bootId: _b, ...legacy } = oldEtcd;
  writeFileSync(join(stateDir, 'run', 'etcd.json'), JSON.stringify(legacy), { mode: 0o644 });
  chmodSync(oldEtcd.log, 0o644);
  await eventually('the old plain-HTTP etcd', async () => (await etcdPost(`${http(ports.etcd)}/v3/kv/range`, { key: b64('x') })).startsWith('200'), 30_000);
  const put = await etcdPost(`${http(ports.etcd)}/v3/kv/put`, { key: b64('/copse-upgrade/kept'), value: b64('yes') });
  expect(put).toMatch(/^200 /);
}, 120_000);

afterAll(async () => {
  await down({ stateDir, purge: true, log: () => {} });
});

describe('up on a state directory from an older copse', () => {
  it('restarts the plain-HTTP etcd on TLS with client-certificate auth, keeping its data', async () => {
    const lines: string[] = [];
    await up({ stateDir, log: (l) => lines.push(l) });
    expect(lines).toContain('copse: restarting etcd (changed --advertise-client-urls, --cert-file, --client-cert-auth, --initial-advertise-peer-urls, --initial-cluster, --key-file, --listen-client-urls, --listen-peer-urls, --peer-cert-file, --peer-client-cert-auth, --peer-key-file, --peer-trusted-ca-file, --trusted-ca-file)');
    expect(isRunning(oldEtcd)).toBe(false);
    const etcd = readRecord(stateDir, 'etcd');
    expect(etcd?.pid).not.toBe(oldEtcd.pid);
    expect(etcd?.args).toContain(`--listen-client-urls=https://127.0.0.1:${ports.etcd}`);

    const tls = etcdHealthcheckTls(stateDir);
    const kept = await etcdPost(`https://127.0.0.1:${ports.etcd}/v3/kv/range`, { key: b64('/copse-upgrade/kept') }, tls);
    expect(kept).toMatch(/^200 /);
    const kv = (JSON.parse(kept.slice(4)) as { kvs: { value: string }[] }).kvs;
    expect(kv.map((k) => Buffer.from(k.value, 'base64').toString('utf8'))).toEqual(['yes']);
    // The member was bootstrapped with an http:// peer URL, which etcd keeps in its data.
    expect(lines).toContain(`copse: etcd member copse now advertises https://127.0.0.1:${ports.etcdPeer}`);
    const members = await etcdPost(`https://127.0.0.1:${ports.etcd}/v3/cluster/member/list`, {}, tls);
    expect((JSON.parse(members.slice(4)) as { members: { peerURLs: string[]; clientURLs: string[] }[] }).members).toEqual([
      expect.objectContaining({ peerURLs: [`https://127.0.0.1:${ports.etcdPeer}`], clientURLs: [`https://127.0.0.1:${ports.etcd}`] }),
    ]);
    expect(await etcdPost(`http://127.0.0.1:${ports.etcd}/v3/kv/range`, { key: b64('/copse-upgrade/kept') })).toBe('error socket hang up');
  }, 300_000);

  it('runs the cluster on it, records the mode it had (off) and the ports it had', async () => {
    const state = readState(stateDir);
    expect(state?.ports).toEqual(ports);
    expect(state?.workloadScheduling).toBe('off');
    expect(state?.kubernetesVersion).toBe('v1.37.2');
    const nodes = await kubectl(join(stateDir, 'admin.kubeconfig'), ['get', 'nodes', '-o', 'name']);
    expect(nodes.code, nodes.stderr).toBe(0);
    expect(nodes.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('made the state directory, its log and its records owner-only', () => {
    expect(mode(stateDir)).toBe('700');
    expect(mode(join(stateDir, 'cluster.json'))).toBe('600');
    expect(mode(join(stateDir, 'logs'))).toBe('700');
    expect(mode(oldEtcd.log)).toBe('600');
    expect(mode(join(stateDir, 'run', 'etcd.json'))).toBe('600');
    expect(readFileSync(oldEtcd.log, 'utf8').length).toBeGreaterThan(0);
  });
});
