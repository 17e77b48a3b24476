// Schema pieces shared by several grove.io/v1alpha1 kinds: topology constraints, autoscaling
// configuration, resource sharing, status bookkeeping (lastErrors, conditions) and the root
// object envelope.

import { CORE } from '../../core/index.js';
import {
  arr,
  cel,
  dateTime,
  embedded,
  enumOf,
  int32,
  named,
  obj,
  str,
  typedAs,
  withRules,
} from '../../schema/dsl.js';
import { DNS1123_SUBDOMAIN_MAX_LENGTH, DNS1123_SUBDOMAIN_PATTERN } from '../../rules/k8s-names.js';
import type { Schema } from '../../schema/types.js';
import type { TopologyConstraint, TopologyPackConstraint } from '../../generated/types.js';

// ---------------------------------------------------------------------------------------------
// Topology (grove-compat §2.6)

/** TopologyDomain: a level name of a ClusterTopologyBinding, e.g. `zone`, `rack`, `host`. */
export const TOPOLOGY_DOMAIN_PATTERN = '^[a-z][a-z0-9-]*$';

const topologyDomainType: Schema = named(
  'TopologyDomain',
  str({
    description:
      'Name of a topology level (1-63 characters, lowercase alphanumerics and "-", starting with a letter). ' +
      'Well-known values: region, zone, datacenter, block, rack, host, numa.',
    minLength: 1,
    maxLength: 63,
    pattern: TOPOLOGY_DOMAIN_PATTERN,
  }),
);

export function topologyDomain(description: string): Schema {
  return { ...topologyDomainType, description };
}

/** CEL twin: a TopologyConstraint must say how to pack (`pack` or the deprecated `packDomain`). */
export function topologyConstraintSpecifiesPack(self: TopologyConstraint): boolean {
  return self.pack !== undefined || self.packDomain !== undefined;
}

/** CEL twin: `packDomain` and `pack.required` are two spellings of one thing; not both. */
export function topologyConstraintNotBothRequiredAndPackDomain(self: TopologyConstraint): boolean {
  return !(self.packDomain !== undefined && self.pack !== undefined && self.pack.required !== undefined);
}

/** CEL twin: an explicit `pack` must carry at least one of `required` / `preferred`. */
export function packSpecifiesRequiredOrPreferred(self: TopologyPackConstraint): boolean {
  return self.required !== undefined || self.preferred !== undefined;
}

export const topologyPackConstraint: Schema = named(
  'TopologyPackConstraint',
  withRules(
    obj(
      {
        required: topologyDomain(
          'Topology domain (a level of the referenced ClusterTopologyBinding, e.g. "rack") within which all pods ' +
            'of this group must be placed. Scheduling fails rather than spreading across domains.',
        ),
        preferred: topologyDomain(
          'Topology domain within which the scheduler tries, best effort, to place all pods of this group. ' +
            'Usually narrower than required.',
        ),
      },
      { description: 'How tightly to pack the pods of this group onto the cluster topology.' },
    ),
    cel(
      'packSpecifiesRequiredOrPreferred',
      {
        rule: 'has(self.required) || has(self.preferred)',
        message: 'pack must specify at least one of required or preferred',
        reason: 'FieldValueRequired',
      },
      packSpecifiesRequiredOrPreferred,
    ),
  ),
);

export const topologyConstraint: Schema = named(
  'TopologyConstraint',
  withRules(
    obj(
      {
        // copse: Grove leaves topologyName unchecked, but it becomes a path segment of the lookup
        // (`..` would be normalised into another URL), so it must be a possible object name.
        topologyName: str({
          description:
            'Name of the ClusterTopologyBinding whose levels the domains refer to (a DNS subdomain). May be omitted ' +
            'when a constrained ancestor (PodCliqueSet, then PodCliqueScalingGroup) names one; it is inherited from ' +
            'the nearest one. Immutable.',
          maxLength: DNS1123_SUBDOMAIN_MAX_LENGTH,
          pattern: DNS1123_SUBDOMAIN_PATTERN,
        }),
        pack: topologyPackConstraint,
        packDomain: topologyDomain(
          'Deprecated alias of pack.required. Rejected on new objects; tolerated on objects that already have it.',
        ),
      },
      {
        description:
          'Topology-aware placement for the pods of this level. Constraints nest: a child constraint must be ' +
          'equal to or narrower than its parent.',
      },
    ),
    cel(
      'topologyConstraintSpecifiesPack',
      {
        rule: 'has(self.pack) || has(self.packDomain)',
        message: 'topologyConstraint must specify pack or deprecated packDomain',
        fieldPath: '.pack',
        reason: 'FieldValueRequired',
      },
      topologyConstraintSpecifiesPack,
    ),
    cel(
      'topologyConstraintNotBothRequiredAndPackDomain',
      {
        rule: '!(has(self.packDomain) && has(self.pack) && has(self.pack.required))',
        message: 'must not set both pack.required and deprecated packDomain',
        fieldPath: '.pack.required',
      },
      topologyConstraintNotBothRequiredAndPackDomain,
    ),
  ),
);

// ---------------------------------------------------------------------------------------------
// Autoscaling (grove-compat §2.2)

export const autoScalingConfig: Schema = named(
  'AutoScalingConfig',
  obj(
    {
      minReplicas: int32({
        description:
          'Lower bound for the HorizontalPodAutoscaler. Defaults (webhook) to the replicas of the clique or ' +
          'scaling group; must not be below its minAvailable.',
      }),
      maxReplicas: int32({
        description: 'Upper bound for the HorizontalPodAutoscaler; must be at least minReplicas and replicas.',
      }),
      metrics: arr(
        embedded(CORE.MetricSpec, {
          description: 'An autoscaling/v2 MetricSpec (see `kubectl explain hpa.spec.metrics`).',
        }),
        {
          listType: 'atomic',
          description:
            'Metrics the HorizontalPodAutoscaler scales on, as autoscaling/v2 MetricSpecs. When empty, the ' +
            'HPA default (80% average CPU utilisation) applies.',
        },
      ),
    },
    {
      required: ['maxReplicas'],
      description:
        'Horizontal autoscaling: the operator creates one autoscaling/v2 HorizontalPodAutoscaler per PodCliqueSet ' +
        'replica that targets the scale subresource of the generated object.',
    },
  ),
);

// ---------------------------------------------------------------------------------------------
// Resource sharing (GREP-390, grove-compat §2.7)

export const RESOURCE_SHARING_SCOPES = ['AllReplicas', 'PerReplica'] as const;

const resourceSharingScope: Schema = named(
  'ResourceSharingScope',
  enumOf(RESOURCE_SHARING_SCOPES, {
    description:
      'AllReplicas: one ResourceClaim shared by every replica of the owning object. PerReplica: one ' +
      'ResourceClaim per replica, shared by the pods of that replica.',
  }),
);

function resourceSharingProps() {
  return {
    name: str({
      description:
        'Name of a ResourceClaimTemplate: an entry of spec.template.resourceClaimTemplates if one matches ' +
        '(namespace must then be empty), otherwise a resource.k8s.io/v1 ResourceClaimTemplate object.',
    }),
    namespace: str({
      description:
        'Namespace of an external ResourceClaimTemplate. Defaults to the namespace of the PodCliqueSet; must be ' +
        'empty when name refers to an internal template.',
    }),
    scope: resourceSharingScope,
  };
}

const SHARING_DESC =
  'A ResourceClaim created from a template and shared by the pods below this level, according to scope.';

/** PodClique-level sharing: no filter. */
export const resourceSharingSpec: Schema = named(
  'ResourceSharingSpec',
  obj(resourceSharingProps(), { required: ['name', 'scope'], description: SHARING_DESC }),
);

export const pcsResourceSharingSpec: Schema = named(
  'PCSResourceSharingSpec',
  obj(
    {
      ...resourceSharingProps(),
      filter: named(
        'PCSResourceSharingFilter',
        obj(
          {
            childCliqueNames: arr(str({ description: 'A clique name from spec.template.cliques.' }), {
              description: 'Standalone cliques (by template name) whose pods get the claim.',
            }),
            childScalingGroupNames: arr(str({ description: 'A scaling group name from spec.template.podCliqueScalingGroups.' }), {
              description: 'Scaling groups (by config name) whose pods get the claim.',
            }),
          },
          {
            description:
              'Restricts the claim to the named immediate children. Absent: every child gets it. Present: at least ' +
              'one name is required.',
          },
        ),
      ),
    },
    { required: ['name', 'scope'], description: SHARING_DESC },
  ),
);

export const pcsgResourceSharingSpec: Schema = named(
  'PCSGResourceSharingSpec',
  obj(
    {
      ...resourceSharingProps(),
      filter: named(
        'PCSGResourceSharingFilter',
        obj(
          {
            childCliqueNames: arr(str({ description: "A clique name from this group's cliqueNames." }), {
              description: 'Member cliques whose pods get the claim.',
            }),
          },
          {
            description:
              'Restricts the claim to the named member cliques. Absent: every member gets it. Present: at least ' +
              'one name is required.',
          },
        ),
      ),
    },
    { required: ['name', 'scope'], description: SHARING_DESC },
  ),
);

// ---------------------------------------------------------------------------------------------
// Status helpers

export const lastError: Schema = named(
  'LastError',
  obj(
    {
      code: str({ description: 'Machine-readable error code.' }),
      description: str({ description: 'Human-readable description of the error.' }),
      observedAt: dateTime({ description: 'When the error was observed.' }),
    },
    { required: ['code', 'description', 'observedAt'], description: 'An error met during the last reconcile.' },
  ),
);

export function lastErrors(kind: string): Schema {
  return arr(lastError, {
    description: `Errors of the last ${kind} reconcile that did not complete; empty after a successful one.`,
  });
}

export const condition: Schema = named(
  'Condition',
  embedded(CORE.Condition, {
    description:
      'A metav1.Condition: type, status (True, False or Unknown), reason, message, lastTransitionTime and ' +
      'observedGeneration (see `kubectl explain pod.status.conditions` for the general convention).',
  }),
);

export function conditions(description: string): Schema {
  return arr(condition, { description });
}

export function observedGeneration(kind: string): Schema {
  return { type: 'integer', format: 'int64', description: `The metadata.generation of the ${kind} last processed by the controller.` };
}

// ---------------------------------------------------------------------------------------------
// Kind envelope

/** The root object of a kind: apiVersion, kind, metadata, spec (required), status. */
export function kindRoot(kind: string, description: string, spec: Schema, status?: Schema): Schema {
  const props: { [name: string]: Schema } = {
    apiVersion: str({
      description:
        'Versioned schema of this representation of an object. Servers convert recognized schemas to the ' +
        'latest internal value and may reject unrecognized values.',
    }),
    kind: str({ description: 'REST resource this object represents; always ' + kind + '.' }),
    // the apiserver forbids anything but `type` (and name/generateName restrictions) on root metadata,
    // so no description here; `kubectl explain` documents it from ObjectMeta.
    metadata: typedAs({ type: 'object' }, { name: 'V1ObjectMeta', from: '../core/wire.js' }),
    spec,
  };
  if (status) props['status'] = status;
  return named(kind, obj(props, { required: ['spec'], description, tsRequired: ['metadata'] }));
}
