// Vendors Kubernetes core schemas (PodSpec, autoscaling/v2 MetricSpec, resource.k8s.io/v1
// ResourceClaimTemplateSpec, metav1.Condition) from the upstream OpenAPI v3 documents shipped in the
// k8s.io/kubernetes Go module, flattened into CRD structural schemas and checked in as JSON next to
// this file. Only needed when bumping the Kubernetes version; CI builds from the checked-in copies.
//
// Transformations (what a CRD structural schema needs, what controller-gen would emit):
//   - `$ref` and single-element `allOf` wrappers are inlined (no recursion exists in these types);
//   - IntOrString and Quantity become `x-kubernetes-int-or-string: true`;
//   - RawExtension becomes `type: object` + `x-kubernetes-preserve-unknown-fields`;
//   - metav1.Time/MicroTime become `type: string, format: date-time`;
//   - nested ObjectMeta (in volume/claim templates) keeps only labels and annotations;
//   - descriptions are dropped (size limit: `kubectl explain pod.spec` documents them);
//   - zero-value defaults (`{}`, `""`, `0`, `false`) that the OpenAPI generator adds are dropped,
//     meaningful ones (e.g. `protocol: TCP`, needed by list-map keys) are kept;
//   - keys CRDs reject or ignore (`x-kubernetes-patch-*`, `x-kubernetes-unions`, `oneOf`) are dropped.

import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KUBERNETES_VERSION } from '../../cluster/upstream.js';
import { sortKeysDeep } from '../schema/sort.js';
import type { JSONSchemaProps, JSONValue, SchemaType } from '../schema/types.js';

/** The OpenAPI v3 folder of a k8s.io/kubernetes module inside a Go module cache. */
export function openapiDirIn(goModCache: string, version: string = KUBERNETES_VERSION): string {
  return join(goModCache, 'k8s.io', `kubernetes@${version}`, 'api', 'openapi-spec', 'v3');
}

/**
 * Where the pinned k8s.io/kubernetes module's OpenAPI documents are, asking `go env GOMODCACHE`
 * (the module is there after `copse cluster build` has resolved the pins). Undefined when no Go
 * toolchain answers.
 */
export function defaultOpenapiDir(): string | undefined {
  for (const go of [process.env.GO, 'go', '/usr/local/go/bin/go'].filter((c): c is string => Boolean(c))) {
    const r = spawnSync(go, ['env', 'GOMODCACHE'], { encoding: 'utf8' });
    const cache = r.status === 0 ? r.stdout.trim() : '';
    if (cache) return openapiDirIn(cache);
  }
  return undefined;
}

/** What to vendor: output file (under api/core), source document, root definition. */
export const VENDORED: readonly { file: string; doc: string; root: string }[] = [
  { file: 'podspec.schema.json', doc: 'api__v1_openapi.json', root: 'io.k8s.api.core.v1.PodSpec' },
  { file: 'metricspec.schema.json', doc: 'apis__autoscaling__v2_openapi.json', root: 'io.k8s.api.autoscaling.v2.MetricSpec' },
  {
    file: 'resourceclaimtemplatespec.schema.json',
    doc: 'apis__resource.k8s.io__v1_openapi.json',
    root: 'io.k8s.api.resource.v1.ResourceClaimTemplateSpec',
  },
  { file: 'condition.schema.json', doc: 'api__v1_openapi.json', root: 'io.k8s.apimachinery.pkg.apis.meta.v1.Condition' },
];

type Upstream = { [key: string]: unknown };
const NONE: ReadonlySet<string> = new Set();

const KEEP_FORMATS = new Set(['int32', 'int64', 'double', 'float', 'byte', 'date-time']);
const COPY_KEYS = [
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'nullable',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-embedded-resource',
] as const;

const SPECIAL: { [ref: string]: () => JSONSchemaProps } = {
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': () => ({ 'x-kubernetes-int-or-string': true }),
  'io.k8s.apimachinery.pkg.api.resource.Quantity': () => ({ 'x-kubernetes-int-or-string': true }),
  'io.k8s.apimachinery.pkg.runtime.RawExtension': () => ({
    type: 'object',
    'x-kubernetes-preserve-unknown-fields': true,
  }),
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': () => ({ type: 'string', format: 'date-time' }),
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': () => ({ type: 'string', format: 'date-time' }),
  'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': () => ({
    type: 'object',
    properties: {
      annotations: { type: 'object', additionalProperties: { type: 'string' } },
      labels: { type: 'object', additionalProperties: { type: 'string' } },
    },
  }),
};

function isObj(v: unknown): v is Upstream {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function refName(ref: unknown): string {
  if (typeof ref !== 'string' || !ref.startsWith('#/components/schemas/')) throw new Error(`unsupported $ref ${String(ref)}`);
  return ref.slice('#/components/schemas/'.length);
}

function keepDefault(v: unknown): v is JSONValue {
  if (v === undefined || v === null) return false;
  if (typeof v === 'string') return v !== '';
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'boolean') return v;
  return false; // objects/arrays: generator artefacts
}

/** type, format, bounds, list/map markers and meaningful defaults. */
function copyScalars(node: Upstream, out: JSONSchemaProps): void {
  if (typeof node['type'] === 'string') out.type = node['type'] as SchemaType;
  const format = node['format'];
  if (typeof format === 'string' && KEEP_FORMATS.has(format)) out.format = format;
  if (format === 'int-or-string') {
    delete out.type;
    out['x-kubernetes-int-or-string'] = true;
  }
  for (const k of COPY_KEYS) {
    if (node[k] !== undefined) (out as Upstream)[k] = structuredClone(node[k]);
  }
  if (keepDefault(node['default'])) out.default = node['default'];
  if (Array.isArray(node['required']) && node['required'].length) out.required = [...(node['required'] as string[])];
}

/** Flatten one upstream definition into a structural schema. */
export function flatten(defs: { [name: string]: unknown }, root: string): JSONSchemaProps {
  const stack: string[] = [];

  // `keep` names properties (list-map keys) whose zero-value defaults must survive
  const resolve = (name: string, keep: ReadonlySet<string> = NONE): JSONSchemaProps => {
    const special = SPECIAL[name];
    if (special) return special();
    if (stack.includes(name)) throw new Error(`recursive schema: ${[...stack, name].join(' -> ')}`);
    const def = defs[name];
    if (!isObj(def)) throw new Error(`missing definition ${name}`);
    stack.push(name);
    try {
      return convert(def, keep);
    } finally {
      stack.pop();
    }
  };

  const convertProperties = (props: Upstream, keep: ReadonlySet<string>): { [name: string]: JSONSchemaProps } => {
    const out: { [name: string]: JSONSchemaProps } = {};
    for (const [k, v] of Object.entries(props)) {
      if (!isObj(v)) throw new Error(`bad property ${k}`);
      const p = convert(v);
      if (keep.has(k) && v['default'] !== undefined && p.default === undefined) p.default = v['default'] as JSONValue;
      out[k] = p;
    }
    return out;
  };

  const convertChildren = (node: Upstream, out: JSONSchemaProps, keep: ReadonlySet<string>): void => {
    if (isObj(node['properties'])) {
      out.properties = convertProperties(node['properties'], keep);
      out.type ??= 'object';
    }
    if (isObj(node['items'])) {
      const keys = node['x-kubernetes-list-type'] === 'map' ? node['x-kubernetes-list-map-keys'] : undefined;
      out.items = convert(node['items'], Array.isArray(keys) ? new Set(keys as string[]) : NONE);
    }
    const ap = node['additionalProperties'];
    if (isObj(ap)) out.additionalProperties = convert(ap);
    else if (ap === true) out['x-kubernetes-preserve-unknown-fields'] = true;
  };

  const convert = (node: Upstream, keep: ReadonlySet<string> = NONE): JSONSchemaProps => {
    if ('$ref' in node) return resolve(refName(node['$ref']), keep);
    const out: JSONSchemaProps = { ...convertAllOf(node, keep) };
    copyScalars(node, out);
    convertChildren(node, out, keep);
    if (!out.type && !out['x-kubernetes-int-or-string'] && !out['x-kubernetes-preserve-unknown-fields']) {
      // anything left untyped is free-form
      out.type = 'object';
      out['x-kubernetes-preserve-unknown-fields'] = true;
    }
    return out;
  };

  const convertAllOf = (node: Upstream, keep: ReadonlySet<string>): JSONSchemaProps => {
    const allOf = node['allOf'];
    if (!Array.isArray(allOf)) return {};
    if (allOf.length !== 1 || !isObj(allOf[0])) throw new Error('only single-element allOf is supported');
    return convert(allOf[0], keep);
  };

  const result = resolve(root);
  checkListMapKeys(result, root);
  return result;
}

/** Structural-schema rule: every list-map key must be required or defaulted. */
function checkListMapKeys(s: JSONSchemaProps, path: string): void {
  if (s['x-kubernetes-list-type'] === 'map') {
    const item = s.items;
    for (const key of s['x-kubernetes-list-map-keys'] ?? []) {
      const ok = item?.required?.includes(key) || item?.properties?.[key]?.default !== undefined;
      if (!ok) throw new Error(`${path}: list-map key ${key} is neither required nor defaulted`);
    }
  }
  for (const [k, v] of Object.entries(s.properties ?? {})) checkListMapKeys(v, `${path}.${k}`);
  if (s.items) checkListMapKeys(s.items, `${path}[]`);
  if (typeof s.additionalProperties === 'object') checkListMapKeys(s.additionalProperties, `${path}{}`);
}

/**
 * Regenerate api/core/*.schema.json from the OpenAPI v3 documents in `openapiDir` (the Kubernetes
 * Go module in the module cache). Returns the written files.
 */
export function vendorCoreSchemas(openapiDir: string, outDir?: string): string[] {
  const dir = outDir ?? fileURLToPath(new URL('.', import.meta.url));
  const docs = new Map<string, { [name: string]: unknown }>();
  const written: string[] = [];
  for (const v of VENDORED) {
    let defs = docs.get(v.doc);
    if (!defs) {
      const doc = JSON.parse(readFileSync(join(openapiDir, v.doc), 'utf8')) as { components: { schemas: { [n: string]: unknown } } };
      defs = doc.components.schemas;
      docs.set(v.doc, defs);
    }
    const schema = sortKeysDeep(flatten(defs, v.root));
    const file = join(dir, v.file);
    writeFileSync(file, JSON.stringify(schema, null, 2) + '\n');
    written.push(file);
  }
  return written;
}

// `node dist/api/core/vendor.js [openapiDir]` regenerates the vendored JSON in the source tree.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const src = fileURLToPath(new URL('../../../api/core/', import.meta.url));
  const out = import.meta.url.includes('/dist/') ? src : undefined;
  const openapiDir = process.argv[2] ?? defaultOpenapiDir();
  if (!openapiDir) throw new Error('copse: no Go toolchain to ask for GOMODCACHE; pass the OpenAPI v3 folder as the first argument');
  for (const f of vendorCoreSchemas(openapiDir, out)) process.stdout.write(`wrote ${f}\n`);
}
