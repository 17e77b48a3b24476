// Builders and kubectl wrappers for the admission e2e suites (test/e2e/admission-*.test.ts): small
// PodCliqueSets as plain JSON, dotted-path edits, and the exact texts kubectl prints for denials.
import { randomBytes, randomUUID } from 'node:crypto';
import { kubectl, type KubectlResult } from './kube.js';

export type Obj = Record<string, unknown>;

export const PAUSE_IMAGE = 'registry.k8s.io/pause:3.10';
export const PCS_VALIDATING = 'pcs.validating.webhooks.grove.io';
export const CTB_VALIDATING = 'clustertopology.validating.webhooks.grove.io';

/** A clique template; `spec` is merged over replicas 1 and a pause container (roleName defaults to the name). */
export function clique(name: string, spec: Obj = {}, extra: Obj = {}): Obj {
  return {
    name,
    ...extra,
    spec: { roleName: name, replicas: 1, podSpec: { containers: [{ name: 'main', image: PAUSE_IMAGE }] }, ...spec },
  };
}

/** A PodCliqueSet without a namespace (kubectl's `-n` supplies it) and without any defaulted field. */
export function podCliqueSet(name: string, cliques: Obj[], template: Obj = {}, replicas = 1): Obj {
  return { apiVersion: 'grove.io/v1alpha1', kind: 'PodCliqueSet', metadata: { name }, spec: { replicas, template: { cliques, ...template } } };
}

/** The AdmissionReview (admission.k8s.io/v1) kube-apiserver sends a webhook for creating this PodCliqueSet. */
export function pcsCreateReview(object: Obj, namespace: string, username: string): string {
  const gvk = { group: 'grove.io', version: 'v1alpha1', kind: 'PodCliqueSet' };
  const gvr = { group: 'grove.io', version: 'v1alpha1', resource: 'podcliquesets' };
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: randomUUID(),
      kind: gvk,
      resource: gvr,
      requestKind: gvk,
      requestResource: gvr,
      name: (object['metadata'] as { name?: string } | undefined)?.name,
      namespace,
      operation: 'CREATE',
      userInfo: { username, groups: ['system:authenticated'] },
      object,
      oldObject: null,
      dryRun: false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
    },
  });
}

/** A ClusterTopologyBinding with the given [domain, key] levels. */
export function clusterTopology(name: string, levels: [string, string][]): Obj {
  return {
    apiVersion: 'grove.io/v1alpha1',
    kind: 'ClusterTopologyBinding',
    metadata: { name },
    spec: { levels: levels.map(([domain, key]) => ({ domain, key })) },
  };
}

/** zone → block → rack → host with the local cluster's node label keys (cluster/topology.ts). */
export const LOCAL_LEVELS: [string, string][] = [
  ['zone', 'topology.kubernetes.io/zone'],
  ['block', 'topology.copse.io/block'],
  ['rack', 'topology.copse.io/rack'],
  ['host', 'kubernetes.io/hostname'],
];

/** A short random suffix for cluster-scoped names (several suites may share one cluster). */
export const uniqueSuffix = (): string => randomBytes(3).toString('hex');

function walk(root: unknown, path: string): { parent: Record<string, unknown>; key: string } {
  const keys = path.split('.');
  let cur = root as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) {
    if (cur[k] === undefined || cur[k] === null) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  return { parent: cur, key: keys[keys.length - 1] as string };
}

/** Set a value at a dotted path (`spec.template.cliques.1.spec.replicas`), creating objects on the way. */
export function set(root: unknown, path: string, value: unknown): void {
  const { parent, key } = walk(root, path);
  parent[key] = value;
}

/** Delete the value at a dotted path (array elements are spliced out). */
export function del(root: unknown, path: string): void {
  const { parent, key } = walk(root, path);
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else delete parent[key];
}

export function get(root: unknown, path: string): unknown {
  let cur: unknown = root;
  for (const k of path.split('.')) cur = (cur as Record<string, unknown> | undefined)?.[k];
  return cur;
}

/** `kubectl apply -f -` (or another verb taking `-f -`) with the object as JSON on stdin. */
export function applyJson(kubeconfig: string, obj: unknown, args: string[] = [], verb = 'apply'): Promise<KubectlResult> {
  return kubectl(kubeconfig, [verb, '-f', '-', ...args], { input: JSON.stringify(obj) });
}

/** `kubectl get <resource> <name> -o json`, parsed; throws with kubectl's stderr when it fails. */
export async function getJson(kubeconfig: string, resource: string, name: string, namespace?: string): Promise<Obj> {
  const r = await kubectl(kubeconfig, ['get', resource, name, '-o', 'json', ...(namespace ? ['-n', namespace] : [])]);
  if (r.code !== 0) throw new Error(`kubectl get ${resource} ${name} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Obj;
}

/** The message of an aggregated field error list, as the webhook (and apimachinery) render it. */
export function aggregate(errors: readonly string[]): string {
  return errors.length === 1 ? (errors[0] as string) : `[${errors.join(', ')}]`;
}

/** The stderr line `kubectl apply` prints when a validating webhook denies a create. */
export function deniedOnCreate(errors: readonly string[], webhook = PCS_VALIDATING): string {
  return `Error from server (Forbidden): error when creating "STDIN": admission webhook "${webhook}" denied the request: ${aggregate(errors)}`;
}

/** The last stderr line `kubectl apply` prints when a validating webhook denies the patch of an existing object. */
export function deniedOnApplyPatch(errors: readonly string[], webhook = PCS_VALIDATING): string {
  return `for: "STDIN": error when patching "STDIN": admission webhook "${webhook}" denied the request: ${aggregate(errors)}`;
}

/** What `kubectl` prints when the apiserver itself (schema, CEL, metadata) rejects an object. */
export function invalidObject(kind: string, name: string, errors: readonly string[]): string {
  if (errors.length === 1) return `The ${kind} "${name}" is invalid: ${errors[0]}`;
  return [`The ${kind} "${name}" is invalid: `, ...errors.map((e) => `* ${e}`)].join('\n');
}

/** The extra item the apiserver appends when schema errors kept it from evaluating CEL rules. */
export const CEL_SKIPPED =
  '<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation';

/** Non-empty lines of a kubectl output. */
export const lines = (s: string): string[] => s.split('\n').filter((l) => l.trim() !== '');
