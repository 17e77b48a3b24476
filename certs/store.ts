// Where certificates live. copse's CA, the key that signs every serving certificate copse issues
// (the webhook server's now, the aggregated API server's later), has a Secret of its own, `copse-ca`
// (ca.crt, ca.key). A serving Secret is a `kubernetes.io/tls` Secret holding tls.crt, tls.key and
// ca.crt (what a client needs to trust it), never the CA key, so whatever can read a serving key
// cannot mint certificates. User-provided certificates come from a directory instead.
//
// `ensureCertificates` is the create-or-rotate step with optimistic concurrency, so replicas that
// start together converge on one CA. It also migrates the older layout, where ca.key sat in the
// serving Secret: that CA moves into `copse-ca` unchanged and ca.key is dropped from the serving
// Secret, so nothing that trusts the old CA breaks.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Secret } from '../api/core/wire.js';
import type { DynamicClient } from '../kube/dynamic.js';
import { KubeError, toKubeError } from '../kube/errors.js';
import type { Logger } from '../kube/log.js';
import { RESOURCES } from '../kube/resources.js';
import { issueCert, newCa } from './issue.js';
import {
  DAY_MS,
  decideCaRotation,
  decideRotation,
  notAfter,
  parseCert,
  splitPemCerts,
  type CertBundle,
  type Lifetimes,
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
export const OPAQUE_SECRET_TYPE = 'Opaque';
/** The Secret holding copse's CA (in copse's namespace). */
export const DEFAULT_CA_SECRET_NAME = 'copse-ca';

/** The CA Secret and one serving Secret signed by that CA. */
export interface CertificateSecrets {
  ca: SecretRef;
  serving: SecretRef;
}

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

/** The CA Secret's `.data`: ca.crt (the signing CA first, then older CAs still trusted) and ca.key. */
export function caSecretData(b: CertBundle): Record<string, string> {
  return { [SECRET_KEYS.caCert]: encode(b.caCertPem), [SECRET_KEYS.caKey]: encode(b.caKeyPem) };
}

/** A serving Secret's `.data`: tls.crt, tls.key and ca.crt (tls Secrets require the first two). Never ca.key. */
export function servingSecretData(b: CertBundle): Record<string, string> {
  return { [SECRET_KEYS.cert]: encode(b.certPem), [SECRET_KEYS.key]: encode(b.keyPem), [SECRET_KEYS.caCert]: encode(b.caCertPem) };
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
 * A new CA, placed first in ca.crt, followed by the previous CA while it is still valid, so the
 * injected caBundle trusts both and no webhook call fails between the Secret update and the
 * caBundle injection.
 */
export function renewCa(previousCaCertPem: string | undefined, now: Date, policy: Lifetimes, identity: IssuerIdentity = DEFAULT_IDENTITY): CertBundle {
  const ca = newCa({ commonName: identity.caCommonName, organization: identity.organization, now, validDays: policy.caValidDays });
  const old = parseCert(previousCaCertPem);
  const keepOld = old !== undefined && old.ca && notAfter(old).getTime() > now.getTime();
  return { caCertPem: pruneCaBundle(ca.certPem + (keepOld ? splitPemCerts(previousCaCertPem).join('') : ''), now), caKeyPem: ca.keyPem };
}

/** A serving certificate for `policy`'s names from the CA in `ca` (its first certificate), never outliving it. */
export function issueLeaf(ca: CertBundle, now: Date, policy: RotationPolicy, identity: IssuerIdentity = DEFAULT_IDENTITY): CertBundle {
  if (!ca.caCertPem || !ca.caKeyPem) throw new Error('a serving certificate needs an existing CA');
  const caCertPem = splitPemCerts(ca.caCertPem)[0] ?? ca.caCertPem;
  const caCert = parseCert(caCertPem);
  const caDaysLeft = caCert ? Math.floor((notAfter(caCert).getTime() - now.getTime()) / DAY_MS) : policy.leafValidDays;
  const leaf = issueCert(
    { certPem: caCertPem, keyPem: ca.caKeyPem },
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
  return { caCertPem: pruneCaBundle(ca.caCertPem, now), caKeyPem: ca.caKeyPem, certPem: leaf.certPem, keyPem: leaf.keyPem };
}

/** Produce the bundle after `action` (pure apart from key generation). */
export function renewBundle(bundle: CertBundle, action: RotationAction, now: Date, policy: RotationPolicy, identity: IssuerIdentity = DEFAULT_IDENTITY): CertBundle {
  if (action === 'keep') return bundle;
  const ca = action === 'renew-ca' ? renewCa(bundle.caCertPem, now, policy, identity) : bundle;
  return issueLeaf(ca, now, policy, identity);
}

/** The three calls the store makes (on Secrets only). */
export type SecretsApi = Pick<DynamicClient, 'tryGet' | 'create' | 'update'>;

export interface StoredBundle {
  bundle: CertBundle;
  resourceVersion: string | undefined;
  secret: Secret;
}

export async function readSecretBundle(core: Pick<SecretsApi, 'tryGet'>, ref: SecretRef): Promise<StoredBundle | undefined> {
  const secret = await core.tryGet(RESOURCES.secrets, ref.name, ref.namespace);
  return secret && { bundle: bundleFromSecretData(secret.data), resourceVersion: secret.metadata?.resourceVersion, secret };
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
  /** The CA (chain and key) and the serving certificate, as delivered to the server. */
  bundle: CertBundle;
  /** What this call did: `keep` when the stored certificates were fine (or another replica wrote first). */
  action: RotationAction;
  decision: RotationDecision;
  wrote: boolean;
}

const DEFAULT_LABELS = { 'app.kubernetes.io/managed-by': 'copse', 'app.kubernetes.io/component': 'webhook-cert' };

function newSecret(ref: SecretRef, type: string, data: Record<string, string>, labels: Record<string, string>): Secret {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name: ref.name, namespace: ref.namespace, labels }, type, data };
}

/** `current` with `data` written over it and the keys in `drop` removed; conditional on its resourceVersion. */
function updatedSecret(current: Secret, data: Record<string, string>, labels: Record<string, string>, drop: readonly string[] = []): Secret {
  const meta = current.metadata ?? {};
  const merged: Record<string, string> = { ...(current.data ?? {}), ...data };
  for (const k of drop) delete merged[k];
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
    type: current.type,
    data: merged,
  };
}

/**
 * Replace the stored Secret (`body` carries the resourceVersion read) or create it. `false` when
 * another writer got there first (Conflict on a stale resourceVersion, AlreadyExists on create):
 * re-read and decide again.
 */
async function write(core: SecretsApi, body: Secret, replace: boolean): Promise<boolean> {
  try {
    if (replace) await core.update(RESOURCES.secrets, body);
    else await core.create(RESOURCES.secrets, body);
    return true;
  } catch (err) {
    const ke = toKubeError(err);
    if (ke.kind === 'Conflict' || ke.kind === 'AlreadyExists') return false;
    throw ke;
  }
}

/** Run `once` until it returns a result, backing off with jitter after each lost race. */
async function untilSettled<T>(what: SecretRef, opts: EnsureOptions, once: () => Promise<T | undefined>): Promise<T> {
  const attempts = opts.maxAttempts ?? 6;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const res = await once();
    if (res !== undefined) return res;
    opts.log?.debug({ secret: `${what.namespace}/${what.name}`, attempt }, 'certificate secret changed concurrently; re-reading');
    // Jitter so two replicas that collided do not collide again on the retry.
    await sleep(20 + Math.floor(Math.random() * 80 * attempt));
  }
  throw new KubeError('Conflict', 409, `could not store certificates in ${what.namespace}/${what.name}: still conflicting after ${attempts} attempts`, undefined, undefined);
}

interface CaResult {
  ca: CertBundle;
  decision: RotationDecision;
  wrote: boolean;
}

/**
 * One read-decide-write round for the CA Secret. Without one, a CA found in the serving Secret
 * (the older layout) is moved over as it is; otherwise a new CA is made, keeping whatever CA the
 * serving Secret still advertises in the chain while it is valid.
 */
async function ensureCaOnce(core: SecretsApi, refs: CertificateSecrets, policy: Lifetimes, opts: EnsureOptions, labels: Record<string, string>): Promise<CaResult | undefined> {
  const now = (opts.now ?? (() => new Date()))();
  const stored = await readSecretBundle(core, refs.ca);
  if (stored) {
    const decision = decideCaRotation(stored.bundle, now, policy);
    if (decision.action === 'keep') return { ca: stored.bundle, decision, wrote: false };
    const next = renewCa(stored.bundle.caCertPem, now, policy, opts.identity);
    const ok = await write(core, updatedSecret(stored.secret, caSecretData(next), labels), true);
    return ok ? { ca: next, decision, wrote: true } : undefined;
  }
  const serving = (await readSecretBundle(core, refs.serving))?.bundle;
  const legacy = { caCertPem: serving?.caCertPem, caKeyPem: serving?.caKeyPem };
  const keepLegacy = decideCaRotation(legacy, now, policy).action === 'keep';
  const next = keepLegacy ? legacy : renewCa(serving?.caCertPem, now, policy, opts.identity);
  if (!(await write(core, newSecret(refs.ca, OPAQUE_SECRET_TYPE, caSecretData(next), labels), false))) return undefined;
  if (keepLegacy) opts.log?.info({ from: `${refs.serving.namespace}/${refs.serving.name}`, to: `${refs.ca.namespace}/${refs.ca.name}` }, 'moved the CA key into its own Secret');
  const decision: RotationDecision = keepLegacy ? { action: 'keep', reason: 'moved the CA out of the serving Secret' } : decideCaRotation(legacy, now, policy);
  return { ca: next, decision, wrote: true };
}

/** Whether a serving Secret holds exactly tls.crt, tls.key and the current ca.crt (no CA key left from the older layout). */
function servingSecretIsClean(stored: StoredBundle, ca: CertBundle): boolean {
  return stored.bundle.caCertPem === ca.caCertPem && !Object.prototype.hasOwnProperty.call(stored.secret.data ?? {}, SECRET_KEYS.caKey);
}

/** One read-decide-write round for a serving Secret signed by `ca`. */
async function ensureServingOnce(core: SecretsApi, ref: SecretRef, ca: CertBundle, policy: RotationPolicy, opts: EnsureOptions, labels: Record<string, string>): Promise<EnsureResult | undefined> {
  const now = (opts.now ?? (() => new Date()))();
  const stored = await readSecretBundle(core, ref);
  const current: CertBundle = { ...ca, ...(stored?.bundle.certPem ? { certPem: stored.bundle.certPem } : {}), ...(stored?.bundle.keyPem ? { keyPem: stored.bundle.keyPem } : {}) };
  const decision = decideRotation(current, now, policy);
  if (stored && decision.action === 'keep' && servingSecretIsClean(stored, ca)) return { bundle: current, action: 'keep', decision, wrote: false };
  const next = decision.action === 'keep' ? current : issueLeaf(ca, now, policy, opts.identity);
  const data = servingSecretData(next);
  const body = stored ? updatedSecret(stored.secret, data, labels, [SECRET_KEYS.caKey]) : newSecret(ref, TLS_SECRET_TYPE, data, labels);
  const ok = await write(core, body, stored !== undefined);
  if (!ok) return undefined;
  opts.log?.info({ secret: `${ref.namespace}/${ref.name}`, action: decision.action, reason: decision.reason }, 'stored the serving certificate');
  return { bundle: next, action: decision.action, decision, wrote: true };
}

/**
 * Make sure the CA Secret holds a CA and the serving Secret a certificate from it fit for `policy`,
 * creating, rotating or migrating as needed. Optimistic concurrency: create fails with AlreadyExists
 * and update (carrying the read resourceVersion) fails with Conflict when another replica wrote
 * first; we then re-read and re-decide, which normally finds the other replica's certificates fine
 * and keeps them. Replicas starting together therefore end up with one CA.
 */
export async function ensureCertificates(core: SecretsApi, refs: CertificateSecrets, policy: RotationPolicy, opts: EnsureOptions = {}): Promise<EnsureResult> {
  const labels = { ...DEFAULT_LABELS, ...(opts.labels ?? {}) };
  const ca = await untilSettled(refs.ca, opts, () => ensureCaOnce(core, refs, policy, opts, labels));
  if (ca.wrote && ca.decision.action === 'renew-ca') {
    opts.log?.info({ secret: `${refs.ca.namespace}/${refs.ca.name}`, reason: ca.decision.reason }, 'stored a new CA');
  }
  const serving = await untilSettled(refs.serving, opts, () => ensureServingOnce(core, refs.serving, ca.ca, policy, opts, labels));
  if (ca.decision.action !== 'renew-ca' || !ca.wrote) return serving;
  // A new CA means a new serving certificate; report the CA as the reason.
  return { ...serving, action: 'renew-ca', decision: ca.decision, wrote: true };
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
