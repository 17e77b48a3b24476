// The planner's input and output. One planning unit is what must share a topology domain: a single
// PodGang, or (grove#648) every gang of one PodCliqueSet replica, the base gang first and then its
// scaled gangs, all inside the replica's required domain. Pods already placed (bound, or reserved by
// an earlier plan) pin the domains they sit in; the planner places the rest.
import type { V1PodSpec } from './kube-types.js';

/** Node-label keys (not domain names): `required` is hard, `preferred` only ranks placements. */
export interface PackConstraint {
  readonly required?: string;
  readonly preferred?: string;
}

/**
 * Keep replicas of one PodCliqueSet apart for availability: avoid the `key` domains (e.g. racks) that
 * sibling replicas already use. Required: those domains, and nodes without the label, are never used.
 * Preferred: they are used only when the unit does not fit elsewhere.
 */
export interface SpreadConstraint {
  readonly key: string;
  readonly required: boolean;
  /** Values of `key` that sibling replicas occupy. */
  readonly usedDomains: readonly string[];
}

export interface PodInput {
  /** The pod's name; placements refer to it. Unique within the unit. */
  readonly name: string;
  readonly spec: V1PodSpec;
  /** The node the pod is already bound or reserved to; its requests must be in the cluster snapshot. */
  readonly nodeName?: string;
}

/** One PodGang pod group (a PodClique): its first minReplicas pods are placed with the gang or not at all. */
export interface PodGroupInput {
  readonly name: string;
  readonly minReplicas: number;
  readonly pack?: PackConstraint;
  readonly pods: readonly PodInput[];
}

/** A topologyConstraintGroupConfig: pod groups (one PCSG replica) packed together. */
export interface GroupConfigInput {
  readonly name: string;
  readonly podGroupNames: readonly string[];
  readonly pack?: PackConstraint;
}

export interface GangInput {
  readonly name: string;
  /** The gang-wide constraint (PodGang spec.topologyConstraint). */
  readonly pack?: PackConstraint;
  readonly groupConfigs?: readonly GroupConfigInput[];
  readonly podGroups: readonly PodGroupInput[];
}

/**
 * Gangs planned together. `gangs[0]` anchors the unit (the base gang): while it cannot be placed no
 * other gang is; each later gang is placed, all or nothing, if it fits after the earlier ones.
 */
export interface PlanUnit {
  /** For messages, e.g. the PodCliqueSet replica "my-pcs-0". */
  readonly name: string;
  /** The domain every gang of the unit shares (the PodCliqueSet replica's constraint). */
  readonly pack?: PackConstraint;
  readonly spread?: SpreadConstraint;
  readonly gangs: readonly GangInput[];
}

export interface PodPlacement {
  readonly pod: string;
  readonly podGroup: string;
  readonly node: string;
}

/** A topology domain the plan chose for one scope (unit, gang, group config or pod group). */
export interface DomainChoice {
  /** "unit x", "gang x", "group config x" or "podgroup x". */
  readonly scope: string;
  readonly key: string;
  readonly value: string;
  /** True for a required pack; false when a preferred pack was met. */
  readonly required: boolean;
}

/** The resource that kept a gang out, where the best candidate fell short. */
export interface Shortfall {
  readonly resource: string;
  /** Amount needed, in planner units (millicores for cpu, whole units otherwise). */
  readonly needed: number;
  /** The most any candidate offered. */
  readonly available: number;
  /** The level key the amount had to fit in, when a required pack asked for one domain. */
  readonly key?: string;
  /** The candidate that offered `available`. */
  readonly domain?: string;
}

export interface GangPlaced {
  readonly gang: string;
  readonly status: 'placed';
  /** A node for every not-yet-placed pod of the gang's minimum. */
  readonly placements: readonly PodPlacement[];
  /** Pods beyond minReplicas that fit, inside the same required domains. */
  readonly extras: readonly PodPlacement[];
  /** Pods beyond minReplicas that did not fit. */
  readonly unplacedExtras: readonly string[];
  readonly domains: readonly DomainChoice[];
}

export interface GangUnschedulable {
  readonly gang: string;
  readonly status: 'unschedulable';
  /** What a person can act on: the resource, the amount, the level and the best domain found. */
  readonly reason: string;
  readonly shortfall?: Shortfall;
}

export type GangPlan = GangPlaced | GangUnschedulable;

export interface UnitPlan {
  readonly unit: string;
  /** One entry per input gang, in input order. */
  readonly gangs: readonly GangPlan[];
  /** The unit's required (or met preferred) domain. */
  readonly domain?: DomainChoice;
  /** With a spread constraint: whether the unit avoided every domain in usedDomains. */
  readonly spreadSatisfied?: boolean;
}
