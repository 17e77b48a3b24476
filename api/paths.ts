// Request paths of the Kubernetes REST API, built from segments. Each segment is percent-encoded on
// its own, and `.`, `..` and empty segments are refused: encodeURIComponent leaves dots alone, and
// a URL parser resolves `..` — `/apis/grove.io/v1alpha1/clustertopologybindings/..` would reach the
// group's discovery document instead of an object.

/** `/seg1/seg2/...`, every segment encoded; throws naming the segment when one cannot be a path segment. */
export function apiPath(...segments: string[]): string {
  for (const s of segments) {
    if (s === '' || s === '.' || s === '..') throw new Error(`${JSON.stringify(s)} cannot be a segment of an API path`);
  }
  return segments.map((s) => `/${encodeURIComponent(s)}`).join('');
}

/** The path of a custom resource's collection, or of one object in it. Omit `namespace` for cluster-scoped kinds. */
export function customResourcePath(r: { group: string; version: string; plural: string }, name?: string, namespace?: string): string {
  const ns = namespace === undefined ? [] : ['namespaces', namespace];
  return apiPath('apis', r.group, r.version, ...ns, r.plural, ...(name === undefined ? [] : [name]));
}
