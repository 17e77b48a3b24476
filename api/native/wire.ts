// Kubernetes v1.37 workload-aware scheduling objects as copse writes and reads them
// (scheduling.k8s.io/v1beta1 Workload and PodGroup, v1alpha3 CompositePodGroup; reference
// workload-aware-scheduling.md §2). Only the fields copse sets or reads are typed.
import type { V1ObjectMeta } from '../core/wire.js';

export const WORKLOAD_API_VERSION = 'scheduling.k8s.io/v1beta1';
export const PODGROUP_API_VERSION = 'scheduling.k8s.io/v1beta1';
export const COMPOSITE_API_VERSION = 'scheduling.k8s.io/v1alpha3';

/** The finalizer kube-apiserver's PodGroupProtection admission puts on every new PodGroup. */
export const PODGROUP_PROTECTION_FINALIZER = 'scheduling.k8s.io/podgroup-protection';
/** The only condition kube-scheduler writes on a (leaf) PodGroup in v1.37. */
export const CONDITION_INITIALLY_SCHEDULED = 'PodGroupInitiallyScheduled';

export interface TopologyConstraint {
  key: string;
}
export interface SchedulingConstraints {
  /** At most one item in v1.37. */
  topology: TopologyConstraint[];
}
export interface DisruptionMode {
  all?: Record<string, never>;
  single?: Record<string, never>;
}
export interface WorkloadRef {
  workloadName: string;
  templateName: string;
}

export interface PodGroupTemplate {
  name: string;
  schedulingPolicy: { gang: { minCount: number } };
  schedulingConstraints?: SchedulingConstraints;
  disruptionMode: DisruptionMode;
  priorityClassName?: string;
}
export interface CompositePodGroupTemplate {
  name: string;
  schedulingPolicy: { gang: { minGroupCount: number } };
  schedulingConstraints?: SchedulingConstraints;
  disruptionMode: DisruptionMode;
  priorityClassName?: string;
  compositePodGroupTemplates?: CompositePodGroupTemplate[];
  podGroupTemplates?: PodGroupTemplate[];
}

export interface Workload {
  apiVersion?: string;
  kind?: string;
  metadata: V1ObjectMeta;
  spec: {
    controllerRef: { apiGroup: string; kind: string; name: string };
    compositePodGroupTemplates: CompositePodGroupTemplate[];
  };
}

export interface CompositePodGroup {
  apiVersion?: string;
  kind?: string;
  metadata: V1ObjectMeta;
  spec: {
    workloadRef: WorkloadRef;
    parentCompositePodGroupName?: string;
    schedulingPolicy: { gang: { minGroupCount: number } };
    schedulingConstraints?: SchedulingConstraints;
    disruptionMode: DisruptionMode;
    priorityClassName?: string;
  };
}

export interface NativeCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface NativePodGroup {
  apiVersion?: string;
  kind?: string;
  metadata: V1ObjectMeta;
  spec: {
    parentCompositePodGroupName?: string;
    workloadRef?: WorkloadRef;
    schedulingPolicy: { gang: { minCount: number } };
    schedulingConstraints?: SchedulingConstraints;
    disruptionMode: DisruptionMode;
    priorityClassName?: string;
  };
  status?: { conditions?: NativeCondition[] };
}
