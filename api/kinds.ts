// The API kinds: identity, REST names, subresources and printer columns (grove-compat §1, and the
// optional Dynamo kind of dynamo-dgd.md §1), next to their schemas. Everything else (CRDs, TS types,
// validators) is derived from this table.

import { clusterTopologyBinding } from './grove.io/v1alpha1/clustertopologybinding.js';
import { podClique } from './grove.io/v1alpha1/podclique.js';
import { podCliqueScalingGroup } from './grove.io/v1alpha1/podcliquescalinggroup.js';
import { podCliqueSet } from './grove.io/v1alpha1/podcliqueset.js';
import { dynamoGraphDeployment } from './nvidia.com/v1alpha1/dynamographdeployment.js';
import { podGang } from './scheduler.grove.io/v1alpha1/podgang.js';
import type { Schema } from './schema/types.js';

export const GROVE_GROUP = 'grove.io';
export const SCHEDULER_GROUP = 'scheduler.grove.io';
export const API_VERSION_V1ALPHA1 = 'v1alpha1';
export const GROVE_API_VERSION = `${GROVE_GROUP}/${API_VERSION_V1ALPHA1}`;
export const SCHEDULER_API_VERSION = `${SCHEDULER_GROUP}/${API_VERSION_V1ALPHA1}`;
export const DYNAMO_GROUP = 'nvidia.com';
export const DYNAMO_API_VERSION = `${DYNAMO_GROUP}/${API_VERSION_V1ALPHA1}`;

export type KindName =
  | 'PodCliqueSet'
  | 'PodClique'
  | 'PodCliqueScalingGroup'
  | 'ClusterTopologyBinding'
  | 'PodGang'
  | 'DynamoGraphDeployment';

export interface PrinterColumn {
  name: string;
  type: 'integer' | 'number' | 'string' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  priority?: number;
  format?: string;
}

export interface ScaleSubresource {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath: string;
}

export interface KindInfo {
  kind: KindName;
  group: string;
  version: string;
  /** `group/version` */
  apiVersion: string;
  plural: string;
  singular: string;
  listKind: string;
  shortNames: string[];
  scope: 'Namespaced' | 'Cluster';
  schema: Schema;
  scale?: ScaleSubresource;
  printerColumns: PrinterColumn[];
}

const int = (name: string, jsonPath: string, priority?: number): PrinterColumn =>
  priority ? { name, type: 'integer', jsonPath, priority } : { name, type: 'integer', jsonPath };
const AGE: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };
const MIN_BREACHED: PrinterColumn = {
  name: 'MinBreached',
  type: 'string',
  jsonPath: '.status.conditions[?(@.type=="MinAvailableBreached")].status',
  priority: 1,
};

function kind(k: Omit<KindInfo, 'apiVersion' | 'listKind' | 'singular'>): KindInfo {
  return { ...k, apiVersion: `${k.group}/${k.version}`, listKind: `${k.kind}List`, singular: k.kind.toLowerCase() };
}

export const KINDS: Readonly<Record<KindName, KindInfo>> = {
  PodCliqueSet: kind({
    kind: 'PodCliqueSet',
    group: GROVE_GROUP,
    version: API_VERSION_V1ALPHA1,
    plural: 'podcliquesets',
    shortNames: ['pcs'],
    scope: 'Namespaced',
    schema: podCliqueSet,
    scale: {
      specReplicasPath: '.spec.replicas',
      statusReplicasPath: '.status.replicas',
      labelSelectorPath: '.status.hpaPodSelector',
    },
    printerColumns: [
      int('Replicas', '.spec.replicas'),
      int('Available', '.status.availableReplicas'),
      int('Updated', '.status.updatedReplicas'),
      int('PCLQs-Updated', '.status.updateProgress.updatedPodCliquesCount'),
      int('PCLQs-Total', '.status.updateProgress.totalPodCliquesCount'),
      int('PCSGs-Updated', '.status.updateProgress.updatedPodCliqueScalingGroupsCount'),
      int('PCSGs-Total', '.status.updateProgress.totalPodCliqueScalingGroupsCount'),
      AGE,
    ],
  }),
  PodClique: kind({
    kind: 'PodClique',
    group: GROVE_GROUP,
    version: API_VERSION_V1ALPHA1,
    plural: 'podcliques',
    shortNames: ['pclq'],
    scope: 'Namespaced',
    schema: podClique,
    scale: {
      specReplicasPath: '.spec.replicas',
      statusReplicasPath: '.status.replicas',
      labelSelectorPath: '.status.hpaPodSelector',
    },
    printerColumns: [
      int('MinAvail', '.spec.minAvailable'),
      int('Replicas', '.spec.replicas'),
      int('Ready', '.status.readyReplicas'),
      int('Scheduled', '.status.scheduledReplicas'),
      int('Updated', '.status.updatedReplicas'),
      int('Gated', '.status.scheduleGatedReplicas', 1),
      MIN_BREACHED,
      AGE,
    ],
  }),
  PodCliqueScalingGroup: kind({
    kind: 'PodCliqueScalingGroup',
    group: GROVE_GROUP,
    version: API_VERSION_V1ALPHA1,
    plural: 'podcliquescalinggroups',
    shortNames: ['pcsg'],
    scope: 'Namespaced',
    schema: podCliqueScalingGroup,
    scale: {
      specReplicasPath: '.spec.replicas',
      statusReplicasPath: '.status.replicas',
      labelSelectorPath: '.status.selector',
    },
    printerColumns: [
      int('MinAvail', '.spec.minAvailable'),
      int('Replicas', '.spec.replicas'),
      int('Available', '.status.availableReplicas'),
      int('Scheduled', '.status.scheduledReplicas'),
      int('Updated', '.status.updatedReplicas'),
      int('PCLQs-Updated', '.status.updateProgress.updatedPodCliquesCount'),
      int('PCLQs-Total', '.status.updateProgress.totalPodCliquesCount'),
      MIN_BREACHED,
      AGE,
    ],
  }),
  ClusterTopologyBinding: kind({
    kind: 'ClusterTopologyBinding',
    group: GROVE_GROUP,
    version: API_VERSION_V1ALPHA1,
    plural: 'clustertopologybindings',
    shortNames: ['ct'],
    scope: 'Cluster',
    schema: clusterTopologyBinding,
    printerColumns: [{ name: 'Domains', type: 'string', jsonPath: '.spec.levels[*].domain' }, AGE],
  }),
  PodGang: kind({
    kind: 'PodGang',
    group: SCHEDULER_GROUP,
    version: API_VERSION_V1ALPHA1,
    plural: 'podgangs',
    shortNames: ['pg'],
    scope: 'Namespaced',
    schema: podGang,
    printerColumns: [{ name: 'Phase', type: 'string', jsonPath: '.status.phase' }, AGE],
  }),
  DynamoGraphDeployment: kind({
    kind: 'DynamoGraphDeployment',
    group: DYNAMO_GROUP,
    version: API_VERSION_V1ALPHA1,
    plural: 'dynamographdeployments',
    shortNames: ['dgd'],
    scope: 'Namespaced',
    schema: dynamoGraphDeployment,
    printerColumns: [
      { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
      { name: 'Backend', type: 'string', jsonPath: '.spec.backendFramework' },
      AGE,
    ],
  }),
};

/** The Grove kinds, installed by default, in a stable order (the order of grove-compat §1). */
export const KIND_NAMES: readonly KindName[] = [
  'PodCliqueSet',
  'PodClique',
  'PodCliqueScalingGroup',
  'ClusterTopologyBinding',
  'PodGang',
];

/** NVIDIA Dynamo's kinds: optional, installed only on request (manifests/dynamo/). */
export const DYNAMO_KIND_NAMES: readonly KindName[] = ['DynamoGraphDeployment'];

/** Every kind copse knows, Grove's first. */
export const ALL_KIND_NAMES: readonly KindName[] = [...KIND_NAMES, ...DYNAMO_KIND_NAMES];

export function kindInfo(kind: KindName): KindInfo {
  return KINDS[kind];
}

/** Look up by `apiVersion` + `kind` of an object; undefined for anything that is not ours. */
export function kindOf(obj: { apiVersion?: string; kind?: string }): KindInfo | undefined {
  const k = obj.kind as KindName | undefined;
  if (!k || !(k in KINDS)) return undefined;
  const info = KINDS[k];
  return info.apiVersion === obj.apiVersion ? info : undefined;
}
