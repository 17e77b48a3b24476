// The certificate shell (style §7.6): keeps the CA and the serving certificate in their Secrets
// (certs/store.ts), injects the CA into our webhook configurations (and, later, the APIService),
// re-checks on a timer and whenever either Secret changes, and hands every new certificate to the
// running server (which swaps its TLS context in place; no restart, unlike Grove's
// RestartOnSecretRefresh).
//
// Modes (grove-compat §7.2):
//  - auto:   copse owns the CA and serving Secrets: creates them, rotates them (certs/rotate.ts) and
//            injects caBundle.
//  - manual: the user (e.g. cert-manager) owns it. We read tls.crt/tls.key (and ca.crt) from a
//            directory or the Secret, reload on change, and never write the Secret or any caBundle
//            (cert-manager's CA injector does that via `cert-manager.io/inject-ca-from`).
import { createHash } from 'node:crypto';
import { watch as fsWatch, type FSWatcher } from 'node:fs';
import type { JsonPatchOp } from '../api/jsonpatch.js';
import type { Secret } from '../api/core/wire.js';
import { Informer } from '../controllers/runtime/informer.js';
import { FIELD_MANAGERS, type DynamicClient } from '../kube/dynamic.js';
import { RESOURCES } from '../kube/resources.js';
import { toKubeError } from '../kube/errors.js';
import { rootLogger, type Logger } from '../kube/log.js';
import { base64 } from './issue.js';
import { rotationPolicy, servable, servingNames, type CertBundle, type Lifetimes, type RotationAction } from './rotate.js';
import {
  DEFAULT_CA_SECRET_NAME,
  DEFAULT_IDENTITY,
  bundleFromSecretData,
  ensureCertificates,
  readCertDir,
  readSecretBundle,
  type IssuerIdentity,
  type SecretRef,
} from './store.js';

export interface ServingCertificate {
  certPem: string;
  keyPem: string;
  /** The CA bundle (ca.crt), when known. Informational; the server does not need it. */
  caPem?: string;
}

export type CertMode = 'auto' | 'manual';

/** Objects that receive the CA bundle in auto mode. */
export interface CaInjectionTargets {
  mutatingWebhookConfigurations?: readonly string[];
  validatingWebhookConfigurations?: readonly string[];
  apiServices?: readonly string[];
}

export interface CertSyncOptions extends CaInjectionTargets {
  mode: CertMode;
  /**
   * Needed for auto mode and for manual mode reading a Secret; manual mode with certDir needs none.
   * Certificate sync writes under its own field manager (copse-certs) whatever client it is given.
   */
  client?: DynamicClient;
  /** The serving TLS Secret (auto: written; manual: read unless certDir is set). */
  secret: SecretRef;
  /** auto mode: the CA Secret (default `copse-ca` in the serving Secret's namespace). */
  caSecret?: SecretRef;
  /** manual mode: read tls.crt/tls.key/ca.crt from this directory instead of the Secret. */
  certDir?: string;
  /** The Service the apiserver calls; determines the SANs (plus localhost and 127.0.0.1). */
  service: { name: string; namespace: string };
  extraDnsNames?: string[];
  extraIpAddresses?: string[];
  /** How often to re-check rotation and re-inject caBundle on drift (default 1 h). */
  resyncIntervalMs?: number;
  /** manual mode with certDir: polling interval in addition to fs.watch (default 10 s). */
  pollIntervalMs?: number;
  /** Watch the Secret for changes (default true). */
  watch?: boolean;
  lifetimes?: Partial<Lifetimes>;
  identity?: Partial<IssuerIdentity>;
  /** Receives every new servable certificate, e.g. `server.setCertificate`. */
  onCertificate: (cert: ServingCertificate) => void | Promise<void>;
  log?: Logger;
  now?: () => Date;
}

export interface SyncReport {
  /** auto mode: what happened to the Secret. */
  action?: RotationAction;
  /** A new certificate was handed to onCertificate. */
  delivered: boolean;
  /** Objects whose caBundle was (re)written, as `<Kind>/<name>`. */
  injected: string[];
  errors: string[];
}

export interface CertSync {
  readonly mode: CertMode;
  /** True once a servable certificate has been delivered to onCertificate. */
  ready(): boolean;
  current(): ServingCertificate | undefined;
  /** base64 of the CA bundle PEM (what goes into caBundle), when known. */
  caBundle(): string | undefined;
  /** Run one full sync now (serialised with timer- and watch-triggered syncs). */
  syncNow(): Promise<SyncReport>;
  stop(): void;
}

export const DEFAULT_RESYNC_MS = 60 * 60 * 1000;

// ------------------------------------------------------------------------------------------------
// caBundle injection

interface WebhookLike {
  name?: string;
  clientConfig?: { caBundle?: string } | null;
}

/**
 * JSON patch setting `webhooks[i].clientConfig.caBundle` for every webhook whose value differs.
 * Each write is guarded by a `test` of the webhook's name, so a concurrent edit that reorders the
 * list makes the patch fail instead of writing into the wrong entry. A merge patch cannot be
 * used: it would replace the whole `webhooks` list.
 */
export function webhookCaBundlePatch(webhooks: readonly WebhookLike[] | undefined, caBundle: string): JsonPatchOp[] {
  const ops: JsonPatchOp[] = [];
  (webhooks ?? []).forEach((w, i) => {
    if (w.clientConfig?.caBundle === caBundle) return;
    if (w.name !== undefined) ops.push({ op: 'test', path: `/webhooks/${i}/name`, value: w.name });
    if (w.clientConfig) ops.push({ op: 'add', path: `/webhooks/${i}/clientConfig/caBundle`, value: caBundle });
    else ops.push({ op: 'add', path: `/webhooks/${i}/clientConfig`, value: { caBundle } });
  });
  return ops;
}

/** Merge patch for an APIService; insecureSkipTLSVerify must not be true together with caBundle. */
export function apiServiceCaBundlePatch(spec: { caBundle?: string; insecureSkipTLSVerify?: boolean } | undefined, caBundle: string): Record<string, unknown> | undefined {
  if (spec?.caBundle === caBundle && !spec.insecureSkipTLSVerify) return undefined;
  return { spec: { caBundle, insecureSkipTLSVerify: null } };
}

type Outcome = { injected?: string; error?: string };

async function injectWebhook(client: DynamicClient, kind: 'Mutating' | 'Validating', name: string, caBundle: string, log: Logger): Promise<Outcome> {
  const label = `${kind}WebhookConfiguration/${name}`;
  const resource = kind === 'Mutating' ? RESOURCES.mutatingWebhookConfigurations : RESOURCES.validatingWebhookConfigurations;
  try {
    const cfg = await client.get<{ webhooks?: WebhookLike[] }>(resource, name);
    const ops = webhookCaBundlePatch(cfg.webhooks, caBundle);
    if (ops.length === 0) return {};
    await client.patch(resource, name, undefined, ops);
    log.info({ target: label }, 'injected caBundle');
    return { injected: label };
  } catch (err) {
    const ke = toKubeError(err);
    // Not installed yet (or removed): nothing to do; the next resync picks it up.
    if (ke.kind === 'NotFound') {
      log.debug({ target: label }, 'caBundle target not found; skipping');
      return {};
    }
    log.warn({ target: label, err: ke.message }, 'caBundle injection failed');
    return { error: `${label}: ${ke.message}` };
  }
}

async function injectApiService(client: DynamicClient, name: string, caBundle: string, log: Logger): Promise<Outcome> {
  const label = `APIService/${name}`;
  try {
    const svc = await client.get(RESOURCES.apiServices, name);
    const patch = apiServiceCaBundlePatch(svc.spec, caBundle);
    if (!patch) return {};
    await client.patch(RESOURCES.apiServices, name, undefined, patch);
    log.info({ target: label }, 'injected caBundle');
    return { injected: label };
  } catch (err) {
    const ke = toKubeError(err);
    if (ke.kind === 'NotFound') return {};
    log.warn({ target: label, err: ke.message }, 'caBundle injection failed');
    return { error: `${label}: ${ke.message}` };
  }
}

/** Write `caBundle` (base64 PEM) into every named target whose value differs. Never throws. */
export async function injectCaBundle(
  client: DynamicClient,
  targets: CaInjectionTargets,
  caBundle: string,
  log: Logger = rootLogger,
): Promise<{ injected: string[]; errors: string[] }> {
  const outcomes = await Promise.all([
    ...(targets.mutatingWebhookConfigurations ?? []).map((n) => injectWebhook(client, 'Mutating', n, caBundle, log)),
    ...(targets.validatingWebhookConfigurations ?? []).map((n) => injectWebhook(client, 'Validating', n, caBundle, log)),
    ...(targets.apiServices ?? []).map((n) => injectApiService(client, n, caBundle, log)),
  ]);
  return {
    injected: outcomes.flatMap((o) => (o.injected ? [o.injected] : [])),
    errors: outcomes.flatMap((o) => (o.error ? [o.error] : [])),
  };
}

// ------------------------------------------------------------------------------------------------
// The loop

const fingerprint = (c: ServingCertificate): string => createHash('sha256').update(c.certPem).update('\0').update(c.keyPem).digest('hex');

class Syncer implements CertSync {
  readonly mode: CertMode;
  private readonly log: Logger;
  private readonly now: () => Date;
  private delivered: ServingCertificate | undefined;
  private deliveredFp: string | undefined;
  private ca: string | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly stoppers: (() => void)[] = [];
  private stopped = false;
  private debounce: NodeJS.Timeout | undefined;
  private lastInvalid: string | undefined;
  private readonly client: DynamicClient | undefined;

  constructor(private readonly opts: CertSyncOptions) {
    this.mode = opts.mode;
    this.log = (opts.log ?? rootLogger).child({ component: 'certs', secret: `${opts.secret.namespace}/${opts.secret.name}`, mode: opts.mode });
    this.now = opts.now ?? (() => new Date());
    if ((opts.mode === 'auto' || !opts.certDir) && !opts.client) throw new Error(`cert mode ${opts.mode} needs Kubernetes clients`);
    this.client = opts.client?.as(FIELD_MANAGERS.certs);
  }

  ready(): boolean {
    return this.delivered !== undefined;
  }

  current(): ServingCertificate | undefined {
    return this.delivered;
  }

  caBundle(): string | undefined {
    return this.ca;
  }

  syncNow(): Promise<SyncReport> {
    const run = this.chain.then(() => this.syncOnce());
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Coalesce bursts of watch/fs events into one sync. */
  trigger(reason: string): void {
    // A sync is already scheduled: it will see this change too. (Resetting the timer instead would
    // starve syncs whenever events arrive faster than the delay.)
    if (this.stopped || this.debounce) return;
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      this.syncNow().catch((err: unknown) => this.log.error({ err: toKubeError(err).message, reason }, 'certificate sync failed'));
    }, 200);
    this.debounce.unref();
  }

  private async deliver(bundle: CertBundle, report: SyncReport): Promise<void> {
    const ok = servable(bundle.certPem, bundle.keyPem, this.now());
    if (!ok.ok) {
      const msg = `certificate not servable: ${ok.reason}`;
      if (this.lastInvalid !== msg) this.log.error({ reason: ok.reason }, 'certificate not servable; keeping the current one');
      this.lastInvalid = msg;
      report.errors.push(msg);
      return;
    }
    this.lastInvalid = undefined;
    const cert: ServingCertificate = { certPem: bundle.certPem as string, keyPem: bundle.keyPem as string, ...(bundle.caCertPem ? { caPem: bundle.caCertPem } : {}) };
    const fp = fingerprint(cert);
    if (bundle.caCertPem) this.ca = base64(bundle.caCertPem);
    if (fp === this.deliveredFp) return;
    await this.opts.onCertificate(cert);
    this.delivered = cert;
    this.deliveredFp = fp;
    report.delivered = true;
    this.log.info({ fingerprint: fp.slice(0, 16) }, 'serving certificate loaded');
  }

  private async syncOnce(): Promise<SyncReport> {
    const report: SyncReport = { delivered: false, injected: [], errors: [] };
    if (this.opts.mode === 'manual') {
      const bundle = this.opts.certDir
        ? await readCertDir(this.opts.certDir)
        : ((await readSecretBundle(this.kube(), this.opts.secret))?.bundle ?? {});
      await this.deliver(bundle, report);
      return report;
    }
    const client = this.kube();
    const names = servingNames(this.opts.service, { dnsNames: this.opts.extraDnsNames ?? [], ipAddresses: this.opts.extraIpAddresses ?? [] });
    const policy = rotationPolicy(names, this.opts.lifetimes);
    const res = await ensureCertificates(client, { ca: this.caSecret(), serving: this.opts.secret }, policy, {
      now: this.now,
      log: this.log,
      identity: { ...DEFAULT_IDENTITY, ...(this.opts.identity ?? {}) },
    });
    report.action = res.action;
    // Inject first: after a CA rotation the bundle holds the new CA and the old one, so the
    // apiserver trusts the new certificate before the server starts presenting it.
    if (res.bundle.caCertPem) {
      const inj = await injectCaBundle(client, this.opts, base64(res.bundle.caCertPem), this.log);
      report.injected.push(...inj.injected);
      report.errors.push(...inj.errors);
    }
    await this.deliver(res.bundle, report);
    return report;
  }

  start(): void {
    const every = this.opts.resyncIntervalMs ?? DEFAULT_RESYNC_MS;
    const timer = setInterval(() => this.trigger('resync'), every);
    timer.unref();
    this.stoppers.push(() => clearInterval(timer));
    if (this.opts.mode === 'manual' && this.opts.certDir) this.watchDir(this.opts.certDir);
    else if (this.opts.watch !== false) {
      this.watchSecret(this.opts.secret);
      // A deleted or edited CA Secret is repaired (and a new CA injected) now, not at the next resync.
      if (this.opts.mode === 'auto') this.watchSecret(this.caSecret());
    }
  }

  /** The constructor made sure there is one wherever a mode needs it. */
  private kube(): DynamicClient {
    if (!this.client) throw new Error(`cert mode ${this.mode} needs Kubernetes clients`);
    return this.client;
  }

  private caSecret(): SecretRef {
    return this.opts.caSecret ?? { namespace: this.opts.secret.namespace, name: DEFAULT_CA_SECRET_NAME };
  }

  /**
   * An informer on the one Secret (fieldSelector metadata.name, which RBAC authorises against
   * resourceNames): it lists, watches, reconnects with backoff and relists after 410 Gone.
   */
  private watchSecret({ namespace, name }: SecretRef): void {
    const informer = new Informer<Secret>(this.kube(), { resource: RESOURCES.secrets, namespace, fieldSelector: `metadata.name=${name}`, log: this.log });
    const changed = (type: string, secret: Secret | undefined): void => {
      // Cheap pre-check so our own no-op writes and unrelated metadata edits cost nothing.
      if (secret && this.opts.mode === 'manual') {
        const b = bundleFromSecretData(secret.data);
        if (b.certPem && b.keyPem && this.deliveredFp === fingerprint({ certPem: b.certPem, keyPem: b.keyPem })) return;
      }
      this.trigger(`secret ${type}`);
    };
    informer.on({ add: (s) => changed('added', s), update: (_o, s) => changed('modified', s), delete: () => changed('deleted', undefined) });
    informer.start();
    this.stoppers.push(() => void informer.shutdown());
  }

  private watchDir(dir: string): void {
    // Mounted Secrets are updated by an atomic symlink swap, which fs.watch reports unreliably;
    // poll as well (controller-runtime's certwatcher does fsnotify plus a 10 s poll too).
    let watcher: FSWatcher | undefined;
    try {
      watcher = fsWatch(dir, { persistent: false }, () => this.trigger('cert dir changed'));
      watcher.on('error', () => undefined);
    } catch {
      watcher = undefined;
    }
    const poll = setInterval(() => this.trigger('cert dir poll'), this.opts.pollIntervalMs ?? 10_000);
    poll.unref();
    this.stoppers.push(() => {
      watcher?.close();
      clearInterval(poll);
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.debounce) clearTimeout(this.debounce);
    for (const s of this.stoppers.splice(0)) s();
  }
}

/**
 * Start certificate management. Auto mode resolves after the first sync (Secret ensured,
 * certificate delivered, caBundle injected) and rejects if that fails (e.g. missing RBAC), so the
 * caller can exit. Manual mode resolves even without a certificate yet (cert-manager may not have
 * issued it); `ready()` stays false until one arrives.
 */
export async function startCertSync(opts: CertSyncOptions): Promise<CertSync> {
  const s = new Syncer(opts);
  if (opts.mode === 'auto') {
    await s.syncNow();
  } else {
    await s.syncNow().catch((err: unknown) => (opts.log ?? rootLogger).warn({ err: toKubeError(err).message }, 'no user-provided certificate yet'));
  }
  s.start();
  return s;
}
