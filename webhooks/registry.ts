// The single declaration table for copse's admission webhooks (style §7.4). It drives both the
// fastify routes (server.ts) and the admissionregistration.k8s.io/v1 configuration objects
// (`webhookConfigurations`), so a path, name or rule can never disagree between the two.
// Names, paths and configuration-object names are Grove's (grove-compat §3.1) so existing
// manifests, cert-manager annotations and e2e expectations keep working; the startup webhook, which
// Grove does not have (it builds the init container into the pod itself), has a copse name.
import { KINDS } from '../api/kinds.js';
import { LABEL_STARTUP_WAIT, LABEL_STARTUP_WAIT_VALUE } from '../api/keys.js';
import type { Logger } from '../kube/log.js';
import type { AdmissionDecision, AdmissionRequest, Operation, WebhookKind } from './admission.js';
import { validateDynamoGraphDeploymentHandler } from './dynamo.js';
import {
  defaultPodCliqueSetHandler,
  injectStartupWaitHandler,
  validateClusterTopologyHandler,
  validatePodCliqueSetHandler,
  type AdmissionConfig,
} from './handlers.js';

export interface HandlerContext {
  log: Logger;
  /**
   * Fetch a ClusterTopologyBinding by name (undefined when it does not exist), giving up when
   * `signal` fires. A GET today (webhooks/topology-lookup.ts); an informer cache can back it
   * without the handlers noticing. Injectable so tests need no cluster.
   */
  lookupTopology: (name: string, signal: AbortSignal) => Promise<Record<string, unknown> | undefined>;
  /**
   * Whether KAI's Topology CRD is served (asked only when a ClusterTopologyBinding names
   * kai-scheduler). Absent: it is not.
   */
  kaiTopologyServed?: (signal: AbortSignal) => Promise<boolean>;
  config: AdmissionConfig;
  /** Fires when the server stops waiting for this request (its handler timeout, or the client went away). */
  signal: AbortSignal;
}

export type AdmissionHandler = (request: AdmissionRequest, ctx: HandlerContext) => AdmissionDecision | Promise<AdmissionDecision>;

export interface RuleWithOperations {
  operations: Operation[];
  apiGroups: string[];
  apiVersions: string[];
  resources: string[];
  scope: 'Cluster' | 'Namespaced' | '*';
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

export interface WebhookDeclaration {
  /** The webhook name the apiserver prints: `admission webhook "<name>" denied the request`. */
  name: string;
  /** metadata.name of the Mutating/ValidatingWebhookConfiguration holding it. */
  configName: string;
  kind: WebhookKind;
  path: string;
  rules: RuleWithOperations[];
  failurePolicy: 'Fail' | 'Ignore';
  timeoutSeconds: number;
  sideEffects: 'None' | 'NoneOnDryRun';
  matchPolicy: 'Equivalent' | 'Exact';
  /** Whether the namespace selector applies (it never does for cluster-scoped kinds; kept off there for clarity). */
  namespaced: boolean;
  /** Only objects with these labels reach the webhook (default: all objects the rules match). */
  objectSelector?: LabelSelector;
  handler: AdmissionHandler;
}

export const COPSE_NAMESPACE = 'copse-system';

// failurePolicy Fail: an unvalidated or undefaulted PodCliqueSet (e.g. minAvailable > replicas, no
// terminationDelay) would be admitted for good and then mis-scheduled, which is worse than a briefly
// unavailable API for these grove.io kinds. The blast radius is bounded: the rules below match only
// grove.io podcliquesets and clustertopologybindings. No core resource (pods, namespaces, ...) is
// ever intercepted, and kube-system plus copse's own namespace are excluded, so a copse outage can
// never block the cluster or copse's own recovery.
const COMMON = { failurePolicy: 'Fail', timeoutSeconds: 10, sideEffects: 'None', matchPolicy: 'Equivalent' } as const;

/** CREATE and UPDATE of one of our kinds, with its group, version, plural and scope from the API model. */
function rule(kind: 'PodCliqueSet' | 'ClusterTopologyBinding' | 'DynamoGraphDeployment'): RuleWithOperations {
  const k = KINDS[kind];
  return { operations: ['CREATE', 'UPDATE'], apiGroups: [k.group], apiVersions: [k.version], resources: [k.plural], scope: k.scope };
}

const pcsRule = rule('PodCliqueSet');

// The startup webhook intercepts pods, but only pods copse itself marked: the objectSelector below
// matches the label the pod builder puts on pods that must wait for parents (api/desired/startup.ts),
// and kube-system and copse's namespace are excluded as above. No other pod in the cluster is ever
// sent to copse, so even failurePolicy Fail cannot block anyone else's pods. Fail is the right choice
// for the pods it does see: admitting a marked pod without its init container would start it before
// its parents, silently breaking the ordering the user asked for. Those pods are created by copse's own
// controllers, which run in the same server as the webhook and retry a refused create with backoff, so
// an outage delays copse's pods and nothing else. The handler is a pure function, so 5 s is ample.
const STARTUP_WEBHOOK = { failurePolicy: 'Fail', timeoutSeconds: 5, sideEffects: 'None', matchPolicy: 'Equivalent' } as const;

export const WEBHOOKS: readonly WebhookDeclaration[] = [
  {
    name: 'pcs.defaulting.webhooks.grove.io',
    configName: 'podcliqueset-defaulting-webhook',
    kind: 'mutating',
    path: '/webhooks/default-podcliqueset',
    rules: [pcsRule],
    ...COMMON,
    namespaced: true,
    handler: defaultPodCliqueSetHandler,
  },
  {
    name: 'pcs.validating.webhooks.grove.io',
    configName: 'podcliqueset-validating-webhook',
    kind: 'validating',
    path: '/webhooks/validate-podcliqueset',
    rules: [pcsRule],
    ...COMMON,
    namespaced: true,
    handler: validatePodCliqueSetHandler,
  },
  {
    name: 'clustertopology.validating.webhooks.grove.io',
    configName: 'clustertopology-validating-webhook',
    kind: 'validating',
    path: '/webhooks/validate-clustertopology',
    rules: [rule('ClusterTopologyBinding')],
    ...COMMON,
    namespaced: false,
    handler: validateClusterTopologyHandler,
  },
  // Dynamo's own operator validates DGDs in its webhook; copse, in its place, refuses a DGD it cannot
  // run as a PodCliqueSet. Where the DGD CRD is not installed the rule matches nothing.
  {
    name: 'dgd.validating.webhooks.copse.io',
    configName: 'copse-dynamographdeployment-validating-webhook',
    kind: 'validating',
    path: '/webhooks/validate-dynamographdeployment',
    rules: [rule('DynamoGraphDeployment')],
    ...COMMON,
    namespaced: true,
    handler: validateDynamoGraphDeploymentHandler,
  },
  {
    name: 'pod.startup.webhooks.copse.io',
    configName: 'copse-pod-startup-webhook',
    kind: 'mutating',
    path: '/webhooks/inject-startup-wait',
    rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: 'Namespaced' }],
    ...STARTUP_WEBHOOK,
    namespaced: true,
    objectSelector: { matchLabels: { [LABEL_STARTUP_WAIT]: LABEL_STARTUP_WAIT_VALUE } },
    handler: injectStartupWaitHandler,
  },
];

/** Where the apiserver reaches the server: in-cluster through a Service, or (copse up) a URL such as `https://127.0.0.1:9443`. */
export type WebhookTarget = { service: { namespace: string; name: string; port?: number } } | { url: string };

export interface WebhookConfigOptions {
  webhooks?: readonly WebhookDeclaration[];
  /** Namespaces never intercepted (besides kube-system); default copse-system. */
  copseNamespace?: string;
  /** Extra labels on the configuration objects. */
  labels?: Record<string, string>;
}

interface ClientConfig {
  service?: { namespace: string; name: string; path: string; port: number };
  url?: string;
  caBundle?: string;
}

export interface WebhookEntry {
  name: string;
  clientConfig: ClientConfig;
  rules: RuleWithOperations[];
  failurePolicy: 'Fail' | 'Ignore';
  matchPolicy: 'Equivalent' | 'Exact';
  namespaceSelector: LabelSelector;
  objectSelector: LabelSelector;
  sideEffects: 'None' | 'NoneOnDryRun';
  timeoutSeconds: number;
  admissionReviewVersions: string[];
  reinvocationPolicy?: 'Never' | 'IfNeeded';
}

export interface WebhookConfigurationObject {
  apiVersion: 'admissionregistration.k8s.io/v1';
  kind: 'MutatingWebhookConfiguration' | 'ValidatingWebhookConfiguration';
  metadata: { name: string; labels: Record<string, string> };
  webhooks: WebhookEntry[];
}

function clientConfig(target: WebhookTarget, path: string, caBundle: string | undefined): ClientConfig {
  const cc: ClientConfig =
    'url' in target
      ? { url: `${target.url.replace(/\/+$/, '')}${path}` }
      : { service: { namespace: target.service.namespace, name: target.service.name, path, port: target.service.port ?? 443 } };
  if (caBundle) cc.caBundle = caBundle;
  return cc;
}

function namespaceSelector(namespaced: boolean, copseNamespace: string): LabelSelector {
  if (!namespaced) return {};
  const values = [...new Set(['kube-system', copseNamespace])];
  return { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values }] };
}

function entry(w: WebhookDeclaration, target: WebhookTarget, caBundle: string | undefined, copseNamespace: string): WebhookEntry {
  const e: WebhookEntry = {
    name: w.name,
    clientConfig: clientConfig(target, w.path, caBundle),
    rules: w.rules.map((r) => ({ ...r, operations: [...r.operations], apiGroups: [...r.apiGroups], apiVersions: [...r.apiVersions], resources: [...r.resources] })),
    failurePolicy: w.failurePolicy,
    matchPolicy: w.matchPolicy,
    namespaceSelector: namespaceSelector(w.namespaced, copseNamespace),
    objectSelector: w.objectSelector ?? {},
    sideEffects: w.sideEffects,
    timeoutSeconds: w.timeoutSeconds,
    admissionReviewVersions: ['v1'],
  };
  // Both mutators only add what is missing (defaults; the startup init container), so they are
  // idempotent and need not be re-run after other mutators.
  if (w.kind === 'mutating') e.reinvocationPolicy = 'Never';
  return e;
}

/**
 * The Mutating/ValidatingWebhookConfiguration objects for `target`, one per configName, mutating
 * first. `caBundle` is the base64 CA PEM; omit it when cert-manager's CA injector (or certs/sync)
 * fills it in.
 */
export function webhookConfigurations(target: WebhookTarget, caBundle?: string, opts: WebhookConfigOptions = {}): WebhookConfigurationObject[] {
  const webhooks = opts.webhooks ?? WEBHOOKS;
  const ns = opts.copseNamespace ?? COPSE_NAMESPACE;
  const labels = { 'app.kubernetes.io/managed-by': 'copse', 'app.kubernetes.io/component': 'webhook', ...(opts.labels ?? {}) };
  const byConfig = new Map<string, WebhookConfigurationObject>();
  for (const kind of ['mutating', 'validating'] as const) {
    for (const w of webhooks.filter((x) => x.kind === kind)) {
      let cfg = byConfig.get(w.configName);
      if (!cfg) {
        cfg = {
          apiVersion: 'admissionregistration.k8s.io/v1',
          kind: kind === 'mutating' ? 'MutatingWebhookConfiguration' : 'ValidatingWebhookConfiguration',
          metadata: { name: w.configName, labels },
          webhooks: [],
        };
        byConfig.set(w.configName, cfg);
      } else if ((cfg.kind === 'MutatingWebhookConfiguration') !== (kind === 'mutating')) {
        throw new Error(`configuration ${w.configName} mixes mutating and validating webhooks`);
      }
      cfg.webhooks.push(entry(w, target, caBundle, ns));
    }
  }
  return [...byConfig.values()];
}

/** The configuration names certs/sync injects the CA into (CaInjectionTargets shape). */
export function caInjectionTargets(webhooks: readonly WebhookDeclaration[] = WEBHOOKS): {
  mutatingWebhookConfigurations: string[];
  validatingWebhookConfigurations: string[];
} {
  const names = (k: WebhookKind): string[] => [...new Set(webhooks.filter((w) => w.kind === k).map((w) => w.configName))];
  return { mutatingWebhookConfigurations: names('mutating'), validatingWebhookConfigurations: names('validating') };
}
