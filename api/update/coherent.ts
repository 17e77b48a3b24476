// The coherent update (copse, api/rules/update-policy.ts): a replica's roles never run two templates
// together. While its replica is being updated, a PodClique creates no pod as long as some pod of the
// replica still runs an outdated template, terminating ones included (they may still serve). Outdated:
// its hash is not its PodClique's, or its PodClique is gone or is another incarnation (a recreated
// group replica), for then it was made from a template no PodClique holds any more. Finished pods run
// nothing and do not count.
//
// The template a pod should run is the PodCliqueSet's (`expectedHash`), not only its PodClique's: the
// PodCliques of a replica take the new template in separate writes, and a cache that still shows
// pc-a's old template made pc-a's old pods look current while sg-x, already updated, created new
// ones (seen once in the coherent e2e: eight new sg-x pods born beside two old pc-a pods).
import type { Pod } from '../core/wire.js';
import type { PodClique } from '../generated/types.js';
import { LABEL_POD_TEMPLATE_HASH, LABEL_PODCLIQUE } from '../keys.js';

/** Whether `pod` is of this incarnation of `owner` (live) and on the template both it and the PodCliqueSet (`want`, when known) hold. */
function runsCurrentTemplate(pod: Pod, owner: PodClique, want: string | undefined): boolean {
  if (owner.metadata.deletionTimestamp) return false;
  const ref = pod.metadata?.ownerReferences?.find((r) => r.controller === true);
  if (ref && owner.metadata.uid !== undefined && ref.uid !== owner.metadata.uid) return false;
  const hash = pod.metadata?.labels?.[LABEL_POD_TEMPLATE_HASH];
  return hash === owner.metadata.labels?.[LABEL_POD_TEMPLATE_HASH] && (want === undefined || hash === want);
}

/** The pods of the replica that hold the creation of new ones back, by name. */
export function coherentBlockers(
  replicaPods: readonly Pod[],
  podCliques: ReadonlyMap<string, PodClique>,
  expectedHash: (podClique: string) => string | undefined = () => undefined,
): string[] {
  return replicaPods
    .filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed')
    .filter((p) => {
      const owner = podCliques.get(p.metadata?.labels?.[LABEL_PODCLIQUE] ?? '');
      return !owner || !runsCurrentTemplate(p, owner, expectedHash(owner.metadata.name ?? ''));
    })
    .map((p) => p.metadata?.name ?? '')
    .sort();
}
