import { X509Certificate } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCert } from '../certs/issue.js';
import { ensurePki, leafFits, pkiPaths, writeKubeconfigs } from './pki.js';
import { mkdirPrivate, openPrivate, tightenedMode, tightenTree, writePrivate } from './private-files.js';
import { startProcess, stopProcess } from './processes.js';

const mode = (p: string) => statSync(p).mode & 0o777;

/** Every path below `root` whose mode lets group or others in. */
function exposed(root: string): string[] {
  const out: string[] = [];
  const visit = (p: string) => {
    if (mode(p) & 0o077) out.push(`${p.slice(root.length) || '/'} ${mode(p).toString(8)}`);
    if (statSync(p).isDirectory()) for (const e of readdirSync(p)) visit(join(p, e));
  };
  visit(root);
  return out;
}

// A permissive umask makes any file created without an explicit mode world-readable,
// so these tests fail for every write that relies on the umask.
let oldUmask = 0;
beforeAll(() => {
  oldUmask = process.umask(0);
});
afterAll(() => {
  process.umask(oldUmask);
});

describe('owner-only files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'copse-private-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates files 0600 and folders 0700', () => {
    mkdirPrivate(join(dir, 'a', 'b'));
    writePrivate(join(dir, 'a', 'b', 'f'), 'secret');
    expect(mode(join(dir, 'a'))).toBe(0o700);
    expect(mode(join(dir, 'a', 'b'))).toBe(0o700);
    expect(mode(join(dir, 'a', 'b', 'f'))).toBe(0o600);
  });

  it('tightens an existing world-readable file before writing to it', () => {
    const f = join(dir, 'old');
    writeFileSync(f, 'x', { mode: 0o644 });
    expect(mode(f)).toBe(0o644);
    writePrivate(f, 'new secret');
    expect(mode(f)).toBe(0o600);
    const g = join(dir, 'old.log');
    writeFileSync(g, 'x', { mode: 0o666 });
    const fd = openPrivate(g, 'a');
    expect(mode(g)).toBe(0o600);
    writeFileSync(fd, 'more');
    expect(readFileSync(g, 'utf8')).toBe('xmore');
  });

  it('tightens a folder left by an older copse', () => {
    const old = join(dir, 'state');
    mkdirSync(join(old, 'pki'), { recursive: true, mode: 0o755 });
    writeFileSync(join(old, 'pki', 'ca.key'), 'k', { mode: 0o644 });
    writeFileSync(join(old, 'admin.kubeconfig'), 'k', { mode: 0o640 });
    writeFileSync(join(old, 'ok'), 'k', { mode: 0o400 });
    expect(tightenTree(old).map((p) => p.slice(old.length)).sort()).toEqual(['', '/admin.kubeconfig', '/pki', '/pki/ca.key']);
    expect(exposed(old)).toEqual([]);
    expect(mode(join(old, 'ok'))).toBe(0o400);
    expect(tightenTree(old)).toEqual([]);
  });

  it('keeps the owner bits and clears the rest', () => {
    expect(tightenedMode(0o100644)).toBe(0o600);
    expect(tightenedMode(0o40755)).toBe(0o700);
    expect(tightenedMode(0o100600)).toBeUndefined();
    expect(tightenedMode(0o100444)).toBe(0o400);
  });
});

describe('the local cluster PKI, kubeconfigs and logs', () => {
  const state = mkdtempSync(join(tmpdir(), 'copse-pki-'));
  chmodSync(state, 0o700);
  afterAll(() => rmSync(state, { recursive: true, force: true }));
  const p = pkiPaths(state);

  it('are owner-only from creation', async () => {
    ensurePki(state);
    writeKubeconfigs(state, 'https://127.0.0.1:1');
    startProcess(state, 'echo', process.execPath, ['-e', 'console.log("hi")']);
    await stopProcess(state, 'echo', 100);
    expect(readdirSync(state).sort()).toEqual(['admin.kubeconfig', 'kube-controller-manager.kubeconfig', 'kube-scheduler.kubeconfig', 'kwok.kubeconfig', 'logs', 'pki', 'run']);
    expect(exposed(state)).toEqual([]);
  }, 60_000);

  it('gives etcd its own CA: serving, peer and the two client certs chain to it, not to the cluster CA', () => {
    const etcdCa = new X509Certificate(readFileSync(p.etcdCaCert));
    const clusterCa = new X509Certificate(readFileSync(p.caCert));
    expect(etcdCa.subject).toBe('CN=copse-etcd-ca\nO=copse');
    for (const leaf of [p.etcdServer, p.etcdPeer, p.apiserverEtcdClient, p.etcdHealthcheckClient]) {
      const x = new X509Certificate(readFileSync(leaf.cert));
      expect(x.verify(etcdCa.publicKey), leaf.cert).toBe(true);
      expect(x.verify(clusterCa.publicKey), leaf.cert).toBe(false);
    }
    const server = new X509Certificate(readFileSync(p.etcdServer.cert));
    expect(server.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1');
    expect(server.keyUsage?.sort()).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    expect(new X509Certificate(readFileSync(p.etcdPeer.cert)).keyUsage?.sort()).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    expect(new X509Certificate(readFileSync(p.apiserverEtcdClient.cert)).keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
  });

  it('adds the etcd PKI to a state directory from an older copse and keeps the rest', () => {
    const before = readFileSync(p.caCert, 'utf8');
    const apiserver = readFileSync(p.apiserverCert, 'utf8');
    for (const f of readdirSync(p.dir).filter((f) => f.startsWith('etcd') || f.startsWith('apiserver-etcd'))) rmSync(join(p.dir, f));
    ensurePki(state);
    expect(readFileSync(p.caCert, 'utf8')).toBe(before);
    expect(readFileSync(p.apiserverCert, 'utf8')).toBe(apiserver);
    const etcdCa = new X509Certificate(readFileSync(p.etcdCaCert));
    expect(new X509Certificate(readFileSync(p.apiserverEtcdClient.cert)).verify(etcdCa.publicKey)).toBe(true);
  }, 60_000);

  it('re-issues an etcd leaf issued for other usages (an earlier serving cert without client use)', () => {
    const ca = readFileSync(p.etcdCaCert, 'utf8');
    const peer = readFileSync(p.etcdPeer.cert, 'utf8');
    writeFileSync(p.etcdServer.cert, issueCert({ certPem: ca, keyPem: readFileSync(p.etcdCaKey, 'utf8') }, { commonName: 'copse-etcd', usage: 'server', now: new Date(), validDays: 1 }).certPem);
    expect(leafFits(readFileSync(p.etcdServer.cert, 'utf8'), ca, 'both')).toBe(false);
    ensurePki(state);
    expect(leafFits(readFileSync(p.etcdServer.cert, 'utf8'), ca, 'both')).toBe(true);
    expect(readFileSync(p.etcdPeer.cert, 'utf8')).toBe(peer);
    expect(leafFits(peer, readFileSync(p.caCert, 'utf8'), 'both')).toBe(false);
  }, 60_000);

  it('re-issues every etcd leaf when the etcd CA is new', () => {
    const server = readFileSync(p.etcdServer.cert, 'utf8');
    rmSync(p.etcdCaKey);
    ensurePki(state);
    expect(readFileSync(p.etcdServer.cert, 'utf8')).not.toBe(server);
    const etcdCa = new X509Certificate(readFileSync(p.etcdCaCert));
    for (const leaf of [p.etcdServer, p.etcdPeer, p.apiserverEtcdClient, p.etcdHealthcheckClient]) {
      expect(new X509Certificate(readFileSync(leaf.cert)).verify(etcdCa.publicKey), leaf.cert).toBe(true);
    }
  }, 60_000);
});
