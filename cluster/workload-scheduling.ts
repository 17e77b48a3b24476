// Kubernetes v1.37's native workload-aware scheduling (Workload, PodGroup and
// CompositePodGroup objects, gang placement by kube-scheduler itself) as a switch of
// the local control plane. Its feature gates and the apiserver's API versions must
// move together on every component: a scheduler or controller-manager gate without
// the served API version breaks their informers, and served versions without the
// gates have no storage. So both come from one function of the mode, and nothing
// else in copse spells a gate or a runtime-config entry.

export const WORKLOAD_SCHEDULING_MODES = ['off', 'native'] as const;
export type WorkloadSchedulingMode = (typeof WORKLOAD_SCHEDULING_MODES)[number];

/** A new cluster starts with upstream's defaults: every gate below is off by default in v1.37. */
export const DEFAULT_WORKLOAD_SCHEDULING: WorkloadSchedulingMode = 'off';

/** CompositePodGroup depends on both others; v1.37 refuses it alone at flag parsing. */
export const NATIVE_FEATURE_GATES = ['GenericWorkload', 'TopologyAwareWorkloadScheduling', 'CompositePodGroup'] as const;
/** Workload and PodGroup are served as v1beta1; CompositePodGroup exists only in v1alpha3. */
export const NATIVE_API_VERSIONS = ['scheduling.k8s.io/v1beta1', 'scheduling.k8s.io/v1alpha3'] as const;

/** The components whose command line depends on the mode; etcd and kwok do not. */
export const MODE_COMPONENTS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const;
export type ModeComponent = (typeof MODE_COMPONENTS)[number];

/** The extra flags each control-plane component runs with in a mode. */
export function workloadSchedulingFlags(mode: WorkloadSchedulingMode): Record<ModeComponent, string[]> {
  if (mode === 'off') return { 'kube-apiserver': [], 'kube-controller-manager': [], 'kube-scheduler': [] };
  const gates = `--feature-gates=${NATIVE_FEATURE_GATES.map((g) => `${g}=true`).join(',')}`;
  const runtimeConfig = `--runtime-config=${NATIVE_API_VERSIONS.map((v) => `${v}=true`).join(',')}`;
  return { 'kube-apiserver': [gates, runtimeConfig], 'kube-controller-manager': [gates], 'kube-scheduler': [gates] };
}

export class WorkloadSchedulingModeError extends Error {}

/** Parse a mode given by the user; `source` names where it came from (a flag or variable). */
export function parseWorkloadSchedulingMode(value: string | undefined, source: string): WorkloadSchedulingMode | undefined {
  if (value === undefined || value === '') return undefined;
  const mode = WORKLOAD_SCHEDULING_MODES.find((m) => m === value);
  if (!mode) throw new WorkloadSchedulingModeError(`${source}: must be one of ${WORKLOAD_SCHEDULING_MODES.join(', ')}, got "${value}"`);
  return mode;
}

/** The mode a kube-apiserver runs in, read back from its recorded command line. */
export function modeOfApiserverArgs(args: readonly string[]): WorkloadSchedulingMode {
  const native = workloadSchedulingFlags('native')['kube-apiserver'];
  return native.every((f) => args.includes(f)) ? 'native' : 'off';
}

/** One line for humans: the mode and what it turns on. */
export function describeWorkloadScheduling(mode: WorkloadSchedulingMode): string {
  if (mode === 'off') return 'off (upstream defaults; scheduling.k8s.io/v1beta1 not served)';
  return `native (feature gates ${NATIVE_FEATURE_GATES.join(', ')}; serves ${NATIVE_API_VERSIONS.join(', ')})`;
}
