// What each PodCliqueSet replica looks like to the rollout (api/update/rollout.ts), from the observed
// children: whether it is done (grove-compat §4.9 "updated"), whether anything in it still runs an
// older template, how many of its pods are scheduled and whether it is in a MinAvailable breach.
import type { Pod } from '../core/wire.js';
import { isTerminating, requireName } from '../desired/meta.js';
import { isActivePod } from '../desired/pods.js';
import { locatePodClique, pcsReplicas } from '../desired/template.js';
import type { PodClique, PodCliqueScalingGroup, PodCliqueSet } from '../generated/types.js';
import { CONDITION_MIN_AVAILABLE_BREACHED, LABEL_PART_OF, LABEL_PCS_REPLICA_INDEX, LABEL_PCSG, LABEL_POD_TEMPLATE_HASH, LABEL_PODCLIQUE } from '../keys.js';
import { conditionStatus } from '../status/conditions.js';
import { pcsReplicaState } from '../status/podcliqueset.js';
import type { ReplicaRolloutState } from './rollout.js';

export interface ReplicaRolloutInput {
  pcs: PodCliqueSet;
  pclqs: readonly PodClique[];
  pcsgs: readonly PodCliqueScalingGroup[];
  pods: readonly Pod[];
  expectedPodTemplateHashes: Readonly<Record<string, string>>;
  generationHash: string;
}

const label = (o: { metadata?: { labels?: Record<string, string> } }, k: string): string | undefined => o.metadata?.labels?.[k];

export function replicaRolloutStates(input: ReplicaRolloutInput): ReplicaRolloutState[] {
  const { pcs, expectedPodTemplateHashes: hashes } = input;
  const pcsName = requireName('PodCliqueSet', pcs);
  const mine = <T extends { metadata: { name?: string; labels?: Record<string, string> } }>(xs: readonly T[]): T[] =>
    xs.filter((x) => label(x, LABEL_PART_OF) === pcsName && !isTerminating(x));
  const pclqs = mine(input.pclqs);
  const pcsgs = mine(input.pcsgs);
  const children = {
    pclqs: new Map(pclqs.map((p) => [p.metadata.name ?? '', p])),
    pcsgs: new Map(pcsgs.map((g) => [g.metadata.name ?? '', g])),
  };
  const replicaOf = (o: { metadata?: { labels?: Record<string, string> } }): number => Number(label(o, LABEL_PCS_REPLICA_INDEX) ?? -1);
  // A PodClique is outdated when its template hash is not its clique's current one; a pod when its
  // hash is not its PodClique's (a standalone PodClique takes the new template before its pods do).
  const outdatedPclq = (p: PodClique): boolean => {
    const loc = locatePodClique(pcs, p);
    return loc !== undefined && label(p, LABEL_POD_TEMPLATE_HASH) !== hashes[loc.clique.name];
  };
  const outdatedPod = (pod: Pod): boolean => {
    if (!isActivePod(pod)) return false;
    const owner = children.pclqs.get(label(pod, LABEL_PODCLIQUE) ?? '');
    return owner !== undefined && label(pod, LABEL_POD_TEMPLATE_HASH) !== label(owner, LABEL_POD_TEMPLATE_HASH);
  };
  const breached = (o: { status?: { conditions?: Parameters<typeof conditionStatus>[0] } }): boolean =>
    conditionStatus(o.status?.conditions, CONDITION_MIN_AVAILABLE_BREACHED) === 'True';

  // One pass over the children, bucketed by replica: a 500-replica PodCliqueSet with 1,000 pods
  // would otherwise be scanned 500 times on every pass.
  const byReplica = <T extends { metadata?: { labels?: Record<string, string> } }>(xs: readonly T[], keep: (x: T) => boolean = () => true): Map<number, T[]> => {
    const out = new Map<number, T[]>();
    for (const x of xs) {
      if (!keep(x)) continue;
      const i = replicaOf(x);
      const bucket = out.get(i);
      if (bucket) bucket.push(x);
      else out.set(i, [x]);
    }
    return out;
  };
  const pclqsOf = byReplica(pclqs);
  const pcsgsOf = byReplica(pcsgs);
  const podsOf = byReplica(input.pods, (pod) => label(pod, LABEL_PART_OF) === pcsName);
  return Array.from({ length: pcsReplicas(pcs) }, (_, i) => {
    const rp = pclqsOf.get(i) ?? [];
    const rg = pcsgsOf.get(i) ?? [];
    const state = pcsReplicaState(pcs, children, i, hashes, input.generationHash);
    return {
      index: i,
      updated: state.updated,
      outdated: rp.some(outdatedPclq) || (podsOf.get(i) ?? []).some(outdatedPod),
      scheduledPods: rp.reduce((n, p) => n + (p.status?.scheduledReplicas ?? 0), 0),
      breached: rp.some((p) => label(p, LABEL_PCSG) === undefined && breached(p)) || rg.some(breached),
    };
  });
}
