// From the wire objects to the planner's input: a PodGang (scheduler.grove.io/v1alpha1) and the pods
// its podReferences name. Grove creates a gang before its pods, so referenced pods that do not exist
// yet are simply missing; the planner then reports the gang as waiting for them.
import type { PodGang, PodGangTopologyConstraint } from '../../api/generated/types.js';
import type { Pod } from './kube-types.js';
import type { GangInput, PackConstraint, PodInput } from './model.js';

function packOf(c: PodGangTopologyConstraint | undefined): PackConstraint | undefined {
  const p = c?.packConstraint;
  if (!p?.required && !p?.preferred) return undefined;
  return { ...(p.required ? { required: p.required } : {}), ...(p.preferred ? { preferred: p.preferred } : {}) };
}

/**
 * A PodGang as a planner gang. `pods` holds the gang's pods by name (its namespace's pods);
 * `reserved` maps a pod name to the node an earlier plan reserved for it but that it is not bound to
 * yet. A pod bound to a node (spec.nodeName) is placed there.
 */
export function gangFromPodGang(gang: PodGang, pods: ReadonlyMap<string, Pod>, reserved: ReadonlyMap<string, string> = new Map()): GangInput {
  const podGroups = gang.spec.podgroups.map((pg) => {
    const members = pg.podReferences.flatMap((ref): PodInput[] => {
      const pod = pods.get(ref.name);
      if (!pod?.spec) return [];
      const nodeName = pod.spec.nodeName || reserved.get(ref.name);
      return [{ name: ref.name, spec: pod.spec, ...(nodeName ? { nodeName } : {}) }];
    });
    const pack = packOf(pg.topologyConstraint);
    return { name: pg.name, minReplicas: pg.minReplicas, pods: members, ...(pack ? { pack } : {}) };
  });
  const groupConfigs = (gang.spec.topologyConstraintGroupConfigs ?? []).map((gc) => {
    const pack = packOf(gc.topologyConstraint);
    return { name: gc.name, podGroupNames: gc.podGroupNames, ...(pack ? { pack } : {}) };
  });
  const pack = packOf(gang.spec.topologyConstraint);
  return { name: gang.metadata.name ?? '', podGroups, ...(groupConfigs.length ? { groupConfigs } : {}), ...(pack ? { pack } : {}) };
}
