// grove.io/v1alpha1 PodCliqueSet (grove-compat §2.1): the user-facing kind. Each replica is one
// gang-scheduled copy of the template: standalone PodCliques plus PodCliqueScalingGroups.

import { CORE } from '../../core/index.js';
import {
  arr,
  bool,
  cel,
  dateTime,
  duration,
  embedded,
  enumOf,
  int32,
  named,
  obj,
  str,
  stringMap,
  withRules,
} from '../../schema/dsl.js';
import type { Schema } from '../../schema/types.js';
import type { PodCliqueSet } from '../../generated/types.js';
import {
  autoScalingConfig,
  conditions,
  kindRoot,
  lastErrors,
  observedGeneration,
  pcsgResourceSharingSpec,
  pcsResourceSharingSpec,
  resourceSharingSpec,
  topologyConstraint,
} from './common.js';
import { podCliqueSpec } from './podclique.js';

export const CLIQUE_STARTUP_TYPES = [
  'CliqueStartupTypeAnyOrder',
  'CliqueStartupTypeInOrder',
  'CliqueStartupTypeExplicit',
] as const;
export const UPDATE_STRATEGY_TYPES = ['RollingRecreate', 'OnDelete'] as const;
export const PODGANG_PHASES = ['Pending', 'Starting', 'Running', 'Failed', 'Succeeded'] as const;

const PACK_DOMAIN_DEPRECATED = 'packDomain is deprecated and cannot be used on new workloads; use pack.required';

// ---------------------------------------------------------------------------------------------
// CEL twins of the root-level rules. They only apply on create (optionalOldSelf: an update of an
// object that already carries packDomain keeps working).

/** On create, the PodCliqueSet-level topology constraint must not use packDomain. */
export function pcsTopologyConstraintHasNoPackDomain(self: PodCliqueSet): boolean {
  return self.spec?.template?.topologyConstraint?.packDomain === undefined;
}

/** On create, no clique template's topology constraint may use packDomain. */
export function cliqueTopologyConstraintsHaveNoPackDomain(self: PodCliqueSet): boolean {
  return (self.spec?.template?.cliques ?? []).every((c) => c?.topologyConstraint?.packDomain === undefined);
}

/** On create, no scaling group's topology constraint may use packDomain. */
export function scalingGroupTopologyConstraintsHaveNoPackDomain(self: PodCliqueSet): boolean {
  return (self.spec?.template?.podCliqueScalingGroups ?? []).every((g) => g?.topologyConstraint?.packDomain === undefined);
}

const createOnly = (check: (self: PodCliqueSet) => boolean) => (self: PodCliqueSet, ctx: { hasOldSelf: boolean }) =>
  ctx.hasOldSelf || check(self);

// ---------------------------------------------------------------------------------------------

export const podCliqueTemplateSpec: Schema = named(
  'PodCliqueTemplateSpec',
  obj(
    {
      name: str({
        description:
          'Name of the clique, unique within the PodCliqueSet and a DNS subdomain. Generated PodCliques are named ' +
          '<pcs>-<replica>-<name> (standalone) or <pcs>-<replica>-<group>-<groupReplica>-<name> (in a scaling group).',
      }),
      labels: stringMap({ description: 'Labels added to the generated PodClique and its pods.' }),
      annotations: stringMap({ description: 'Annotations added to the generated PodClique and its pods.' }),
      topologyConstraint: {
        ...topologyConstraint,
        description: 'Topology constraint for the pods of this clique; must be equal to or narrower than its parents.',
      },
      resourceSharing: arr(resourceSharingSpec, {
        description: 'ResourceClaims shared by the pods of this clique. Immutable.',
      }),
      spec: { ...podCliqueSpec, description: 'Specification of the PodCliques generated from this template.' },
    },
    { required: ['name', 'spec'], description: 'Template of a PodClique within a PodCliqueSet.' },
  ),
);

export const podCliqueScalingGroupConfig: Schema = named(
  'PodCliqueScalingGroupConfig',
  obj(
    {
      name: str({
        description:
          'Name of the scaling group, unique within the PodCliqueSet and a DNS subdomain. Generated ' +
          'PodCliqueScalingGroups are named <pcs>-<replica>-<name>.',
      }),
      cliqueNames: arr(str({ description: 'A clique name from spec.template.cliques.' }), {
        description:
          'Cliques (by template name) that scale together as one unit. A clique belongs to at most one group. ' +
          'Immutable.',
      }),
      annotations: stringMap({
        description: 'Annotations copied to the generated PodCliqueScalingGroup (e.g. grove.io/mnnvl-group).',
      }),
      replicas: int32({
        default: 1,
        description:
          'Initial number of replicas of the group. Only used when the PodCliqueScalingGroup is created; later ' +
          'scaling goes through the PodCliqueScalingGroup itself or its autoscaler.',
      }),
      minAvailable: int32({
        default: 1,
        description:
          'Group replicas that are gang-scheduled with the base PodGang and must stay available (gang ' +
          'termination threshold). Must be > 0 and <= replicas. Immutable.',
      }),
      scaleConfig: {
        ...autoScalingConfig,
        description:
          'Horizontal autoscaling of the group (targets the PodCliqueScalingGroup scale subresource); ' +
          'minReplicas defaults to replicas.',
      },
      resourceSharing: arr(pcsgResourceSharingSpec, {
        description: 'ResourceClaims shared by the pods of this group, optionally filtered to member cliques. Immutable.',
      }),
      topologyConstraint: {
        ...topologyConstraint,
        description: 'Topology constraint for each replica of the group; must be equal to or narrower than the PodCliqueSet one.',
      },
    },
    {
      required: ['name', 'cliqueNames'],
      description: 'A set of cliques that are scaled together as one unit (a PodCliqueScalingGroup per PodCliqueSet replica).',
    },
  ),
);

export const resourceClaimTemplateConfig: Schema = named(
  'ResourceClaimTemplateConfig',
  obj(
    {
      name: str({ description: 'Name referenced by resourceSharing entries; unique within the PodCliqueSet.' }),
      templateSpec: embedded(CORE.ResourceClaimTemplateSpec, {
        description:
          'A resource.k8s.io/v1 ResourceClaimTemplateSpec (see `kubectl explain resourceclaimtemplate.spec`; ' +
          'descriptions omitted here). Must request at least one device.',
      }),
    },
    {
      required: ['name', 'templateSpec'],
      description: 'A ResourceClaimTemplate defined inline in the PodCliqueSet.',
    },
  ),
);

export const headlessServiceConfig: Schema = named(
  'HeadlessServiceConfig',
  obj(
    {
      publishNotReadyAddresses: bool({
        default: true,
        description:
          'Publish DNS records for pods before they are Ready, so that peers can find each other while starting.',
      }),
    },
    {
      required: ['publishNotReadyAddresses'],
      description: 'Settings of the headless Service created per PodCliqueSet replica (<pcs>-<replica>).',
    },
  ),
);

export const podCliqueSetTemplateSpec: Schema = named(
  'PodCliqueSetTemplateSpec',
  obj(
    {
      cliques: arr(podCliqueTemplateSpec, {
        listType: 'map',
        listMapKeys: ['name'],
        description: 'Cliques that make up one replica of the PodCliqueSet; at least one.',
      }),
      cliqueStartupType: named(
        'CliqueStartupType',
        enumOf(CLIQUE_STARTUP_TYPES, {
          default: 'CliqueStartupTypeAnyOrder',
          description:
            'Start order of the cliques: CliqueStartupTypeAnyOrder (no ordering), CliqueStartupTypeInOrder (each ' +
            'clique waits for the previous one in the list) or CliqueStartupTypeExplicit (each clique waits for its ' +
            'startsAfter). Immutable.',
        }),
      ),
      priorityClassName: str({
        description:
          'PriorityClass of the PodGangs (used by the gang scheduler). Not written into pod specs; set ' +
          'podSpec.priorityClassName for that.',
      }),
      headlessServiceConfig: {
        ...headlessServiceConfig,
        description: 'Headless Service settings; defaults (webhook) to {publishNotReadyAddresses: true}.',
      },
      topologyConstraint: {
        ...topologyConstraint,
        description: 'Topology constraint for each PodCliqueSet replica (the whole base gang).',
      },
      terminationDelay: duration({
        description:
          'How long a replica may stay below minAvailable before the whole gang is terminated and recreated. ' +
          'Defaults (webhook) to 4h; must be greater than 0.',
      }),
      resourceClaimTemplates: arr(resourceClaimTemplateConfig, {
        description: 'ResourceClaimTemplates defined inline, referenced by name from resourceSharing. Immutable.',
      }),
      resourceSharing: arr(pcsResourceSharingSpec, {
        description:
          'ResourceClaims shared across the pods of the PodCliqueSet, optionally filtered to some cliques or ' +
          'scaling groups. Immutable.',
      }),
      podCliqueScalingGroups: arr(podCliqueScalingGroupConfig, {
        description: 'Groups of cliques that scale together; names must be unique (checked by the webhook).',
      }),
    },
    { required: ['cliques'], description: 'Template of one PodCliqueSet replica.' },
  ),
);

export const podCliqueSetUpdateStrategy: Schema = named(
  'PodCliqueSetUpdateStrategy',
  obj(
    {
      type: named(
        'UpdateStrategyType',
        enumOf(UPDATE_STRATEGY_TYPES, {
          default: 'RollingRecreate',
          description:
            'RollingRecreate: the operator replaces outdated pods replica by replica. OnDelete: outdated pods are ' +
            'only replaced when deleted by the user.',
        }),
      ),
    },
    { description: 'How template changes are rolled out; RollingRecreate when absent.' },
  ),
);

export const podCliqueSetSpec: Schema = named(
  'PodCliqueSetSpec',
  obj(
    {
      replicas: int32({ default: 0, description: 'Number of replicas (gang-scheduled copies of the template); >= 0.' }),
      updateStrategy: podCliqueSetUpdateStrategy,
      template: { ...podCliqueSetTemplateSpec, description: 'Template of each replica.' },
    },
    { required: ['template'], description: 'Desired state of the PodCliqueSet.' },
  ),
);

const pcsPodGangStatus: Schema = named(
  'PCSPodGangStatus',
  obj(
    {
      name: str({ description: 'Name of the PodGang.' }),
      phase: named(
        'PodGangPhase',
        enumOf(PODGANG_PHASES, { description: 'Phase of the PodGang.' }),
      ),
      conditions: conditions('Conditions of the PodGang.'),
    },
    { required: ['name', 'phase'], description: 'Summary of one PodGang (declared by Grove, not populated).' },
  ),
);

export const podCliqueSetStatus: Schema = named(
  'PodCliqueSetStatus',
  obj(
    {
      observedGeneration: observedGeneration('PodCliqueSet'),
      conditions: conditions('Latest observations of the PodCliqueSet, such as TopologyLevelsUnavailable.'),
      lastErrors: lastErrors('PodCliqueSet'),
      replicas: int32({ description: 'Number of replicas; mirrors spec.replicas (scale subresource).' }),
      updatedReplicas: int32({ default: 0, description: 'Replicas whose children all run the current generation.' }),
      availableReplicas: int32({
        default: 0,
        description: 'Replicas whose standalone PodCliques and scaling groups are all above minAvailable.',
      }),
      hpaPodSelector: str({ description: 'Label selector (string form) of all pods of the PodCliqueSet (scale subresource).' }),
      podGangStatuses: arr(pcsPodGangStatus, { description: 'Per-PodGang status (reserved; not populated).' }),
      currentGenerationHash: str({
        description: 'Hash of the spec fields whose change triggers a rolling update of the children.',
      }),
      updateProgress: named(
        'PodCliqueSetUpdateProgress',
        obj(
          {
            updateStartedAt: dateTime({ description: 'When the current (or last) update started.' }),
            updateEndedAt: dateTime({ description: 'When the update finished; unset while in progress.' }),
            updatedPodCliquesCount: int32({ default: 0, description: 'PodCliques already at the current generation.' }),
            totalPodCliquesCount: int32({ default: 0, description: 'PodCliques expected for the current spec.' }),
            updatedPodCliqueScalingGroupsCount: int32({
              default: 0,
              description: 'PodCliqueScalingGroups already at the current generation.',
            }),
            totalPodCliqueScalingGroupsCount: int32({
              default: 0,
              description: 'PodCliqueScalingGroups expected for the current spec.',
            }),
            currentlyUpdating: arr(
              named(
                'PodCliqueSetReplicaUpdateProgress',
                obj(
                  {
                    replicaIndex: int32({ description: 'Index of the replica being updated.' }),
                    updateStartedAt: dateTime({ description: 'When the update of this replica started.' }),
                    updateEndedAt: dateTime({ description: 'When the update of this replica finished.' }),
                  },
                  { required: ['replicaIndex'], description: 'Progress of the update of one replica.' },
                ),
              ),
              { description: 'Replicas currently being updated (rolling strategies only).' },
            ),
          },
          { description: 'Progress of the rolling update of the PodCliqueSet.' },
        ),
      ),
    },
    { required: ['updatedReplicas', 'availableReplicas'], description: 'Observed state of the PodCliqueSet.' },
  ),
);

export const podCliqueSet: Schema = withRules(
  kindRoot(
    'PodCliqueSet',
    'A PodCliqueSet describes a multi-component workload (for example disaggregated inference): a set of ' +
      'cliques of pods, replicated as gang-scheduled units.',
    podCliqueSetSpec,
    podCliqueSetStatus,
  ),
  cel(
    'pcsTopologyConstraintHasNoPackDomain',
    {
      rule:
        'oldSelf.hasValue() || !has(self.spec.template.topologyConstraint) || ' +
        '!has(self.spec.template.topologyConstraint.packDomain)',
      message: PACK_DOMAIN_DEPRECATED,
      fieldPath: '.spec.template.topologyConstraint.packDomain',
      reason: 'FieldValueForbidden',
      optionalOldSelf: true,
    },
    createOnly(pcsTopologyConstraintHasNoPackDomain),
  ),
  cel(
    'cliqueTopologyConstraintsHaveNoPackDomain',
    {
      rule:
        'oldSelf.hasValue() || !has(self.spec.template.cliques) || ' +
        'self.spec.template.cliques.all(c, !has(c.topologyConstraint) || !has(c.topologyConstraint.packDomain))',
      message: PACK_DOMAIN_DEPRECATED,
      fieldPath: '.spec.template.cliques',
      reason: 'FieldValueForbidden',
      optionalOldSelf: true,
    },
    createOnly(cliqueTopologyConstraintsHaveNoPackDomain),
  ),
  cel(
    'scalingGroupTopologyConstraintsHaveNoPackDomain',
    {
      rule:
        'oldSelf.hasValue() || !has(self.spec.template.podCliqueScalingGroups) || ' +
        'self.spec.template.podCliqueScalingGroups.all(g, !has(g.topologyConstraint) || ' +
        '!has(g.topologyConstraint.packDomain))',
      message: PACK_DOMAIN_DEPRECATED,
      fieldPath: '.spec.template.podCliqueScalingGroups',
      reason: 'FieldValueForbidden',
      optionalOldSelf: true,
    },
    createOnly(scalingGroupTopologyConstraintsHaveNoPackDomain),
  ),
);
