// Pure rotation decision (style §7.6): given what is stored, a clock and a policy, say whether to
// keep the certificates, re-issue the serving (leaf) certificate from the existing CA, or start
// over with a new CA. Parsing uses Node's read-only X509Certificate; nothing here does I/O.
//
// Policy defaults follow OPA cert-controller as used by Grove (k8s-wire §5.2): CA 10 years, leaf
// 1 year, renew the leaf within 90 days of expiry; we additionally renew the CA within a year of
// its expiry so a fresh leaf never outlives its issuer.
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';

/** What we keep in the Secret (PEM strings). `caCertPem` may hold several certs: the signing CA first, then older CAs still trusted during a CA rotation. */
export interface CertBundle {
  caCertPem?: string;
  caKeyPem?: string;
  certPem?: string;
  keyPem?: string;
}

export interface RotationPolicy extends Lifetimes {
  dnsNames: readonly string[];
  ipAddresses: readonly string[];
}

export type RotationAction = 'keep' | 'renew-leaf' | 'renew-ca';

export interface RotationDecision {
  action: RotationAction;
  reason: string;
}

export const DAY_MS = 24 * 60 * 60 * 1000;
export const SERVER_AUTH_OID = '1.3.6.1.5.5.7.3.1';

export interface Lifetimes {
  caValidDays: number;
  leafValidDays: number;
  leafRenewBeforeDays: number;
  caRenewBeforeDays: number;
}

export const DEFAULT_LIFETIMES: Readonly<Lifetimes> = {
  caValidDays: 3650,
  leafValidDays: 365,
  leafRenewBeforeDays: 90,
  caRenewBeforeDays: 365,
};

export function rotationPolicy(
  names: { dnsNames: readonly string[]; ipAddresses?: readonly string[] },
  overrides: Partial<Lifetimes> = {},
): RotationPolicy {
  const p: RotationPolicy = { ...DEFAULT_LIFETIMES, ...overrides, dnsNames: names.dnsNames, ipAddresses: names.ipAddresses ?? [] };
  if (p.leafRenewBeforeDays >= p.leafValidDays) throw new Error('leafRenewBeforeDays must be less than leafValidDays (or every check would renew)');
  if (p.caRenewBeforeDays >= p.caValidDays) throw new Error('caRenewBeforeDays must be less than caValidDays');
  if (p.dnsNames.length === 0 && p.ipAddresses.length === 0) throw new Error('a serving certificate needs at least one SAN');
  return p;
}

/**
 * The SANs a webhook/API server reachable as Service `<svc>.<ns>` needs: the in-cluster forms
 * (the apiserver verifies `<svc>.<ns>.svc`, k8s-wire §2.3) plus localhost and 127.0.0.1 for the
 * local `copse up` mode, which registers `url: https://127.0.0.1:<port>/...`.
 */
export function servingNames(
  service: { name: string; namespace: string },
  extra: { dnsNames?: readonly string[]; ipAddresses?: readonly string[] } = {},
): { dnsNames: string[]; ipAddresses: string[] } {
  const { name, namespace } = service;
  const dns = [name, `${name}.${namespace}`, `${name}.${namespace}.svc`, `${name}.${namespace}.svc.cluster.local`, 'localhost', ...(extra.dnsNames ?? [])];
  const ips = ['127.0.0.1', ...(extra.ipAddresses ?? [])];
  return { dnsNames: [...new Set(dns)], ipAddresses: [...new Set(ips)] };
}

const PEM_CERT_RE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Every certificate in a PEM bundle, in order, normalised to end with a newline. */
export function splitPemCerts(pem: string | undefined): string[] {
  return (pem ?? '').match(PEM_CERT_RE)?.map((c) => `${c}\n`) ?? [];
}

export function parseCert(pem: string | undefined): X509Certificate | undefined {
  const first = splitPemCerts(pem)[0];
  if (!first) return undefined;
  try {
    return new X509Certificate(first);
  } catch {
    return undefined;
  }
}

export function parseKey(pem: string | undefined): KeyObject | undefined {
  if (!pem || !pem.trim()) return undefined;
  try {
    return createPrivateKey(pem);
  } catch {
    return undefined;
  }
}

export function notAfter(cert: X509Certificate): Date {
  return new Date(cert.validTo);
}

export function notBefore(cert: X509Certificate): Date {
  return new Date(cert.validFrom);
}

/** SANs of a certificate as `{dns, ip}` lists (parsed from Node's `subjectAltName` text). */
export function certSans(cert: X509Certificate): { dnsNames: string[]; ipAddresses: string[] } {
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  for (const part of (cert.subjectAltName ?? '').split(/,\s*/)) {
    if (part.startsWith('DNS:')) dnsNames.push(part.slice(4));
    else if (part.startsWith('IP Address:')) ipAddresses.push(part.slice(11));
  }
  return { dnsNames, ipAddresses };
}

function sameSet(a: readonly string[], b: readonly string[], fold: (s: string) => string): boolean {
  const sa = new Set(a.map(fold));
  const sb = new Set(b.map(fold));
  return sa.size === sb.size && [...sa].every((x) => sb.has(x));
}

/** True when the leaf carries exactly the wanted SANs (DNS case-insensitive). */
export function sansMatch(cert: X509Certificate, policy: Pick<RotationPolicy, 'dnsNames' | 'ipAddresses'>): boolean {
  const have = certSans(cert);
  return sameSet(have.dnsNames, policy.dnsNames, (s) => s.toLowerCase()) && sameSet(have.ipAddresses, policy.ipAddresses, (s) => s);
}

function keyMatches(cert: X509Certificate, key: KeyObject): boolean {
  try {
    return cert.checkPrivateKey(key);
  } catch {
    return false;
  }
}

function issuedBy(leaf: X509Certificate, ca: X509Certificate): boolean {
  try {
    return leaf.checkIssued(ca) && leaf.verify(ca.publicKey);
  } catch {
    return false;
  }
}

const days = (ms: number): string => `${Math.floor(ms / DAY_MS)}d`;

function caProblem(bundle: CertBundle, now: Date, policy: Pick<RotationPolicy, 'caRenewBeforeDays'>): string | undefined {
  const ca = parseCert(bundle.caCertPem);
  if (!ca) return bundle.caCertPem?.trim() ? 'CA certificate is unparsable' : 'no CA certificate';
  if (!ca.ca) return 'ca.crt is not a CA certificate';
  const key = parseKey(bundle.caKeyPem);
  if (!key) return bundle.caKeyPem?.trim() ? 'CA key is unparsable' : 'no CA key';
  if (!keyMatches(ca, key)) return 'CA key does not match the CA certificate';
  if (notBefore(ca).getTime() > now.getTime()) return 'CA certificate is not yet valid';
  const left = notAfter(ca).getTime() - now.getTime();
  if (left <= policy.caRenewBeforeDays * DAY_MS) return left <= 0 ? 'CA certificate expired' : `CA certificate expires in ${days(left)}`;
  return undefined;
}

function leafIdentityProblem(bundle: CertBundle): string | undefined {
  const leaf = parseCert(bundle.certPem);
  if (!leaf) return bundle.certPem?.trim() ? 'serving certificate is unparsable' : 'no serving certificate';
  const key = parseKey(bundle.keyPem);
  if (!key) return bundle.keyPem?.trim() ? 'serving key is unparsable' : 'no serving key';
  if (!keyMatches(leaf, key)) return 'serving key does not match the serving certificate';
  const ca = parseCert(bundle.caCertPem);
  if (!ca || !issuedBy(leaf, ca)) return 'serving certificate is not signed by the current CA';
  if (!(leaf.keyUsage ?? []).includes(SERVER_AUTH_OID)) return 'serving certificate lacks the serverAuth extended key usage';
  return undefined;
}

function leafProblem(bundle: CertBundle, now: Date, policy: RotationPolicy): string | undefined {
  const identity = leafIdentityProblem(bundle);
  if (identity) return identity;
  const leaf = parseCert(bundle.certPem) as X509Certificate;
  if (notBefore(leaf).getTime() > now.getTime()) return 'serving certificate is not yet valid';
  const left = notAfter(leaf).getTime() - now.getTime();
  if (left <= policy.leafRenewBeforeDays * DAY_MS) return left <= 0 ? 'serving certificate expired' : `serving certificate expires in ${days(left)}`;
  if (!sansMatch(leaf, policy)) return 'serving certificate SANs differ from the wanted names';
  return undefined;
}

/** The CA alone (ca.crt, ca.key): keep it, or start over with a new one. */
export function decideCaRotation(bundle: CertBundle, now: Date, policy: Pick<RotationPolicy, 'caRenewBeforeDays'>): RotationDecision {
  const ca = caProblem(bundle, now, policy);
  return ca ? { action: 'renew-ca', reason: ca } : { action: 'keep', reason: 'the CA is valid' };
}

/** The decision with a human-readable reason (for logs and events). */
export function decideRotation(bundle: CertBundle, now: Date, policy: RotationPolicy): RotationDecision {
  const ca = caProblem(bundle, now, policy);
  if (ca) return { action: 'renew-ca', reason: ca };
  const leaf = leafProblem(bundle, now, policy);
  if (leaf) return { action: 'renew-leaf', reason: leaf };
  return { action: 'keep', reason: 'certificates are valid' };
}

/** `(bundle, now, policy) => 'keep' | 'renew-leaf' | 'renew-ca'` */
export function rotate(bundle: CertBundle, now: Date, policy: RotationPolicy): RotationAction {
  return decideRotation(bundle, now, policy).action;
}

/**
 * A leaf that is fit to be served right now, regardless of renewal windows: parsable, key
 * matches, within its validity period. Used for readiness and for user-provided (manual) certs.
 */
export function servable(certPem: string | undefined, keyPem: string | undefined, now: Date): { ok: true } | { ok: false; reason: string } {
  const leaf = parseCert(certPem);
  if (!leaf) return { ok: false, reason: 'certificate is missing or unparsable' };
  const key = parseKey(keyPem);
  if (!key) return { ok: false, reason: 'private key is missing or unparsable' };
  if (!keyMatches(leaf, key)) return { ok: false, reason: 'private key does not match the certificate' };
  if (notBefore(leaf).getTime() > now.getTime()) return { ok: false, reason: `certificate is not valid before ${leaf.validFrom}` };
  if (notAfter(leaf).getTime() <= now.getTime()) return { ok: false, reason: `certificate expired at ${leaf.validTo}` };
  return { ok: true };
}
