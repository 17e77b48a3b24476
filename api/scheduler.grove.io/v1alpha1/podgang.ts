// scheduler.grove.io/v1alpha1 PodGang (grove-compat §2.5): the unit of gang scheduling handed to
// the scheduler backend. One base gang per PodCliqueSet replica plus one per scaled PCSG replica.

import { arr, double, int32, named, obj, str } from '../../schema/dsl.js';
import type { Schema } from '../../schema/types.js';
import { conditions, kindRoot } from '../../grove.io/v1alpha1/common.js';

export const namespacedName: Schema = named(
  'NamespacedName',
  obj(
    {
      namespace: str({ description: 'Namespace of the object.' }),
      name: str({ description: 'Name of the object.' }),
    },
    { required: ['namespace', 'name'], description: 'Reference to a namespaced object.' },
  ),
);

export const podGangPackConstraint: Schema = named(
  'PodGangTopologyPackConstraint',
  obj(
    {
      required: str({ description: 'Node label key; all pods must share one value of it (hard).' }),
      preferred: str({ description: 'Node label key; pods should share one value of it (best effort).' }),
    },
    { description: 'Packing expressed as node label keys (resolved from topology domains).' },
  ),
);

export const podGangTopologyConstraint: Schema = named(
  'PodGangTopologyConstraint',
  obj(
    { packConstraint: podGangPackConstraint },
    { description: 'Topology constraint in scheduler terms (node label keys, not domain names).' },
  ),
);

export const podGroup: Schema = named(
  'PodGroup',
  obj(
    {
      name: str({ description: 'Name of the group: the PodClique name.' }),
      podReferences: arr(namespacedName, { description: 'Pods of the group, sorted by name.' }),
      minReplicas: int32({ description: 'Pods of this group that must be scheduled together (the clique minAvailable).' }),
      topologyConstraint: { ...podGangTopologyConstraint, description: 'Topology constraint for the pods of this group.' },
    },
    {
      required: ['name', 'podReferences', 'minReplicas'],
      description: 'The pods of one PodClique within the gang.',
    },
  ),
);

export const topologyConstraintGroupConfig: Schema = named(
  'TopologyConstraintGroupConfig',
  obj(
    {
      name: str({ description: 'Name of the constraint group.' }),
      podGroupNames: arr(str({ description: 'A pod group name.' }), { description: 'Pod groups the constraint applies to together.' }),
      topologyConstraint: { ...podGangTopologyConstraint, description: 'Constraint shared by the listed pod groups.' },
    },
    {
      required: ['name', 'podGroupNames'],
      description: 'A topology constraint over several pod groups of the gang (e.g. one scaling group replica).',
    },
  ),
);

export const podGangSpec: Schema = named(
  'PodGangSpec',
  obj(
    {
      podgroups: arr(podGroup, { description: 'Pod groups of the gang, one per constituent PodClique.' }),
      topologyConstraint: { ...podGangTopologyConstraint, description: 'Gang-wide topology constraint.' },
      topologyConstraintGroupConfigs: arr(topologyConstraintGroupConfig, {
        description: 'Topology constraints over subsets of pod groups.',
      }),
      priorityClassName: str({ description: 'PriorityClass of the gang.' }),
      reuseReservationRef: {
        ...namespacedName,
        description: 'A PodGang whose reservation should be reused (declared, unused).',
      },
    },
    { required: ['podgroups'], description: 'Desired state of the PodGang.' },
  ),
);

export const PODGANG_CONDITION_TYPES = ['Scheduled', 'Ready', 'Initialized', 'Unhealthy', 'DisruptionTarget'] as const;

export const podGangStatus: Schema = named(
  'PodGangStatus',
  obj(
    {
      phase: str({ description: 'Lifecycle phase: Pending, Starting or Running.' }),
      conditions: conditions('Latest observations: Scheduled, Ready, Initialized, Unhealthy, DisruptionTarget.'),
      placementScore: double({ description: 'Quality score of the placement (reserved).' }),
    },
    { required: ['phase'], description: 'Observed state of the PodGang.' },
  ),
);

export const podGang: Schema = kindRoot(
  'PodGang',
  'A PodGang is a group of pods that the scheduler places all-or-nothing (at least minReplicas of every pod group).',
  podGangSpec,
  podGangStatus,
);
