// A PodGang in Kubernetes v1.37's native workload-aware scheduling terms (reference
// workload-aware-scheduling.md §3), pure:
//   PodGang                         → Workload <gang> (informational: kube-scheduler never reads it)
//                                     + root CompositePodGroup <gang>, gang of all its children
//   gang packConstraint.required    → root schedulingConstraints.topology[0].key
//   topologyConstraintGroupConfig   → child CompositePodGroup <config>-group (a scaling-group replica),
//                                     gang of its pod groups, with the config's required key
//   pod group (a PodClique)         → leaf PodGroup <podclique>, gang minCount = minReplicas, with the
//                                     group's required key, under its child or the root
//   priorityClassName               → on every object (the scheduler fails a tree with mixed priorities)
// Names are deterministic and never collide: gangs end in a digit, child groups in `-group`, and leaf
// PodGroups are PodClique names (another kind). The scheduler evaluates siblings in creation order,
// so `nativeObjects` lists them top-down in the order they are to be created.
import type { V1OwnerReference } from '../core/wire.js';
import type { PodGang, PodGangTopologyConstraint, PodGroup } from '../generated/types.js';
import { SCHEDULER_API_VERSION } from '../kinds.js';
import { requireName, requireNamespace, type StringMap } from '../desired/meta.js';
import {
  COMPOSITE_API_VERSION,
  type CompositePodGroup,
  type CompositePodGroupTemplate,
  type NativePodGroup,
  PODGROUP_API_VERSION,
  type PodGroupTemplate,
  type SchedulingConstraints,
  WORKLOAD_API_VERSION,
  type Workload,
} from './wire.js';

/** Label on every translated object: the PodGang it stands for. */
export const LABEL_NATIVE_PODGANG = 'scheduling.copse.io/podgang';
export const ROOT_TEMPLATE = 'gang';
/** kube-scheduler's limits (v1.37): templates per list, levels of the tree. */
export const MAX_TEMPLATES_PER_LIST = 8;
export const MAX_LEVELS = 4;

export interface NativeObjects {
  workload: Workload;
  /** Root first, then the children in pod-group order. */
  composites: CompositePodGroup[];
  /** Leaves in the gang's pod-group order. */
  podGroups: NativePodGroup[];
}

/** The child CompositePodGroup of a topology constraint group (a scaling-group replica). */
export function childGroupName(configName: string): string {
  return `${configName}-group`;
}

/** The leaf PodGroup a pod of PodClique `podClique` joins (pod `spec.schedulingGroup.podGroupName`). */
export function leafPodGroupName(podClique: string): string {
  return podClique;
}

/** The tree a gang becomes: which pod groups sit directly under the root and which under a child. */
export interface GangTree {
  /** Pod groups outside every constraint group, in spec order. */
  rootLeaves: PodGroup[];
  children: { name: string; /** Template shared by replicas of one scaling group. */ template: string; constraint?: PodGangTopologyConstraint; leaves: PodGroup[] }[];
  /** Problems that make the tree impossible (a group naming an unknown or already-used pod group). */
  problems: string[];
}

/** `pcs-0-sga-1` → `pcs-0-sga`: replicas of one scaling group share a template. */
function scalingGroupOf(configName: string): string {
  return configName.replace(/-\d+$/, '');
}

export function gangTree(gang: PodGang): GangTree {
  const byName = new Map(gang.spec.podgroups.map((g) => [g.name, g]));
  const used = new Set<string>();
  const problems: string[] = [];
  const templates = new Map<string, string>();
  const children: GangTree['children'] = [];
  for (const cfg of gang.spec.topologyConstraintGroupConfigs ?? []) {
    const leaves: PodGroup[] = [];
    for (const n of cfg.podGroupNames) {
      const g = byName.get(n);
      if (!g) problems.push(`topology constraint group ${cfg.name} names pod group ${n}, which the gang does not have`);
      else if (used.has(n)) problems.push(`pod group ${n} is in more than one topology constraint group`);
      else {
        used.add(n);
        leaves.push(g);
      }
    }
    const sg = scalingGroupOf(cfg.name);
    if (!templates.has(sg)) templates.set(sg, `group-${templates.size}`);
    children.push({ name: cfg.name, template: templates.get(sg) ?? '', ...(cfg.topologyConstraint ? { constraint: cfg.topologyConstraint } : {}), leaves });
  }
  return { rootLeaves: gang.spec.podgroups.filter((g) => !used.has(g.name)), children, problems };
}

function constraints(tc: PodGangTopologyConstraint | undefined): { schedulingConstraints?: SchedulingConstraints } {
  const key = tc?.packConstraint?.required;
  return key ? { schedulingConstraints: { topology: [{ key }] } } : {};
}

function ownerRef(gang: PodGang): V1OwnerReference {
  const uid = gang.metadata.uid;
  if (!uid) throw new Error(`PodGang ${gang.metadata.namespace ?? ''}/${gang.metadata.name ?? ''}: metadata.uid is required to own its native objects`);
  // No blockOwnerDeletion: a PodGang's deletion never waits for PodGroups whose finalizer may linger.
  return { apiVersion: SCHEDULER_API_VERSION, kind: 'PodGang', name: requireName('PodGang', gang), uid, controller: true };
}

/** Labels of the translated objects: the gang's own Grove labels (part-of, managed-by) plus the gang. */
function labelsOf(gang: PodGang, name: string): StringMap {
  const own = gang.metadata.labels ?? {};
  const keep = Object.fromEntries(Object.entries(own).filter(([k]) => k.startsWith('app.kubernetes.io/')));
  return { ...keep, [LABEL_NATIVE_PODGANG]: name };
}

/** Template name of leaf `m` of a child template, and of root leaf `i`. */
const childLeafTemplate = (template: string, m: number) => `${template}-${m}`;
const rootLeafTemplate = (i: number) => `podgroup-${i}`;

const ALL = { all: {} } as const;

/**
 * The Workload, CompositePodGroups and PodGroups for `gang` (see the header). Call it only for a gang
 * `nativeExpressibility` accepts; the tree problems it reports are an Error here.
 */
export function nativeObjects(gang: PodGang): NativeObjects {
  const name = requireName('PodGang', gang);
  const namespace = requireNamespace('PodGang', gang);
  const tree = gangTree(gang);
  if (tree.problems.length > 0) throw new Error(`PodGang ${namespace}/${name}: ${tree.problems.join('; ')}`);
  const priority = gang.spec.priorityClassName ? { priorityClassName: gang.spec.priorityClassName } : {};
  const meta = (n: string) => ({ name: n, namespace, labels: labelsOf(gang, name), ownerReferences: [ownerRef(gang)] });

  const leafTemplate = (t: string, g: PodGroup): PodGroupTemplate => ({
    name: t,
    schedulingPolicy: { gang: { minCount: g.minReplicas } },
    ...constraints(g.topologyConstraint),
    disruptionMode: ALL,
    ...priority,
  });
  const childTemplates: CompositePodGroupTemplate[] = [];
  for (const c of tree.children) {
    if (childTemplates.some((t) => t.name === c.template)) continue;
    childTemplates.push({
      name: c.template,
      schedulingPolicy: { gang: { minGroupCount: c.leaves.length } },
      ...constraints(c.constraint),
      disruptionMode: ALL,
      ...priority,
      podGroupTemplates: c.leaves.map((g, m) => leafTemplate(childLeafTemplate(c.template, m), g)),
    });
  }
  const rootChildren = tree.rootLeaves.length + tree.children.length;
  const rootTemplate: CompositePodGroupTemplate = {
    name: ROOT_TEMPLATE,
    schedulingPolicy: { gang: { minGroupCount: rootChildren } },
    ...constraints(gang.spec.topologyConstraint),
    disruptionMode: ALL,
    ...priority,
    ...(childTemplates.length > 0 ? { compositePodGroupTemplates: childTemplates } : {}),
    ...(tree.rootLeaves.length > 0 ? { podGroupTemplates: tree.rootLeaves.map((g, i) => leafTemplate(rootLeafTemplate(i), g)) } : {}),
  };
  const workload: Workload = {
    apiVersion: WORKLOAD_API_VERSION,
    kind: 'Workload',
    metadata: meta(name),
    spec: { controllerRef: { apiGroup: 'scheduler.grove.io', kind: 'PodGang', name }, compositePodGroupTemplates: [rootTemplate] },
  };
  const root: CompositePodGroup = {
    apiVersion: COMPOSITE_API_VERSION,
    kind: 'CompositePodGroup',
    metadata: meta(name),
    spec: {
      workloadRef: { workloadName: name, templateName: ROOT_TEMPLATE },
      schedulingPolicy: { gang: { minGroupCount: rootChildren } },
      ...constraints(gang.spec.topologyConstraint),
      disruptionMode: ALL,
      ...priority,
    },
  };
  const leaf = (g: PodGroup, parent: string, template: string): NativePodGroup => ({
    apiVersion: PODGROUP_API_VERSION,
    kind: 'PodGroup',
    metadata: meta(leafPodGroupName(g.name)),
    spec: {
      parentCompositePodGroupName: parent,
      workloadRef: { workloadName: name, templateName: template },
      schedulingPolicy: { gang: { minCount: g.minReplicas } },
      ...constraints(g.topologyConstraint),
      disruptionMode: ALL,
      ...priority,
    },
  });
  const children: CompositePodGroup[] = tree.children.map((c) => ({
    apiVersion: COMPOSITE_API_VERSION,
    kind: 'CompositePodGroup',
    metadata: meta(childGroupName(c.name)),
    spec: {
      workloadRef: { workloadName: name, templateName: c.template },
      parentCompositePodGroupName: name,
      schedulingPolicy: { gang: { minGroupCount: c.leaves.length } },
      ...constraints(c.constraint),
      disruptionMode: ALL,
      ...priority,
    },
  }));
  // Leaves in the gang's pod-group order: root leaves and children's leaves interleave as the gang lists them.
  const parentOf = new Map<string, { parent: string; template: string }>();
  tree.rootLeaves.forEach((g, i) => parentOf.set(g.name, { parent: name, template: rootLeafTemplate(i) }));
  for (const c of tree.children) c.leaves.forEach((g, m) => parentOf.set(g.name, { parent: childGroupName(c.name), template: childLeafTemplate(c.template, m) }));
  const podGroups = gang.spec.podgroups.map((g) => {
    const p = parentOf.get(g.name) ?? { parent: name, template: '' };
    return leaf(g, p.parent, p.template);
  });
  return { workload, composites: [root, ...children], podGroups };
}
