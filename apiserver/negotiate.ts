// Which representation a client asked for, from its Accept header (k8s-wire §1.7, §1.9):
//   Table                  `application/json;as=Table;v=v1|v1beta1;g=meta.k8s.io` (kubectl get)
//   PartialObjectMetadata  `...;as=PartialObjectMetadata[List];v=v1;g=meta.k8s.io` (metadata clients)
//   APIGroupDiscoveryList  `...;as=APIGroupDiscoveryList;v=v2|v2beta1;g=apidiscovery.k8s.io` (GET /apis)
//   JSON                   `application/json`, `*/*`, `application/*`, or no Accept at all.
// Entries are tried in the client's order (q-values are not used by kube clients). Protobuf is never
// served; a client that accepts nothing else gets 406 (kubectl always offers application/json).

export type Representation = 'json' | 'table' | 'partial' | 'discovery-v2';

interface MediaRange {
  type: string;
  params: Map<string, string>;
}

function parseAccept(accept: string): MediaRange[] {
  return accept
    .split(',')
    .map((entry) => {
      const [type = '', ...params] = entry.split(';').map((s) => s.trim());
      return {
        type: type.toLowerCase(),
        params: new Map(
          params.flatMap((p) => {
            const eq = p.indexOf('=');
            return eq < 0 ? [] : [[p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1')] as const];
          }),
        ),
      };
    })
    .filter((m) => m.type !== '');
}

function isJson(type: string): boolean {
  return type === 'application/json' || type === '*/*' || type === 'application/*';
}

/**
 * The representation to answer with, or undefined when nothing acceptable is offered. `want` lists
 * what this endpoint can produce besides plain JSON.
 */
export function negotiate(accept: string | undefined, want: readonly Representation[]): Representation | undefined {
  if (!accept || accept.trim() === '') return 'json';
  for (const m of parseAccept(accept)) {
    if (!isJson(m.type)) continue;
    const as = m.params.get('as');
    if (as === undefined) return 'json';
    const g = m.params.get('g');
    const v = m.params.get('v');
    if (as === 'Table' && g === 'meta.k8s.io' && (v === 'v1' || v === 'v1beta1') && want.includes('table')) return 'table';
    if ((as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') && g === 'meta.k8s.io' && (v === 'v1' || v === 'v1beta1') && want.includes('partial')) return 'partial';
    if (as === 'APIGroupDiscoveryList' && g === 'apidiscovery.k8s.io' && v === 'v2' && want.includes('discovery-v2')) return 'discovery-v2';
  }
  return undefined;
}
