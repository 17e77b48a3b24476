// The PodCliqueSet as the validation rules read it: one defensive parse of the untrusted JSON, the
// field paths the rules report under, and the accumulator every rule writes into. Each rule module
// (metadata, template, resource-sharing, cliques, scaling-groups, updates, topology) works on this
// view, so the object is parsed once per request.
//
// The input is untrusted JSON: fields are read defensively and a rule whose input has the wrong JSON
// type is skipped (the structural schema validator reports the type error). An absent non-pointer
// field reads as its Go zero value, as it would after Grove decoded the object.

import { type FieldError, fieldPath } from '../../field-errors.js';
import type { ClusterTopologyBinding } from '../../index.js';
import { type JsonObject, asArray, asObject, goString, stringList } from '../untyped.js';
import { DEFAULT_SCHEDULER_NAME } from '../validation.js';

/** What the rules need from outside the object (operator configuration and the referenced CTB). */
export interface PodCliqueSetValidationContext {
  /** `topologyAwareScheduling.enabled` */
  topologyAwareScheduling: boolean;
  /** Enabled scheduler backend profiles. `default-scheduler` is always enabled. */
  schedulerProfiles: string[];
  /** The profile an empty `podSpec.schedulerName` resolves to. */
  defaultSchedulerName: string;
  /** `network.autoMNNVLEnabled` */
  autoMNNVLEnabled: boolean;
  /** Prefetched ClusterTopologyBinding lookup (see `topologyNameToLookUp`). */
  topology?: (name: string) => ClusterTopologyBinding | undefined;
}

export type Operation = 'CREATE' | 'UPDATE';

export const METADATA = fieldPath('metadata');
export const SPEC = fieldPath('spec');
export const TEMPLATE = SPEC.child('template');
export const CLIQUES = TEMPLATE.child('cliques');
export const GROUPS = TEMPLATE.child('podCliqueScalingGroups');

export const STARTUP_EXPLICIT = 'CliqueStartupTypeExplicit';
export const STARTUP_IN_ORDER = 'CliqueStartupTypeInOrder';

export const MSG_GT0 = 'must be greater than 0';
export const MSG_MIN_GT_REPLICAS = 'minAvailable must not be greater than replicas';

export interface CliqueView {
  index: number;
  raw: JsonObject;
  /** "" when absent; `undefined` when wrongly typed. */
  name: string | undefined;
  spec: JsonObject | undefined;
}

export interface GroupView {
  index: number;
  raw: JsonObject;
  name: string | undefined;
  cliqueNames: string[];
}

export interface PCSView {
  metadata: JsonObject | undefined;
  name: string;
  namespace: string;
  spec: JsonObject | undefined;
  template: JsonObject | undefined;
  /** `undefined` when `cliques` is absent or not a list. */
  cliquesList: unknown[] | undefined;
  cliques: CliqueView[];
  groups: GroupView[];
  startupType: unknown;
}

export function viewOf(pcs: unknown): PCSView {
  const root = asObject(pcs);
  const metadata = asObject(root?.metadata);
  const spec = asObject(root?.spec);
  const template = asObject(spec?.template);
  const cliquesList = asArray(template?.cliques);
  const cliques: CliqueView[] = [];
  (cliquesList ?? []).forEach((c, index) => {
    const raw = asObject(c);
    if (raw) cliques.push({ index, raw, name: goString(raw.name), spec: asObject(raw.spec) });
  });
  const groups: GroupView[] = [];
  (asArray(template?.podCliqueScalingGroups) ?? []).forEach((g, index) => {
    const raw = asObject(g);
    if (raw) groups.push({ index, raw, name: goString(raw.name), cliqueNames: stringList(raw.cliqueNames) });
  });
  return {
    metadata,
    name: goString(metadata?.name) ?? '',
    namespace: goString(metadata?.namespace) ?? '',
    spec,
    template,
    cliquesList,
    cliques,
    groups,
    startupType: template?.cliqueStartupType,
  };
}

export const podSpecOf = (c: CliqueView): JsonObject | undefined => asObject(c.spec?.podSpec);
export const schedulerNameOf = (c: CliqueView): string => goString(podSpecOf(c)?.schedulerName) ?? '';
/** A JSON value as a field-error value: absent reads as Go's nil (`null`). */
export const valueOf = (v: unknown): unknown => (v === undefined ? null : v);

export function isEnabledProfile(name: string, ctx: PodCliqueSetValidationContext): boolean {
  return name === DEFAULT_SCHEDULER_NAME || ctx.schedulerProfiles.includes(name);
}

/** The state the static rules share while they walk one object. */
export class Rules {
  readonly errors: FieldError[] = [];
  readonly warnings: string[] = [];
  /** Every clique name claimed by some scaling group. */
  readonly groupedCliques: Set<string>;
  /** The single scheduler profile all cliques resolve to, when it is enabled (input to V32). */
  resolvedSchedulerName: string | undefined;

  constructor(
    readonly v: PCSView,
    readonly op: Operation,
    readonly ctx: PodCliqueSetValidationContext,
  ) {
    this.groupedCliques = new Set(v.groups.flatMap((g) => g.cliqueNames));
  }

  get explicitStartup(): boolean {
    return this.v.startupType === STARTUP_EXPLICIT;
  }
}
