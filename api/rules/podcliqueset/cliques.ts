// PodCliqueSet rules on spec.template.cliques: the list (V8), each clique's name (V9, and V10's
// pod-name length for cliques outside scaling groups), labels and annotations (V12), uniqueness
// (V13), scheduler names (V14, V15), and each clique spec: replicas (V16), minAvailable (V17),
// startsAfter (V18; V19 and V20 across cliques), autoScalingConfig (V21) and podSpec (V22, V23).

import { type FieldPath, duplicate, invalid, required } from '../../field-errors.js';
import { ANNOTATION_STARTUP_TIMEOUT } from '../../keys.js';
import { MAX_COMBINED_NAME_LENGTH } from '../../names.js';
import { startupTimeoutProblem } from '../startup-timeout.js';
import { isDNS1123Subdomain, isEnvVarName, validateAnnotations, validateLabels } from '../k8s-names.js';
import { type JsonObject, asArray, asInt, asObject, asString, byteLength, findDuplicates, goInt, goString, hasKey, isNil, stringList } from '../untyped.js';
import { validateResourceSharingSpecs } from './resource-sharing.js';
import {
  CLIQUES,
  type CliqueView,
  METADATA,
  MSG_GT0,
  MSG_MIN_GT_REPLICAS,
  type Rules,
  isEnabledProfile,
  schedulerNameOf,
} from './view.js';

const MSG_RESTART_POLICY = 'restartPolicy will be ignored, it will be set to Always';

/** V10 and V11's message: a pod hostname `<pclq>-<index>` must fit a 63-character DNS label. */
export function combinedNameTooLong(length: number, consider: string): string {
  return `combined resource name length ${length} exceeds ${MAX_COMBINED_NAME_LENGTH}-character limit required for pod naming. Consider shortening: ${consider}`;
}

// V8–V23
export function validateCliques(r: Rules): void {
  // V8
  const list = r.v.cliquesList;
  if (list ? list.length === 0 : isNil(r.v.template?.cliques)) {
    r.errors.push(required(CLIQUES, 'at least one PodClique must be defined'));
  }
  for (const c of r.v.cliques) validateClique(r, c);

  // V13 (copse: empty names/roles are reported as required, not also as duplicates)
  const names = r.v.cliques.map((c) => c.name).filter((n): n is string => !!n);
  const nameDups = findDuplicates(names);
  if (nameDups.length > 0) r.errors.push(duplicate(CLIQUES.child('name'), nameDups));
  const roles = r.v.cliques.map((c) => goString(c.spec?.roleName)).filter((n): n is string => !!n);
  const roleDups = findDuplicates(roles);
  if (roleDups.length > 0) r.errors.push(duplicate(CLIQUES.child('roleName'), roleDups));

  validateSchedulerNames(r);
  if (r.explicitStartup) validateCliqueDependencies(r);
}

function validateClique(r: Rules, c: CliqueView): void {
  const path = CLIQUES.index(c.index);
  // V9 / V10
  if (c.name === '') {
    r.errors.push(required(path.child('name'), 'field cannot be empty'));
  } else if (c.name !== undefined) {
    if (isDNS1123Subdomain(c.name).length > 0) {
      r.errors.push(invalid(path.child('name'), c.name, 'invalid PodCliqueTemplateSpec name, must be a valid DNS subdomain'));
    }
    if (!r.groupedCliques.has(c.name)) {
      const length = byteLength(r.v.name) + byteLength(c.name);
      if (length > MAX_COMBINED_NAME_LENGTH) {
        const msg = combinedNameTooLong(length, `PodCliqueSet '${r.v.name}' or PodClique '${c.name}'`);
        r.errors.push(invalid(path.child('name'), c.name, msg), invalid(METADATA.child('name'), r.v.name, msg));
      }
    }
  }
  // V12
  r.errors.push(...validateLabels(c.raw.labels, path.child('labels')));
  r.errors.push(...validateAnnotations(c.raw.annotations, path.child('annotations')));
  validateStartupTimeout(r, c.raw.annotations, path.child('annotations'));
  // V5
  validateResourceSharingSpecs(r, c.raw.resourceSharing, path.child('resourceSharing'));
  if (c.spec) validateCliqueSpec(r, c, c.spec, path.child('spec'));
}

function validateCliqueSpec(r: Rules, c: CliqueView, spec: JsonObject, path: FieldPath): void {
  // copse: Grove never checks that roleName is set (grove-compat §3.3 "Not validated").
  if (goString(spec.roleName) === '') r.errors.push(required(path.child('roleName'), 'field is required'));

  // V16
  const replicas = goInt(spec.replicas);
  if (replicas !== undefined && replicas <= 0) r.errors.push(invalid(path.child('replicas'), replicas, MSG_GT0));
  const minAvailable = validateMinAvailable(r, spec.minAvailable, replicas, path.child('minAvailable'));
  if (r.explicitStartup) validateStartsAfter(r, c, spec.startsAfter, path.child('startsAfter'));
  const scale = asObject(spec.autoScalingConfig);
  if (scale) validateAutoScalingConfig(r, scale, replicas, minAvailable, path.child('autoScalingConfig'));
  const podSpec = asObject(spec.podSpec);
  if (podSpec) validatePodSpec(r, podSpec, path.child('podSpec'));
}

// copse: the init container's timeout must be a duration `copse initc --timeout` accepts, or the
// startup webhook would refuse every pod of the clique.
function validateStartupTimeout(r: Rules, raw: unknown, path: FieldPath): void {
  const annotations = asObject(raw);
  if (!annotations || !hasKey(annotations, ANNOTATION_STARTUP_TIMEOUT)) return;
  const value = annotations[ANNOTATION_STARTUP_TIMEOUT];
  const problem = typeof value === 'string' ? startupTimeoutProblem(value) : 'must be a string';
  if (problem) r.errors.push(invalid(path.child(ANNOTATION_STARTUP_TIMEOUT), value, problem));
}

// V17; returns the value when it is a usable integer.
function validateMinAvailable(r: Rules, raw: unknown, replicas: number | undefined, path: FieldPath): number | undefined {
  if (isNil(raw)) {
    r.errors.push(required(path, 'field is required'));
    return undefined;
  }
  const minAvailable = asInt(raw);
  if (minAvailable === undefined) return undefined;
  if (minAvailable <= 0) r.errors.push(invalid(path, minAvailable, MSG_GT0));
  if (replicas !== undefined && minAvailable > replicas) r.errors.push(invalid(path, minAvailable, MSG_MIN_GT_REPLICAS));
  return minAvailable;
}

// V18 (Explicit startup only)
function validateStartsAfter(r: Rules, c: CliqueView, raw: unknown, path: FieldPath): void {
  const deps = (asArray(raw) ?? []).filter((d): d is string => typeof d === 'string');
  for (const dep of deps) {
    if (dep === '') r.errors.push(required(path, 'clique dependency must not be empty'));
    else if (dep === c.name) r.errors.push(invalid(path, dep, 'clique dependency cannot refer to itself'));
  }
  const dups = findDuplicates(deps.filter((d) => d !== ''));
  if (dups.length > 0) r.errors.push(duplicate(path, dups));
}

// V21
function validateAutoScalingConfig(r: Rules, scale: JsonObject, replicas: number | undefined, minAvailable: number | undefined, path: FieldPath): void {
  let minReplicas: number | undefined;
  if (isNil(scale.minReplicas)) {
    r.errors.push(required(path.child('minReplicas'), 'field is required'));
  } else {
    minReplicas = asInt(scale.minReplicas);
    if (minReplicas !== undefined && minAvailable !== undefined && minReplicas < minAvailable) {
      r.errors.push(invalid(path.child('minReplicas'), minReplicas, 'must be greater than or equal to podCliqueSpec.minAvailable'));
    }
  }
  validateMaxReplicas(r, scale, minReplicas, replicas, path, 'podCliqueSpec.minReplicas');
}

/** V21's maxReplicas bounds; scaling groups (V28) get the same checks, which Grove lacks there. */
export function validateMaxReplicas(
  r: Rules,
  scale: JsonObject,
  minReplicas: number | undefined,
  replicas: number | undefined,
  path: FieldPath,
  minReplicasField: string,
): void {
  const maxReplicas = goInt(scale.maxReplicas);
  if (maxReplicas === undefined) return;
  if (minReplicas !== undefined && maxReplicas < minReplicas) {
    r.errors.push(invalid(path.child('maxReplicas'), maxReplicas, `must be greater than or equal to ${minReplicasField}`));
  }
  if (replicas !== undefined && maxReplicas < replicas) {
    r.errors.push(invalid(path.child('maxReplicas'), maxReplicas, 'must be greater than or equal to replicas'));
  }
}

// V22, V23, and the restartPolicy warning.
function validatePodSpec(r: Rules, podSpec: JsonObject, path: FieldPath): void {
  // copse: defaulting only fills an empty restartPolicy with Always, and copse's pods always run
  // with Always, so the warning is reserved for an explicit other value (grove-compat §10.13).
  const restartPolicy = asString(podSpec.restartPolicy);
  if (restartPolicy && restartPolicy !== 'Always') r.warnings.push(MSG_RESTART_POLICY);

  // Grove reports these under `podSpec.spec.*` (sic); the paths are kept for compatibility.
  const specPath = path.child('spec');
  if (r.op === 'CREATE') {
    // V22
    if (!isNil(podSpec.topologySpreadConstraints)) {
      r.errors.push(invalid(specPath.child('topologySpreadConstraints'), podSpec.topologySpreadConstraints, 'must not be set'));
    }
    const nodeName = goString(podSpec.nodeName);
    if (nodeName) r.errors.push(invalid(specPath.child('nodeName'), nodeName, 'must not be set'));
  }
  // V23
  for (const kind of ['containers', 'initContainers'] as const) {
    (asArray(podSpec[kind]) ?? []).forEach((ct, i) => {
      const container = asObject(ct);
      if (!container) return;
      const envPath = specPath.child(kind).index(i).child('env');
      const names: string[] = [];
      (asArray(container.env) ?? []).forEach((e, j) => {
        const env = asObject(e);
        if (!env) return;
        const name = goString(env.name);
        if (name === undefined) return;
        const msgs = isEnvVarName(name);
        if (msgs.length > 0) r.errors.push(invalid(envPath.index(j).child('name'), name, msgs.join('; ')));
        names.push(name);
      });
      const dups = findDuplicates(names);
      if (dups.length > 0) r.errors.push(duplicate(envPath, dups));
    });
  }
}

// V14 / V15
function validateSchedulerNames(r: Rules): void {
  if (r.v.cliques.length === 0) return;
  const path = CLIQUES.child('spec', 'podSpec', 'schedulerName');
  const resolved: string[] = [];
  for (const c of r.v.cliques) {
    const n = schedulerNameOf(c) || r.ctx.defaultSchedulerName;
    if (!resolved.includes(n)) resolved.push(n);
  }
  let ok = true;
  if (resolved.length > 1) {
    r.errors.push(invalid(path, resolved.join(', '), 'the schedulerName for all pods have to be the same'));
    ok = false;
  }
  const first = resolved[0] ?? r.ctx.defaultSchedulerName;
  if (!isEnabledProfile(first, r.ctx)) {
    r.errors.push(invalid(path, first, 'schedulerName must be an enabled scheduler backend; this scheduler is not enabled in OperatorConfiguration'));
    ok = false;
  }
  if (ok) r.resolvedSchedulerName = first;
}

// V19 / V20
function validateCliqueDependencies(r: Rules): void {
  const nodes: { name: string; deps: string[] }[] = r.v.cliques.map((c) => ({ name: c.name ?? '', deps: stringList(c.spec?.startsAfter) }));
  const known = new Set(nodes.map((n) => n.name));
  const unknown: string[] = [];
  for (const n of nodes) {
    for (const d of n.deps) {
      // copse: empty entries are already reported by V18; names are listed once, in document order.
      if (d !== '' && !known.has(d) && !unknown.includes(d)) unknown.push(d);
    }
  }
  if (unknown.length > 0) {
    r.errors.push(invalid(CLIQUES.child('startsAfter'), unknown.join(','), 'unknown clique names found, all clique dependencies must be defined as cliques'));
  }
  const cycles = stronglyConnectedCliques(nodes);
  if (cycles.length > 0) r.errors.push(invalid(CLIQUES, cycles, 'clique must not have circular dependencies'));
}

/**
 * Tarjan's strongly connected components over the startsAfter graph, visiting cliques and their
 * dependencies in document order (Grove iterates a Go map, so its order is random). Single-node
 * components, including self-loops, are not cycles here (V18 reports self references).
 */
function stronglyConnectedCliques(nodes: { name: string; deps: string[] }[]): string[][] {
  const adjacency = new Map<string, string[]>();
  for (const n of nodes) adjacency.set(n.name, [...(adjacency.get(n.name) ?? []), ...n.deps.filter((d) => d !== '')]);
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const sccs: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of adjacency.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
      }
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      for (;;) {
        const w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        scc.push(w);
        if (w === v) break;
      }
      if (scc.length > 1) sccs.push(scc);
    }
  };
  for (const name of adjacency.keys()) if (!index.has(name)) connect(name);
  return sccs;
}
