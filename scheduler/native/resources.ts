// The Kubernetes v1.37 workload-aware scheduling resources the native backend writes. They exist only
// on a cluster that serves them, so they live here and not in kube/resources.ts RESOURCES.
import type { CompositePodGroup, NativePodGroup, Workload } from '../../api/native/index.js';
import type { Resource } from '../../kube/resources.js';

export const NATIVE_RESOURCES = {
  workloads: { group: 'scheduling.k8s.io', version: 'v1beta1', resource: 'workloads', kind: 'Workload', namespaced: true } as Resource<Workload>,
  podGroups: { group: 'scheduling.k8s.io', version: 'v1beta1', resource: 'podgroups', kind: 'PodGroup', namespaced: true } as Resource<NativePodGroup>,
  compositePodGroups: { group: 'scheduling.k8s.io', version: 'v1alpha3', resource: 'compositepodgroups', kind: 'CompositePodGroup', namespaced: true } as Resource<CompositePodGroup>,
} as const;
