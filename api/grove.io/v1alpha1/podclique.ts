// grove.io/v1alpha1 PodClique (grove-compat §2.2): a group of identical pods with one role. Its
// spec type, PodCliqueSpec, is also the `spec` of each clique template in a PodCliqueSet.

import { CORE } from '../../core/index.js';
import { arr, dateTime, embedded, int32, named, obj, str } from '../../schema/dsl.js';
import type { Schema } from '../../schema/types.js';
import { autoScalingConfig, conditions, kindRoot, lastErrors, observedGeneration } from './common.js';

export const podCliqueSpec: Schema = named(
  'PodCliqueSpec',
  obj(
    {
      roleName: str({
        description:
          'Role of the pods in the workload (for example "prefill" or "decode"). Must be unique across the ' +
          'cliques of a PodCliqueSet; immutable.',
      }),
      podSpec: embedded(CORE.PodSpec, {
        description:
          'Pod template for the pods of this clique: a core/v1 PodSpec. Its fields are documented by ' +
          '`kubectl explain pod.spec` (field descriptions are omitted from this CRD to keep it small). The ' +
          'operator adds scheduling gates, GROVE_* environment variables, hostname/subdomain and, with ' +
          'startsAfter, an init container.',
      }),
      replicas: int32({
        description:
          'Number of pods. Defaults (webhook) to 1 when 0; must be greater than 0. Owned by the autoscaler or ' +
          'by direct edits of the PodClique once it exists.',
      }),
      minAvailable: int32({
        description:
          'Minimum number of pods that must be scheduled together (gang) and stay available; below it the ' +
          'clique is MinAvailableBreached and, after terminationDelay, the gang is terminated. Defaults ' +
          '(webhook) to replicas; must be > 0 and <= replicas. Immutable.',
      }),
      startsAfter: arr(str({ description: 'A clique name (template) or PodClique name (generated object).' }), {
        description:
          'Cliques that must be ready before pods of this clique start (CliqueStartupTypeExplicit). In a ' +
          'PodCliqueSet template these are clique names; in a generated PodClique they are the names of the ' +
          'parent PodCliques. An init container waits for them. Immutable.',
      }),
      autoScalingConfig: {
        ...autoScalingConfig,
        description:
          'Horizontal autoscaling of this clique (one HorizontalPodAutoscaler per PodCliqueSet replica, targeting ' +
          'the PodClique scale subresource). Not allowed for cliques that belong to a PodCliqueScalingGroup.',
      },
    },
    {
      required: ['roleName', 'podSpec', 'replicas'],
      description: 'Desired state of a PodClique: the pod template, the pod count and the gang threshold.',
    },
  ),
);

export const podCliqueUpdateProgress: Schema = named(
  'PodCliqueUpdateProgress',
  obj(
    {
      updateStartedAt: dateTime({ description: 'When the rolling update of this PodClique started.' }),
      updateEndedAt: dateTime({ description: 'When all pods of this PodClique ran the new template; unset while in progress.' }),
      podCliqueSetGenerationHash: str({ description: 'PodCliqueSet generation hash this update moves to.' }),
      podTemplateHash: str({ description: 'Pod template hash this update moves to.' }),
      readyPodsSelectedToUpdate: named(
        'PodsSelectedToUpdate',
        obj(
          {
            current: str({ description: 'Name of the ready pod currently being replaced.' }),
            completed: arr(str({ description: 'A pod name.' }), {
              description: 'Names of ready pods already replaced in this update.',
            }),
          },
          { required: ['current'], description: 'Ready pods picked one at a time for replacement.' },
        ),
      ),
    },
    {
      required: ['podCliqueSetGenerationHash', 'podTemplateHash'],
      description: 'Progress of the rolling update of this PodClique.',
    },
  ),
);

export const podCliqueStatus: Schema = named(
  'PodCliqueStatus',
  obj(
    {
      observedGeneration: observedGeneration('PodClique'),
      lastErrors: lastErrors('PodClique'),
      replicas: int32({ description: 'Number of non-terminating pods of this PodClique.' }),
      readyReplicas: int32({ default: 0, description: 'Number of pods that are Ready.' }),
      updatedReplicas: int32({ default: 0, description: 'Number of pods running the current pod template.' }),
      scheduleGatedReplicas: int32({
        default: 0,
        description: 'Number of pods still held by the grove.io/podgang-pending-creation scheduling gate.',
      }),
      scheduledReplicas: int32({ default: 0, description: 'Number of pods bound to a node.' }),
      hpaPodSelector: str({
        description: 'Label selector (string form) of the pods of this PodClique, read by the HorizontalPodAutoscaler.',
      }),
      conditions: conditions(
        'Latest observations: MinAvailableBreached, PodCliqueScheduled, and others set by the controller.',
      ),
      currentPodCliqueSetGenerationHash: str({
        description: 'PodCliqueSet generation hash this PodClique was last synced to.',
      }),
      currentPodTemplateHash: str({ description: 'Pod template hash of the pods this PodClique currently runs.' }),
      updateProgress: podCliqueUpdateProgress,
    },
    {
      required: ['readyReplicas', 'updatedReplicas', 'scheduleGatedReplicas', 'scheduledReplicas'],
      description: 'Observed state of a PodClique.',
    },
  ),
);

export const podClique: Schema = kindRoot(
  'PodClique',
  'A PodClique is a group of identical pods with the same role, created by a PodCliqueSet (or by one of its ' +
    'PodCliqueScalingGroups) and gang-scheduled through a PodGang.',
  { ...podCliqueSpec, description: 'Desired state of the PodClique.' },
  { ...podCliqueStatus, description: 'Observed state of the PodClique, written by the controller.' },
);
