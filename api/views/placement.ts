// The live Placement view: "where did it land". One object per PodClique (one role in one PodCliqueSet
// replica, or in one scaling-group replica): the nodes its pods are bound to, the topology domain of
// each node at every level, and whether each pack constraint that covers these pods is met. The
// constraints are the PodGang's (node label keys, as the scheduler sees them): the gang-wide one over
// all pods of the gang, a scaling-group replica's over its pod groups, and the pod group's own.

import type { Node, Pod } from '../core/wire.js';
import { isActivePod, isPodScheduled } from '../desired/pods.js';
import type { PodClique, PodGang, PodGangTopologyConstraint } from '../generated/types.js';
import { LABEL_PART_OF, LABEL_PCS_REPLICA_INDEX, LABEL_PCSG, LABEL_PCSG_REPLICA_INDEX, LABEL_PODCLIQUE, LABEL_PODGANG } from '../keys.js';
import { naturalCompare } from '../status/podcliqueset.js';
import { LIVE_API_VERSION, type ViewObject } from './meta.js';
import type { TopologyLevel } from './topology.js';

export const KIND_PLACEMENT = 'Placement';

export interface PlacementSpec {
  podCliqueSet: string;
  replica?: number;
  role: string;
  podGang?: string;
  scalingGroup?: { name: string; replica: number };
}

export interface NodePlacement {
  name: string;
  /** Pods of this PodClique on the node. */
  pods: number;
  /** The node's domain at each level (absent when the node lacks the level's label). */
  domains: { [level: string]: string };
}

export interface LevelPlacement {
  level: string;
  key: string;
  /** Distinct domains the placed pods occupy at this level. */
  values: string[];
}

export type ConstraintState = 'Met' | 'Violated' | 'Unknown';

export interface ConstraintPlacement {
  /** What the constraint covers: the whole gang, one scaling-group replica, or this pod group. */
  scope: 'PodGang' | 'ScalingGroupReplica' | 'PodClique';
  /** The gang, constraint group or PodClique it is declared on. */
  name: string;
  type: 'required' | 'preferred';
  level: string;
  key: string;
  state: ConstraintState;
  /** Domains the covered, placed pods occupy at this level. */
  domains: string[];
  message: string;
}

export interface PlacementStatus {
  pods: number;
  placed: number;
  nodes: NodePlacement[];
  levels: LevelPlacement[];
  constraints: ConstraintPlacement[];
}

export type PlacementView = ViewObject<typeof KIND_PLACEMENT, PlacementSpec, PlacementStatus>;

export interface PlacementInput {
  pclq: PodClique;
  /** Pods of the PodClique (label grove.io/podclique); finished and terminating ones are ignored. */
  pods: readonly Pod[];
  /** The PodClique's gang, when it exists. */
  gang?: PodGang;
  /** Pods of the gang (label grove.io/podgang), for the gang-wide and scaling-group constraints. */
  gangPods: readonly Pod[];
  node: (name: string) => Node | undefined;
  /** Levels to report, broadest first. */
  levels: readonly TopologyLevel[];
}

function intLabel(labels: { [k: string]: string } | undefined, key: string): number | undefined {
  const v = labels?.[key];
  return v !== undefined && /^(0|[1-9][0-9]*)$/.test(v) ? Number(v) : undefined;
}

function levelOf(levels: readonly TopologyLevel[], key: string): string {
  return levels.find((l) => l.key === key)?.domain ?? key;
}

/** Whether the placed pods among `pods` share one value of node label `key`. */
export function evaluatePack(
  key: string,
  pods: readonly Pod[],
  node: (name: string) => Node | undefined,
): { state: ConstraintState; domains: string[]; placed: number; unlabelled: number } {
  const placed = pods.filter(isPodScheduled);
  const values = new Set<string>();
  let unlabelled = 0;
  for (const p of placed) {
    const v = node(p.spec?.nodeName ?? '')?.metadata?.labels?.[key];
    if (v === undefined) unlabelled++;
    else values.add(v);
  }
  const domains = [...values].sort(naturalCompare);
  const state: ConstraintState = placed.length === 0 ? 'Unknown' : values.size > 1 || unlabelled > 0 ? 'Violated' : 'Met';
  return { state, domains, placed: placed.length, unlabelled };
}

function describe(level: string, total: number, r: ReturnType<typeof evaluatePack>): string {
  if (r.state === 'Unknown') return `no pod placed yet (0/${total})`;
  const where = r.domains.length === 1 ? `${level} ${r.domains[0]}` : `${r.domains.length} ${level} domains (${r.domains.join(', ')})`;
  const missing = r.unlabelled > 0 ? `; ${r.unlabelled} on nodes without a ${level} label` : '';
  const partial = r.placed < total ? ` (${r.placed}/${total} placed so far)` : '';
  return `${r.state === 'Met' ? 'all' : 'pods span'} ${r.placed} placed pod(s) in ${where}${missing}${partial}`;
}

function constraintsOf(
  scope: ConstraintPlacement['scope'],
  name: string,
  tc: PodGangTopologyConstraint | undefined,
  pods: readonly Pod[],
  input: PlacementInput,
): ConstraintPlacement[] {
  const out: ConstraintPlacement[] = [];
  for (const type of ['required', 'preferred'] as const) {
    const key = tc?.packConstraint?.[type];
    if (!key) continue;
    const level = levelOf(input.levels, key);
    const r = evaluatePack(key, pods, input.node);
    out.push({ scope, name, type, level, key, state: r.state, domains: r.domains, message: describe(level, pods.length, r) });
  }
  return out;
}

/** Every pack constraint of the gang that covers pod group `pclqName`, evaluated. */
function constraints(input: PlacementInput, pclqName: string, own: readonly Pod[]): ConstraintPlacement[] {
  const gang = input.gang;
  if (!gang) return [];
  const gangPods = input.gangPods.filter(isActivePod);
  const out = constraintsOf('PodGang', gang.metadata.name ?? '', gang.spec.topologyConstraint, gangPods, input);
  for (const cfg of gang.spec.topologyConstraintGroupConfigs ?? []) {
    if (!cfg.podGroupNames.includes(pclqName)) continue;
    const members = new Set(cfg.podGroupNames);
    const pods = gangPods.filter((p) => members.has(p.metadata?.labels?.[LABEL_PODCLIQUE] ?? ''));
    out.push(...constraintsOf('ScalingGroupReplica', cfg.name, cfg.topologyConstraint, pods, input));
  }
  const group = gang.spec.podgroups.find((g) => g.name === pclqName);
  out.push(...constraintsOf('PodClique', pclqName, group?.topologyConstraint, own, input));
  return out;
}

/** The live placement of one PodClique. */
export function placementView(input: PlacementInput): PlacementView {
  const { pclq } = input;
  const name = pclq.metadata.name ?? '';
  const labels = pclq.metadata.labels ?? {};
  const own = input.pods.filter((p) => isActivePod(p) && p.metadata?.labels?.[LABEL_PODCLIQUE] === name);
  const perNode = new Map<string, number>();
  for (const p of own) {
    const n = p.spec?.nodeName;
    if (n && isPodScheduled(p)) perNode.set(n, (perNode.get(n) ?? 0) + 1);
  }
  const nodes: NodePlacement[] = [...perNode.entries()]
    .sort(([a], [b]) => naturalCompare(a, b))
    .map(([n, pods]) => {
      const nodeLabels = input.node(n)?.metadata?.labels ?? {};
      const domains: { [level: string]: string } = {};
      for (const l of input.levels) {
        const v = nodeLabels[l.key];
        if (v !== undefined) domains[l.domain] = v;
      }
      return { name: n, pods, domains };
    });
  const levels: LevelPlacement[] = input.levels.map((l) => ({
    level: l.domain,
    key: l.key,
    values: [...new Set(nodes.flatMap((n) => (n.domains[l.domain] === undefined ? [] : [n.domains[l.domain] as string])))].sort(naturalCompare),
  }));
  const replica = intLabel(labels, LABEL_PCS_REPLICA_INDEX);
  const pcsg = labels[LABEL_PCSG];
  const pcsgReplica = intLabel(labels, LABEL_PCSG_REPLICA_INDEX);
  const gangName = labels[LABEL_PODGANG] ?? input.gang?.metadata.name;
  return {
    apiVersion: LIVE_API_VERSION,
    kind: KIND_PLACEMENT,
    metadata: {
      name,
      ...(pclq.metadata.namespace ? { namespace: pclq.metadata.namespace } : {}),
      labels: { ...labels },
      ...(pclq.metadata.creationTimestamp ? { creationTimestamp: pclq.metadata.creationTimestamp } : {}),
    },
    spec: {
      podCliqueSet: labels[LABEL_PART_OF] ?? '',
      ...(replica !== undefined ? { replica } : {}),
      role: pclq.spec.roleName,
      ...(gangName ? { podGang: gangName } : {}),
      ...(pcsg !== undefined && pcsgReplica !== undefined ? { scalingGroup: { name: pcsg, replica: pcsgReplica } } : {}),
    },
    status: {
      pods: own.length,
      placed: own.filter(isPodScheduled).length,
      nodes,
      levels,
      constraints: constraints(input, name, own),
    },
  };
}
