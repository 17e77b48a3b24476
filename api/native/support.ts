// Whether a cluster offers native workload-aware scheduling, pure over what the shell observed
// (discovery and one dry-run PodGroup), and the operator's setting, which overrides it: the
// scheduler's own feature gates cannot be discovered, only the apiserver's side.
export type NativeSetting = 'auto' | 'on' | 'off';

export interface NativeProbe {
  /** Resources served by scheduling.k8s.io/v1beta1 (undefined: the version is not served). */
  v1beta1?: readonly string[];
  /** Resources served by scheduling.k8s.io/v1alpha3. */
  v1alpha3?: readonly string[];
  /** What a dry-run PodGroup with a topology constraint and a parent came back with. */
  dryRun?: { keptConstraints: boolean; keptParent: boolean } | { error: string };
}

export interface NativeSupport {
  native: boolean;
  reason: string;
}

export function parseNativeSetting(value: string | undefined, what: string): NativeSetting {
  const v = value ?? 'auto';
  if (v === 'auto' || v === 'on' || v === 'off') return v;
  throw new Error(`${what}: must be auto, on or off, got "${v}"`);
}

/** What the probe says about the apiserver's side. */
export function probeSupport(p: NativeProbe): NativeSupport {
  if (!p.v1beta1?.includes('podgroups')) return { native: false, reason: 'scheduling.k8s.io/v1beta1 podgroups is not served (GenericWorkload off or the version disabled)' };
  if (!p.v1beta1.includes('workloads')) return { native: false, reason: 'scheduling.k8s.io/v1beta1 workloads is not served' };
  if (!p.v1alpha3?.includes('compositepodgroups')) return { native: false, reason: 'scheduling.k8s.io/v1alpha3 compositepodgroups is not served (CompositePodGroup off or the version disabled)' };
  const d = p.dryRun;
  if (!d) return { native: false, reason: 'the dry-run PodGroup was not tried' };
  if ('error' in d) return { native: false, reason: `a dry-run PodGroup failed: ${d.error}` };
  if (!d.keptConstraints) return { native: false, reason: 'a dry-run PodGroup lost spec.schedulingConstraints (TopologyAwareWorkloadScheduling off)' };
  if (!d.keptParent) return { native: false, reason: 'a dry-run PodGroup lost spec.parentCompositePodGroupName (CompositePodGroup off)' };
  return { native: true, reason: 'the apiserver serves Workload, PodGroup and CompositePodGroup and keeps topology constraints' };
}

/** The explicit setting's answer; undefined for `auto`, which the probe decides (`probeSupport`). */
export function explicitSupport(setting: NativeSetting): NativeSupport | undefined {
  if (setting === 'off') return { native: false, reason: 'native scheduling is off (--native-scheduling=off)' };
  if (setting === 'on') return { native: true, reason: 'native scheduling is on (--native-scheduling=on)' };
  return undefined;
}
