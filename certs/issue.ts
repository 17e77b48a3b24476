// Pure certificate issuing: given a clock and options, return PEMs. No file or
// cluster I/O here, so the rotation and sync code and the local cluster's PKI
// can all share it and tests can parse the results back.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

const { pki } = forge;

export interface CertKeyPem {
  certPem: string;
  keyPem: string;
}

export type CertUsage = 'server' | 'client' | 'both';

export interface IssueOptions {
  commonName: string;
  organizations?: string[];
  dnsNames?: string[];
  ipAddresses?: string[];
  usage: CertUsage;
  now: Date;
  validDays: number;
}

export interface CaOptions {
  commonName: string;
  organization?: string;
  now: Date;
  validDays: number;
}

// Backdating absorbs clock skew between the issuer and whoever verifies the cert.
const BACKDATE_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

// node-forge's pure-JS RSA is seconds per key; Node's native generator is ~100 ms.
export function newRsaKeyPem(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

function serial(): string {
  // A leading 01 keeps the DER integer positive.
  return '01' + randomBytes(16).toString('hex');
}

function validity(cert: forge.pki.Certificate, now: Date, validDays: number): void {
  cert.validity.notBefore = new Date(now.getTime() - BACKDATE_MS);
  cert.validity.notAfter = new Date(now.getTime() + validDays * DAY_MS);
}

export function newCa(opts: CaOptions): CertKeyPem {
  const keys = newRsaKeyPem();
  const cert = pki.createCertificate();
  cert.publicKey = pki.publicKeyFromPem(keys.publicKeyPem);
  cert.serialNumber = serial();
  validity(cert, opts.now, opts.validDays);
  const subject = [{ name: 'commonName', value: opts.commonName }];
  if (opts.organization) subject.push({ name: 'organizationName', value: opts.organization });
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(pki.privateKeyFromPem(keys.privateKeyPem), forge.md.sha256.create());
  return { certPem: pki.certificateToPem(cert), keyPem: keys.privateKeyPem };
}

export function issueCert(ca: CertKeyPem, opts: IssueOptions): CertKeyPem {
  const caCert = pki.certificateFromPem(ca.certPem);
  const caKey = pki.privateKeyFromPem(ca.keyPem);
  const keys = newRsaKeyPem();
  const cert = pki.createCertificate();
  cert.publicKey = pki.publicKeyFromPem(keys.publicKeyPem);
  cert.serialNumber = serial();
  validity(cert, opts.now, opts.validDays);
  const subject: forge.pki.CertificateField[] = [{ name: 'commonName', value: opts.commonName }];
  for (const o of opts.organizations ?? []) subject.push({ name: 'organizationName', value: o });
  cert.setSubject(subject);
  cert.setIssuer(caCert.subject.attributes);
  const altNames = [
    ...(opts.dnsNames ?? []).map((value) => ({ type: 2, value })),
    ...(opts.ipAddresses ?? []).map((ip) => ({ type: 7, ip })),
  ];
  const extensions: object[] = [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    {
      name: 'extKeyUsage',
      serverAuth: opts.usage !== 'client',
      clientAuth: opts.usage !== 'server',
    },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ];
  if (altNames.length > 0) extensions.push({ name: 'subjectAltName', altNames });
  cert.setExtensions(extensions);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: pki.certificateToPem(cert), keyPem: keys.privateKeyPem };
}

export function base64(pem: string): string {
  return Buffer.from(pem, 'utf8').toString('base64');
}
