// The local control plane's PKI, issued once per state directory with certs/issue.ts.
// Three separate CAs: the cluster CA signs the apiserver's serving cert and the user
// client certs; the front-proxy CA signs only the aggregator's client cert, as the
// aggregation layer requires; the etcd CA signs etcd's serving and peer certs and
// the only client certs etcd accepts, so no cluster user's certificate opens etcd.
// Every file is owner-only (cluster/private-files.ts).
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { issueCert, newCa, newRsaKeyPem, type CertKeyPem, type CertUsage, type IssueOptions } from '../certs/issue.js';
import { mkdirPrivate, writePrivate } from './private-files.js';

export const FRONT_PROXY_CLIENT_CN = 'front-proxy-client';
/** The in-cluster address of the `kubernetes` Service: first IP of the service range. */
export const SERVICE_CIDR = '10.96.0.0/16';
export const KUBERNETES_SERVICE_IP = '10.96.0.1';

export interface ClientIdentity {
  name: string;
  commonName: string;
  organizations: string[];
}

export const CLIENTS: ClientIdentity[] = [
  { name: 'admin', commonName: 'copse-admin', organizations: ['system:masters'] },
  { name: 'kube-controller-manager', commonName: 'system:kube-controller-manager', organizations: [] },
  { name: 'kube-scheduler', commonName: 'system:kube-scheduler', organizations: [] },
  // kwok plays every kubelet; admin rights keep its node and pod status writes simple.
  { name: 'kwok', commonName: 'copse-kwok', organizations: ['system:masters'] },
];

export interface PkiPaths {
  dir: string;
  caCert: string;
  caKey: string;
  apiserverCert: string;
  apiserverKey: string;
  frontProxyCaCert: string;
  frontProxyClientCert: string;
  frontProxyClientKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
  etcdCaCert: string;
  etcdCaKey: string;
  /** etcd's client-port serving cert. */
  etcdServer: CertKeyPaths;
  /** etcd's peer cert (server and client use), for its loopback peer port. */
  etcdPeer: CertKeyPaths;
  /** kube-apiserver's client cert for etcd. */
  apiserverEtcdClient: CertKeyPaths;
  /** copse's own client cert for etcd's /health (status and start-up probes). */
  etcdHealthcheckClient: CertKeyPaths;
  client(name: string): CertKeyPaths;
}

export interface CertKeyPaths {
  cert: string;
  key: string;
}

export function pkiPaths(stateDir: string): PkiPaths {
  const dir = join(stateDir, 'pki');
  return {
    dir,
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    apiserverCert: join(dir, 'apiserver.crt'),
    apiserverKey: join(dir, 'apiserver.key'),
    frontProxyCaCert: join(dir, 'front-proxy-ca.crt'),
    frontProxyClientCert: join(dir, 'front-proxy-client.crt'),
    frontProxyClientKey: join(dir, 'front-proxy-client.key'),
    serviceAccountKey: join(dir, 'sa.key'),
    serviceAccountPub: join(dir, 'sa.pub'),
    etcdCaCert: join(dir, 'etcd-ca.crt'),
    etcdCaKey: join(dir, 'etcd-ca.key'),
    etcdServer: pair('etcd-server'),
    etcdPeer: pair('etcd-peer'),
    apiserverEtcdClient: pair('apiserver-etcd-client'),
    etcdHealthcheckClient: pair('etcd-healthcheck-client'),
    client: pair,
  };
  function pair(name: string): CertKeyPaths {
    return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  }
}

function writePair(cert: string, key: string, pair: CertKeyPem): void {
  writePrivate(cert, pair.certPem);
  writePrivate(key, pair.keyPem);
}

const LOOPBACK_SANS = { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] };

/** etcd's certificates: what each is for, by its paths. */
function etcdLeaves(p: PkiPaths): { paths: CertKeyPaths; opts: Omit<IssueOptions, 'now' | 'validDays'> }[] {
  return [
    // Client use too: etcd's JSON gateway dials etcd's own gRPC port with this cert.
    { paths: p.etcdServer, opts: { commonName: 'copse-etcd', ...LOOPBACK_SANS, usage: 'both' } },
    { paths: p.etcdPeer, opts: { commonName: 'copse-etcd-peer', ...LOOPBACK_SANS, usage: 'both' } },
    { paths: p.apiserverEtcdClient, opts: { commonName: 'kube-apiserver-etcd-client', usage: 'client' } },
    { paths: p.etcdHealthcheckClient, opts: { commonName: 'copse-etcd-healthcheck-client', usage: 'client' } },
  ];
}

const EKU = { server: ['1.3.6.1.5.5.7.3.1'], client: ['1.3.6.1.5.5.7.3.2'], both: ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'] };

/** Whether an existing leaf was signed by `caPem` and has exactly the extended key usages `usage` asks for. */
export function leafFits(certPem: string, caPem: string, usage: CertUsage): boolean {
  try {
    const leaf = new X509Certificate(certPem);
    if (!leaf.verify(new X509Certificate(caPem).publicKey)) return false;
    const have = [...(leaf.keyUsage ?? [])].sort();
    return have.length === EKU[usage].length && have.every((u, i) => u === EKU[usage][i]);
  } catch {
    return false;
  }
}

/**
 * The etcd CA and its leaves. A leaf is (re)issued when it is missing or does not fit:
 * signed by another CA (the CA was re-created) or issued for other usages by an
 * earlier copse (etcd's serving cert once lacked client use, which its gateway needs).
 */
function ensureEtcdPki(p: PkiPaths, now: Date): void {
  if (!existsSync(p.etcdCaCert) || !existsSync(p.etcdCaKey)) {
    writePair(p.etcdCaCert, p.etcdCaKey, newCa({ commonName: 'copse-etcd-ca', organization: 'copse', now, validDays: 3650 }));
  }
  const ca: CertKeyPem = { certPem: readFileSync(p.etcdCaCert, 'utf8'), keyPem: readFileSync(p.etcdCaKey, 'utf8') };
  for (const { paths, opts } of etcdLeaves(p)) {
    if (existsSync(paths.cert) && existsSync(paths.key) && leafFits(readFileSync(paths.cert, 'utf8'), ca.certPem, opts.usage)) continue;
    writePair(paths.cert, paths.key, issueCert(ca, { ...opts, now, validDays: 365 }));
  }
}

/**
 * Issue everything that is missing; existing material is kept so restarts reuse it.
 * State directories from older copse versions gain what they lack (e.g. the etcd PKI).
 */
export function ensurePki(stateDir: string, now = new Date()): PkiPaths {
  const p = pkiPaths(stateDir);
  mkdirPrivate(p.dir);
  if (!existsSync(p.caCert) || !existsSync(p.caKey)) {
    writePair(p.caCert, p.caKey, newCa({ commonName: 'copse-local-ca', organization: 'copse', now, validDays: 3650 }));
  }
  const ca: CertKeyPem = { certPem: readFileSync(p.caCert, 'utf8'), keyPem: readFileSync(p.caKey, 'utf8') };
  if (!existsSync(p.apiserverCert)) {
    writePair(
      p.apiserverCert,
      p.apiserverKey,
      issueCert(ca, {
        commonName: 'kube-apiserver',
        dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'],
        ipAddresses: ['127.0.0.1', KUBERNETES_SERVICE_IP],
        usage: 'server',
        now,
        validDays: 365,
      }),
    );
  }
  for (const c of CLIENTS) {
    const paths = p.client(c.name);
    if (existsSync(paths.cert)) continue;
    writePair(paths.cert, paths.key, issueCert(ca, { commonName: c.commonName, organizations: c.organizations, usage: 'client', now, validDays: 365 }));
  }
  if (!existsSync(p.frontProxyCaCert)) {
    const fpCa = newCa({ commonName: 'copse-front-proxy-ca', organization: 'copse', now, validDays: 3650 });
    writePrivate(p.frontProxyCaCert, fpCa.certPem);
    writePair(p.frontProxyClientCert, p.frontProxyClientKey, issueCert(fpCa, { commonName: FRONT_PROXY_CLIENT_CN, usage: 'client', now, validDays: 365 }));
  }
  if (!existsSync(p.serviceAccountKey)) {
    const sa = newRsaKeyPem();
    writePrivate(p.serviceAccountKey, sa.privateKeyPem);
    writePrivate(p.serviceAccountPub, sa.publicKeyPem);
  }
  ensureEtcdPki(p, now);
  return p;
}

/** A kubeconfig with the certificate material inlined, so it can be copied anywhere. */
export function kubeconfigYaml(opts: { server: string; caCertPem: string; certPem: string; keyPem: string; user: string }): string {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: copse-local',
    '  cluster:',
    `    server: ${opts.server}`,
    `    certificate-authority-data: ${b64(opts.caCertPem)}`,
    'users:',
    `- name: ${opts.user}`,
    '  user:',
    `    client-certificate-data: ${b64(opts.certPem)}`,
    `    client-key-data: ${b64(opts.keyPem)}`,
    'contexts:',
    '- name: copse-local',
    '  context:',
    '    cluster: copse-local',
    `    user: ${opts.user}`,
    'current-context: copse-local',
    '',
  ].join('\n');
}

export function writeKubeconfigs(stateDir: string, server: string): Record<string, string> {
  const p = pkiPaths(stateDir);
  const caCertPem = readFileSync(p.caCert, 'utf8');
  const out: Record<string, string> = {};
  for (const c of CLIENTS) {
    const path = join(stateDir, `${c.name}.kubeconfig`);
    const { cert, key } = p.client(c.name);
    writePrivate(path, kubeconfigYaml({ server, caCertPem, certPem: readFileSync(cert, 'utf8'), keyPem: readFileSync(key, 'utf8'), user: c.name }));
    out[c.name] = path;
  }
  return out;
}
