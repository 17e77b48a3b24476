// Which nodes a pod may go to, by the rules of kube-scheduler's filter plugins that concern the node
// alone: NodeUnschedulable, NodeAffinity (spec.nodeSelector and required node affinity) and
// TaintToleration. Each predicate is pure and mirrors the upstream helper it is named after.
import type { Node, NodeSelectorRequirement, NodeSelectorTerm, Taint, Toleration, V1PodSpec } from './kube-types.js';

/** The parts of a Node the selection rules read. */
export interface NodeView {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  readonly unschedulable: boolean;
}

export function nodeView(node: Node): NodeView {
  return {
    name: node.metadata?.name ?? '',
    labels: node.metadata?.labels ?? {},
    taints: node.spec?.taints ?? [],
    unschedulable: node.spec?.unschedulable === true,
  };
}

/** The parts of a PodSpec the selection rules read. */
export type PodSelection = Pick<V1PodSpec, 'nodeSelector' | 'affinity' | 'tolerations'>;

export function nodeSelectorMatches(selector: Readonly<Record<string, string>> | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector)) if (labels[k] !== v) return false;
  return true;
}

// Gt and Lt compare base-10 integers; a label or bound that is not one never matches (labels.Requirement).
function asInteger(s: string | undefined): bigint | undefined {
  return s !== undefined && /^[+-]?\d+$/.test(s) ? BigInt(s) : undefined;
}

function compareInteger(labelValue: string | undefined, values: readonly string[] | undefined, gt: boolean): boolean {
  if (values?.length !== 1) return false;
  const have = asInteger(labelValue);
  const bound = asInteger(values[0]);
  if (have === undefined || bound === undefined) return false;
  return gt ? have > bound : have < bound;
}

/** One matchExpressions entry against a node's labels. */
export function labelRequirementMatches(req: NodeSelectorRequirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  const value = has ? labels[req.key] : undefined;
  switch (req.operator) {
    case 'In':
      return has && (req.values ?? []).includes(value ?? '');
    case 'NotIn':
      return !has || !(req.values ?? []).includes(value ?? '');
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
      return compareInteger(value, req.values, true);
    case 'Lt':
      return compareInteger(value, req.values, false);
    default:
      return false;
  }
}

/** One matchFields entry: only metadata.name with In or NotIn is defined upstream. */
export function fieldRequirementMatches(req: NodeSelectorRequirement, nodeName: string): boolean {
  if (req.key !== 'metadata.name') return false;
  if (req.operator === 'In') return (req.values ?? []).includes(nodeName);
  if (req.operator === 'NotIn') return !(req.values ?? []).includes(nodeName);
  return false;
}

/** A term matches when all its requirements do; a term with none matches nothing. */
export function nodeSelectorTermMatches(term: NodeSelectorTerm, node: NodeView): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  return exprs.every((r) => labelRequirementMatches(r, node.labels)) && fields.every((r) => fieldRequirementMatches(r, node.name));
}

/** Required node affinity: the terms are ORed; absent affinity allows every node. */
export function requiredNodeAffinityMatches(spec: PodSelection, node: NodeView): boolean {
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  return required.nodeSelectorTerms.some((t) => nodeSelectorTermMatches(t, node));
}

/** v1 Toleration.ToleratesTaint: empty effect or key are wildcards; Exists ignores the value. */
export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  if (toleration.operator === 'Exists') return true;
  if (toleration.operator === undefined || toleration.operator === '' || toleration.operator === 'Equal') {
    return (toleration.value ?? '') === (taint.value ?? '');
  }
  return false;
}

/** The first NoSchedule/NoExecute taint none of the tolerations tolerate (PreferNoSchedule only scores). */
export function untoleratedTaint(taints: readonly Taint[], tolerations: readonly Toleration[] | undefined): Taint | undefined {
  return taints.find((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !(tolerations ?? []).some((tol) => toleratesTaint(tol, t)));
}

const UNSCHEDULABLE_TAINT: Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

/**
 * Why kube-scheduler would reject the node for this pod before looking at resources, in its own
 * wording, or undefined when the node is acceptable. A cordoned node still takes pods tolerating
 * node.kubernetes.io/unschedulable:NoSchedule (as DaemonSets do).
 */
export function nodeRejection(spec: PodSelection, node: NodeView): string | undefined {
  if (node.unschedulable && !(spec.tolerations ?? []).some((t) => toleratesTaint(t, UNSCHEDULABLE_TAINT))) {
    return 'node(s) were unschedulable';
  }
  if (!nodeSelectorMatches(spec.nodeSelector, node.labels) || !requiredNodeAffinityMatches(spec, node)) {
    return "node(s) didn't match Pod's node affinity/selector";
  }
  const taint = untoleratedTaint(node.taints, spec.tolerations);
  if (taint) return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;
  return undefined;
}
