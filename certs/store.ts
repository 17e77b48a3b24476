// Where certificates live: a `kubernetes.io/tls` Secret with keys tls.crt, tls.key, ca.crt, ca.key
// (the layout OPA cert-controller and Grove use, k8s-wire §5.2), or a directory of files for
// user-provided certificates. `ensureServingSecret` is the create-or-rotate step with optimistic
// concurrency, so replicas that start together converge on one CA.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CoreV1Api, V1Secret } from '../kube/client.js';
import { KubeError, toKubeError } from '../kube/errors.js';
import type { Logger } from '../kube/log.js';
import { issueCert, newCa } from './issue.js';
import {
  DAY_MS,
  decideRotation,
  notAfter,
  parseCert,
  splitPemCerts,
  type CertBundle,
  type RotationAction,
  type RotationDecision,
  type RotationPolicy,
} from './rotate.js';

export interface SecretRef {
  namespace: string;
  name: string;
}

export const SECRET_KEYS = { cert: 'tls.crt', key: 'tls.key', caCert: 'ca.crt', caKey: 'ca.key' } as const;
export const TLS_SECRET_TYPE = 'kubernetes.io/tls';

export interface IssuerIdentity {
  caCommonName: string;
  organization: string;
  /** CN of the serving certificate (Go ignores CN; SANs are what count). */
  commonName: string;
}

export const DEFAULT_IDENTITY: IssuerIdentity = { caCommonName: 'copse-ca', organization: 'copse', commonName: 'copse-webhook' };

const decode = (v: string | undefined): string | undefined => (v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8'));
const encode = (v: string | undefined): string => Buffer.from(v ?? '', 'utf8').toString('base64');

/** Secret `.data` (base64 values) → PEM bundle. Empty values count as absent. */
export function bundleFromSecretData(data: Record<string, string> | undefined): CertBundle {
  const d = data ?? {};
  const get = (k: string): string | undefined => {
    const v = decode(d[k]);
    return v && v.trim() ? v : undefined;
  };
  const b: CertBundle = {};
  const cert = get(SECRET_KEYS.cert);
  const key = get(SECRET_KEYS.key);
  const caCert = get(SECRET_KEYS.caCert);
  const caKey = get(SECRET_KEYS.caKey);
  if (cert) b.certPem = cert;
  if (key) b.keyPem = key;
  if (caCert) b.caCertPem = caCert;
  if (caKey) b.caKeyPem = caKey;
  return b;
}

/** PEM bundle → Secret `.data`. All four keys are always present (tls Secrets require tls.crt and tls.key). */
export function secretDataFromBundle(b: CertBundle): Record<string, string> {
  return {
    [SECRET_KEYS.cert]: encode(b.certPem),
    [SECRET_KEYS.key]: encode(b.keyPem),
    [SECRET_KEYS.caCert]: encode(b.caCertPem),
    [SECRET_KEYS.caKey]: encode(b.caKeyPem),
  };
}

/** Keep the first (signing) CA and any later CA that is still valid; drop expired or unparsable extras. */
export function pruneCaBundle(caCertPem: string | undefined, now: Date): string {
  const certs = splitPemCerts(caCertPem);
  const [first, ...rest] = certs;
  if (!first) return '';
  const keep = rest.filter((pem) => {
    const c = parseCert(pem);
    return c !== undefined && notAfter(c).getTime() > now.getTime();
  });
  return [first, ...keep].join('');
}

/**
 * Produce the bundle after `action` (pure apart from key generation). A new CA is placed first in
 * ca.crt, followed by the previous CA while it is still valid, so the injected caBundle trusts both
 * and no webhook call fails between the Secret update and the caBundle injection.
 */
export function renewBundle(
  bundle: CertBundle,
  action: RotationAction,
  now: Date,
  policy: RotationPolicy,
  identity: IssuerIdentity = DEFAULT_IDENTITY,
): CertBundle {
  if (action === 'keep') return bundle;
  let caCertPem: string;
  let caKeyPem: string;
  let caChain: string;
  if (action === 'renew-ca') {
    const ca = newCa({ commonName: identity.caCommonName, organization: identity.organization, now, validDays: policy.caValidDays });
    caCertPem = ca.certPem;
    caKeyPem = ca.keyPem;
    const old = parseCert(bundle.caCertPem);
    const keepOld = old !== undefined && old.ca && notAfter(old).getTime() > now.getTime();
    caChain = pruneCaBundle(ca.certPem + (keepOld ? splitPemCerts(bundle.caCertPem).join('') : ''), now);
  } else {
    if (!bundle.caCertPem || !bundle.caKeyPem) throw new Error('renew-leaf needs an existing CA');
    caCertPem = splitPemCerts(bundle.caCertPem)[0] ?? bundle.caCertPem;
    caKeyPem = bundle.caKeyPem;
    caChain = pruneCaBundle(bundle.caCertPem, now);
  }
  // Never let the leaf outlive its issuer.
  const ca = parseCert(caCertPem);
  const caDaysLeft = ca ? Math.floor((notAfter(ca).getTime() - now.getTime()) / DAY_MS) : policy.leafValidDays;
  const leaf = issueCert(
    { certPem: caCertPem, keyPem: caKeyPem },
    {
      commonName: identity.commonName,
      organizations: [identity.organization],
      dnsNames: [...policy.dnsNames],
      ipAddresses: [...policy.ipAddresses],
      usage: 'server',
      now,
      validDays: Math.max(1, Math.min(policy.leafValidDays, caDaysLeft)),
    },
  );
  return { caCertPem: caChain, caKeyPem, certPem: leaf.certPem, keyPem: leaf.keyPem };
}

/** The three Secret calls the store needs (CoreV1Api satisfies it). */
export type SecretsApi = Pick<CoreV1Api, 'readNamespacedSecret' | 'createNamespacedSecret' | 'replaceNamespacedSecret'>;

export interface StoredBundle {
  bundle: CertBundle;
  resourceVersion: string | undefined;
  secret: V1Secret;
}

export async function readSecretBundle(core: Pick<CoreV1Api, 'readNamespacedSecret'>, ref: SecretRef): Promise<StoredBundle | undefined> {
  try {
    const secret = await core.readNamespacedSecret({ namespace: ref.namespace, name: ref.name });
    return { bundle: bundleFromSecretData(secret.data), resourceVersion: secret.metadata?.resourceVersion, secret };
  } catch (err) {
    const ke = toKubeError(err);
    if (ke.kind === 'NotFound') return undefined;
    throw ke;
  }
}

export interface EnsureOptions {
  now?: () => Date;
  log?: Logger;
  identity?: IssuerIdentity;
  /** Attempts on write conflicts before giving up (default 6). */
  maxAttempts?: number;
  labels?: Record<string, string>;
}

export interface EnsureResult {
  bundle: CertBundle;
  /** What this call did: `keep` when the stored certificates were fine (or another replica wrote first). */
  action: RotationAction;
  decision: RotationDecision;
  wrote: boolean;
}

const DEFAULT_LABELS = { 'app.kubernetes.io/managed-by': 'copse', 'app.kubernetes.io/component': 'webhook-cert' };

function newSecret(ref: SecretRef, bundle: CertBundle, labels: Record<string, string>): V1Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: ref.name, namespace: ref.namespace, labels },
    type: TLS_SECRET_TYPE,
    data: secretDataFromBundle(bundle),
  };
}

function updatedSecret(current: V1Secret, bundle: CertBundle, labels: Record<string, string>): V1Secret {
  const meta = current.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: meta.name,
      namespace: meta.namespace,
      // The resourceVersion makes this update conditional: a concurrent writer wins, we re-read.
      resourceVersion: meta.resourceVersion,
      labels: { ...(meta.labels ?? {}), ...labels },
      annotations: meta.annotations,
    },
    // A Secret's type is immutable; keep whatever the placeholder was created with.
    type: current.type ?? TLS_SECRET_TYPE,
    data: { ...(current.data ?? {}), ...secretDataFromBundle(bundle) },
  };
}

function writeBundle(core: SecretsApi, ref: SecretRef, stored: StoredBundle | undefined, next: CertBundle, labels: Record<string, string>): Promise<V1Secret> {
  return stored
    ? core.replaceNamespacedSecret({ namespace: ref.namespace, name: ref.name, body: updatedSecret(stored.secret, next, labels) })
    : core.createNamespacedSecret({ namespace: ref.namespace, body: newSecret(ref, next, labels) });
}

/** One read-decide-write round; `undefined` means another writer got there first (re-read and retry). */
async function ensureOnce(core: SecretsApi, ref: SecretRef, policy: RotationPolicy, opts: EnsureOptions, labels: Record<string, string>): Promise<EnsureResult | undefined> {
  const stored = await readSecretBundle(core, ref);
  const t = (opts.now ?? (() => new Date()))();
  const decision = decideRotation(stored?.bundle ?? {}, t, policy);
  if (stored && decision.action === 'keep') return { bundle: stored.bundle, action: 'keep', decision, wrote: false };
  const next = renewBundle(stored?.bundle ?? {}, decision.action, t, policy, opts.identity);
  try {
    await writeBundle(core, ref, stored, next, labels);
  } catch (err) {
    const ke = toKubeError(err);
    if (ke.kind === 'Conflict' || ke.kind === 'AlreadyExists') return undefined;
    throw ke;
  }
  opts.log?.info({ secret: `${ref.namespace}/${ref.name}`, action: decision.action, reason: decision.reason }, 'stored new certificates');
  return { bundle: next, action: decision.action, decision, wrote: true };
}

/**
 * Make sure the Secret holds a CA and a serving certificate fit for `policy`, creating or rotating
 * as needed. Optimistic concurrency: create fails with AlreadyExists and update (carrying the read
 * resourceVersion) fails with Conflict when another replica wrote first; we then re-read and
 * re-decide, which normally finds the other replica's certificates fine and keeps them. Two
 * replicas starting together therefore end up with one CA.
 */
export async function ensureServingSecret(core: SecretsApi, ref: SecretRef, policy: RotationPolicy, opts: EnsureOptions = {}): Promise<EnsureResult> {
  const labels = { ...DEFAULT_LABELS, ...(opts.labels ?? {}) };
  const attempts = opts.maxAttempts ?? 6;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const res = await ensureOnce(core, ref, policy, opts, labels);
    if (res) return res;
    opts.log?.debug({ secret: `${ref.namespace}/${ref.name}`, attempt }, 'certificate secret changed concurrently; re-reading');
    // Jitter so two replicas that collided do not collide again on the retry.
    await sleep(20 + Math.floor(Math.random() * 80 * attempt));
  }
  throw new KubeError('Conflict', 409, `could not store certificates in ${ref.namespace}/${ref.name}: still conflicting after ${attempts} attempts`, undefined, undefined);
}

/** Read a user-provided certificate directory (tls.crt, tls.key, optional ca.crt), as a mounted Secret looks. */
export async function readCertDir(dir: string): Promise<CertBundle> {
  const read = async (name: string): Promise<string | undefined> => {
    try {
      const v = await readFile(join(dir, name), 'utf8');
      return v.trim() ? v : undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  };
  const [certPem, keyPem, caCertPem] = await Promise.all([read(SECRET_KEYS.cert), read(SECRET_KEYS.key), read(SECRET_KEYS.caCert)]);
  const b: CertBundle = {};
  if (certPem) b.certPem = certPem;
  if (keyPem) b.keyPem = keyPem;
  if (caCertPem) b.caCertPem = caCertPem;
  return b;
}
