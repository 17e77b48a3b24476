// The coherent update (copse, api/rules/update-policy.ts): a replica's roles never run two templates
// together. While its replica is being updated, a PodClique creates no pod as long as some pod of the
// replica still runs an outdated template, terminating ones included (they may still serve). Outdated:
// its hash is not its PodClique's, or its PodClique is gone or is another incarnation (a recreated
// group replica), for then it was made from a template no PodClique holds any more. Finished pods run
// nothing and do not count.
import type { Pod } from '../core/wire.js';
import type { PodClique } from '../generated/types.js';
import { LABEL_POD_TEMPLATE_HASH, LABEL_PODCLIQUE } from '../keys.js';

/** The pods of the replica that hold the creation of new ones back, by name. */
export function coherentBlockers(replicaPods: readonly Pod[], podCliques: ReadonlyMap<string, PodClique>): string[] {
  return replicaPods
    .filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed')
    .filter((p) => {
      const owner = podCliques.get(p.metadata?.labels?.[LABEL_PODCLIQUE] ?? '');
      if (!owner || owner.metadata.deletionTimestamp) return true;
      const ref = p.metadata?.ownerReferences?.find((r) => r.controller === true);
      if (ref && owner.metadata.uid !== undefined && ref.uid !== owner.metadata.uid) return true;
      return p.metadata?.labels?.[LABEL_POD_TEMPLATE_HASH] !== owner.metadata.labels?.[LABEL_POD_TEMPLATE_HASH];
    })
    .map((p) => p.metadata?.name ?? '')
    .sort();
}
