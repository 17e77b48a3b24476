// grove.io/v1alpha1 PodCliqueScalingGroup (grove-compat §2.3): a set of PodCliques of one
// PodCliqueSet replica that scale together; generated from a PodCliqueScalingGroupConfig.

import { arr, dateTime, int32, named, obj, str } from '../../schema/dsl.js';
import type { Schema } from '../../schema/types.js';
import { conditions, kindRoot, lastErrors, observedGeneration } from './common.js';

export const podCliqueScalingGroupSpec: Schema = named(
  'PodCliqueScalingGroupSpec',
  obj(
    {
      replicas: int32({
        default: 1,
        description:
          'Number of replicas of the group; each replica is one PodClique per member clique. Scaled by the ' +
          'autoscaler or by direct edits.',
      }),
      minAvailable: int32({
        default: 1,
        description:
          'Replicas gang-scheduled with the base PodGang; fewer available replicas mark the group ' +
          'MinAvailableBreached (gang termination threshold).',
      }),
      cliqueNames: arr(str({ description: 'A clique template name.' }), {
        description: 'Template names of the member cliques (as in the PodCliqueSet template).',
      }),
    },
    { required: ['replicas', 'cliqueNames'], description: 'Desired state of the PodCliqueScalingGroup.' },
  ),
);

export const podCliqueScalingGroupStatus: Schema = named(
  'PodCliqueScalingGroupStatus',
  obj(
    {
      replicas: int32({ description: 'Number of replicas (scale subresource).' }),
      scheduledReplicas: int32({ default: 0, description: 'Replicas whose member PodCliques are all scheduled (minAvailable pods bound).' }),
      availableReplicas: int32({ default: 0, description: 'Replicas whose member PodCliques are all above minAvailable.' }),
      updatedReplicas: int32({ default: 0, description: 'Replicas whose member PodCliques run the current generation.' }),
      selector: str({ description: 'Label selector (string form) of the pods of the group (scale subresource).' }),
      observedGeneration: observedGeneration('PodCliqueScalingGroup'),
      lastErrors: lastErrors('PodCliqueScalingGroup'),
      conditions: conditions('Latest observations, such as MinAvailableBreached.'),
      currentPodCliqueSetGenerationHash: str({
        description: 'PodCliqueSet generation hash the group was last synced to.',
      }),
      updateProgress: named(
        'PodCliqueScalingGroupUpdateProgress',
        obj(
          {
            updateStartedAt: dateTime({ description: 'When the update of the group started.' }),
            updateEndedAt: dateTime({ description: 'When the update finished; unset while in progress.' }),
            podCliqueSetGenerationHash: str({ description: 'PodCliqueSet generation hash this update moves to.' }),
            updatedPodCliquesCount: int32({ description: 'Member PodCliques already updated.' }),
            totalPodCliquesCount: int32({ description: 'Member PodCliques in total.' }),
            readyReplicaIndicesSelectedToUpdate: named(
              'PodCliqueScalingGroupReplicaUpdateProgress',
              obj(
                {
                  current: int32({ description: 'Index of the ready replica currently being replaced.' }),
                  completed: arr(int32({ description: 'A replica index.' }), {
                    description: 'Indices of ready replicas already replaced.',
                  }),
                },
                { required: ['current'], description: 'Ready replicas picked one at a time for replacement.' },
              ),
            ),
          },
          {
            required: ['updateStartedAt', 'podCliqueSetGenerationHash'],
            description: 'Progress of the rolling update of the group.',
          },
        ),
      ),
    },
    {
      required: ['scheduledReplicas', 'availableReplicas', 'updatedReplicas'],
      description: 'Observed state of the PodCliqueScalingGroup.',
    },
  ),
);

export const podCliqueScalingGroup: Schema = kindRoot(
  'PodCliqueScalingGroup',
  'A PodCliqueScalingGroup scales a set of cliques of one PodCliqueSet replica together: each of its replicas ' +
    'has one PodClique per member clique.',
  podCliqueScalingGroupSpec,
  podCliqueScalingGroupStatus,
);
