// The local control plane's PKI, issued once per state directory with certs/issue.ts.
// Two separate CAs, as the aggregation layer requires: the cluster CA signs serving
// and user client certs; the front-proxy CA signs only the aggregator's client cert.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { issueCert, newCa, newRsaKeyPem, type CertKeyPem } from '../certs/issue.js';

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
  client(name: string): { cert: string; key: string };
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
    client: (name) => ({ cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) }),
  };
}

function write(path: string, content: string, secret = false): void {
  writeFileSync(path, content, { mode: secret ? 0o600 : 0o644 });
}

function writePair(cert: string, key: string, pair: CertKeyPem): void {
  write(cert, pair.certPem);
  write(key, pair.keyPem, true);
}

/** Issue everything that is missing; existing material is kept so restarts reuse it. */
export function ensurePki(stateDir: string, now = new Date()): PkiPaths {
  const p = pkiPaths(stateDir);
  mkdirSync(p.dir, { recursive: true, mode: 0o700 });
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
    write(p.frontProxyCaCert, fpCa.certPem);
    writePair(p.frontProxyClientCert, p.frontProxyClientKey, issueCert(fpCa, { commonName: FRONT_PROXY_CLIENT_CN, usage: 'client', now, validDays: 365 }));
  }
  if (!existsSync(p.serviceAccountKey)) {
    const sa = newRsaKeyPem();
    write(p.serviceAccountKey, sa.privateKeyPem, true);
    write(p.serviceAccountPub, sa.publicKeyPem);
  }
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
    write(path, kubeconfigYaml({ server, caCertPem, certPem: readFileSync(cert, 'utf8'), keyPem: readFileSync(key, 'utf8'), user: c.name }), true);
    out[c.name] = path;
  }
  return out;
}
