// Offline validation of our kinds, mirroring the apiserver's pipeline for custom resources:
//   normalize():           drop nulls of non-nullable fields, apply CRD defaults, prune unknown fields;
//   validateStructure():   OpenAPI schema validation (one ajv instance, one compiled validator per kind)
//                          plus x-kubernetes-list-type map/set uniqueness;
//   validateCel():         the TS twins of the x-kubernetes-validations rules.
// Errors are Kubernetes field errors with paths like `spec.template.cliques[1].spec.replicas`.

import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { coreSchema } from './core/index.js';
import { buildCrd } from './crds.js';
import {
  duplicate,
  fieldErrorTypeFromReason,
  forbidden,
  invalid,
  notSupported,
  OMIT_VALUE,
  required,
  tooLong,
  tooMany,
  typeInvalid,
} from './field-errors.js';
import type { FieldError } from './field-errors.js';
import { isObject } from './json.js';
import { KINDS } from './kinds.js';
import type { KindName } from './kinds.js';
import { META } from './schema/types.js';
import type { CelRule, JSONSchemaProps, JSONValue, Schema } from './schema/types.js';

// ---------------------------------------------------------------------------------------------
// ajv

const INT32_MAX = 2147483647;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

let ajvInstance: Ajv | undefined;

function ajv(): Ajv {
  if (ajvInstance) return ajvInstance;
  const a = new Ajv({ allErrors: true, verbose: true, strict: true, strictTypes: false, strictRequired: false });
  a.addVocabulary([
    'x-kubernetes-list-type',
    'x-kubernetes-list-map-keys',
    'x-kubernetes-map-type',
    'x-kubernetes-preserve-unknown-fields',
    'x-kubernetes-embedded-resource',
    'x-kubernetes-validations',
  ]);
  a.addKeyword({
    keyword: 'x-kubernetes-int-or-string',
    schemaType: 'boolean',
    errors: true,
    validate: function intOrString(schema: boolean, data: unknown): boolean {
      return !schema || typeof data === 'string' || (typeof data === 'number' && Number.isInteger(data));
    },
  });
  // Like the apiserver, integer formats are not range-checked (only the scale subresource's
  // replicas are, see scaleErrors); `type: integer` already rejects fractions.
  a.addFormat('int32', { type: 'number', validate: () => true });
  a.addFormat('int64', { type: 'number', validate: () => true });
  a.addFormat('double', { type: 'number', validate: () => true });
  a.addFormat('float', { type: 'number', validate: () => true });
  a.addFormat('byte', { type: 'string', validate: (s: string) => BASE64.test(s) });
  a.addFormat('date-time', { type: 'string', validate: (s: string) => RFC3339.test(s) && !Number.isNaN(Date.parse(s)) });
  ajvInstance = a;
  return a;
}

const compiled = new Map<KindName, ValidateFunction>();

/** The compiled ajv validator of a kind (compiled on first use, then cached). */
export function compiledValidator(kind: KindName): ValidateFunction {
  let v = compiled.get(kind);
  if (!v) {
    const schema = buildCrd(kind).spec.versions[0]?.schema.openAPIV3Schema;
    if (!schema) throw new Error(`no schema for ${kind}`);
    v = ajv().compile(schema);
    compiled.set(kind, v);
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Paths

/** Convert an ajv instancePath (`/spec/cliques/1/name`) into a field path, `[i]` for list indices. */
export function toFieldPath(instancePath: string, root: unknown): string {
  if (!instancePath) return '';
  let out = '';
  let cur: unknown = root;
  for (const raw of instancePath.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur) && /^\d+$/.test(seg)) {
      out += `[${seg}]`;
      cur = cur[Number(seg)];
    } else {
      out += out ? `.${seg}` : seg;
      cur = isObject(cur) ? cur[seg] : undefined;
    }
  }
  return out;
}

function child(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

// ---------------------------------------------------------------------------------------------
// ajv error -> FieldError (apiextensions-apiserver's mapping of kube-openapi errors)

type ErrorMapper = (path: string, at: string, data: unknown, p: { [k: string]: unknown }) => FieldError;

const lengthOf = (data: unknown): unknown => (Array.isArray(data) ? data.length : data);

/** kube-openapi messages per ajv keyword, wrapped the way apiextensions-apiserver does. */
const ERROR_MAPPERS: { [keyword: string]: ErrorMapper } = {
  required: (path, _at, _d, p) => required(child(path, String(p['missingProperty']))),
  enum: (path, _at, data, p) =>
    notSupported(path, data, (p['allowedValues'] as unknown[]).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)))),
  type: (path, at, data, p) => typeInvalid(path, jsonType(data), `${at} in body must be of type ${String(p['type'])}: "${jsonType(data)}"`),
  'x-kubernetes-int-or-string': (path, at, data) =>
    typeInvalid(path, jsonType(data), `${at} in body must be of type integer,string: "${jsonType(data)}"`),
  format: (path, at, data, p) => invalid(path, data, `${at} in body must be of type ${String(p['format'])}: ${JSON.stringify(data)}`),
  minimum: (path, at, data, p) => invalid(path, data, `${at} in body should be greater than or equal to ${String(p['limit'])}`),
  maximum: (path, at, data, p) => invalid(path, data, `${at} in body should be less than or equal to ${String(p['limit'])}`),
  minLength: (path, at, data, p) => invalid(path, data, `${at} in body should be at least ${String(p['limit'])} chars long`),
  maxLength: (path, _at, data, p) => tooLong(path, data, Number(p['limit'])),
  pattern: (path, at, data, p) => invalid(path, data, `${at} in body should match '${String(p['pattern'])}'`),
  minItems: (path, at, data, p) => invalid(path, lengthOf(data), `${at} in body should have at least ${String(p['limit'])} items`),
  maxItems: (path, _at, data, p) => tooMany(path, Array.isArray(data) ? data.length : -1, Number(p['limit'])),
  // apiextensions reports too many map entries like too many list items (field.TooMany)
  maxProperties: (path, _at, data, p) => tooMany(path, isObject(data) ? Object.keys(data).length : -1, Number(p['limit'])),
};

function toFieldError(e: ErrorObject, root: unknown): FieldError {
  const path = toFieldPath(e.instancePath, root);
  const at = path || '<root>';
  const map = ERROR_MAPPERS[e.keyword];
  if (map) return map(path, at, e.data, e.params as { [k: string]: unknown });
  return invalid(path, e.data, `${at} ${e.message ?? 'is invalid'}`);
}

/** kube-openapi checks a string's maxLength, minLength, pattern in this order and stops at the first failure. */
const STRING_KEYWORD_ORDER = ['maxLength', 'minLength', 'pattern'];

function firstStringErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const best = new Map<string, ErrorObject>();
  for (const e of errors) {
    if (!STRING_KEYWORD_ORDER.includes(e.keyword)) continue;
    const cur = best.get(e.instancePath);
    if (!cur || STRING_KEYWORD_ORDER.indexOf(e.keyword) < STRING_KEYWORD_ORDER.indexOf(cur.keyword)) best.set(e.instancePath, e);
  }
  return errors.filter((e) => !STRING_KEYWORD_ORDER.includes(e.keyword) || best.get(e.instancePath) === e);
}

// ---------------------------------------------------------------------------------------------
// Schema walking (our DSL nodes and the vendored core JSON alike)

type Node = Schema | JSONSchemaProps;

function resolve(n: Node): Node {
  const embedded = (n as Schema)[META]?.embedded;
  return embedded ? coreSchema(embedded) : n;
}

function rulesOf(n: Node): CelRule[] {
  return (n as Schema)[META]?.rules ?? [];
}

function itemsOf(n: Node): Node | undefined {
  return n.items;
}

function additionalOf(n: Node): Node | undefined {
  const ap = n.additionalProperties;
  return ap && typeof ap === 'object' ? ap : undefined;
}

function listKey(item: unknown, keys: readonly string[]): string {
  const rec = isObject(item) ? item : {};
  return JSON.stringify(keys.map((k) => rec[k] ?? null));
}

/** x-kubernetes-list-type map/set uniqueness, as the apiserver checks it. */
function listTypeErrors(node: Node, value: unknown, path: string, errs: FieldError[]): void {
  if (!Array.isArray(value)) return;
  const lt = node['x-kubernetes-list-type'];
  if (lt === 'map') {
    const keys = node['x-kubernetes-list-map-keys'] ?? [];
    const seen = new Set<string>();
    value.forEach((item, i) => {
      const k = listKey(item, keys);
      if (seen.has(k)) {
        const rec = isObject(item) ? item : {};
        const dup: { [k: string]: unknown } = {};
        for (const key of keys) dup[key] = rec[key];
        errs.push(duplicate(`${path}[${i}]`, dup));
      }
      seen.add(k);
    });
  } else if (lt === 'set') {
    const seen = new Set<string>();
    value.forEach((item, i) => {
      const k = JSON.stringify(item);
      if (seen.has(k)) errs.push(duplicate(`${path}[${i}]`, item));
      seen.add(k);
    });
  }
}

type Visitor = (node: Node, value: unknown, old: unknown, hasOld: boolean, path: string) => void;

function walk(node: Node, value: unknown, old: unknown, hasOld: boolean, path: string, visit: Visitor): void {
  const n = resolve(node);
  visit(node, value, old, hasOld, path);
  if (Array.isArray(value)) walkItems(n, value, old, path, visit);
  else if (isObject(value)) walkFields(n, value, old, hasOld, path, visit);
}

/** Items of a list; old items are correlated by key for list-type map (as CEL transition rules do). */
function walkItems(n: Node, value: unknown[], old: unknown, path: string, visit: Visitor): void {
  const items = itemsOf(n);
  if (!items) return;
  const keys = n['x-kubernetes-list-type'] === 'map' ? (n['x-kubernetes-list-map-keys'] ?? []) : undefined;
  const oldByKey = new Map<string, unknown>();
  if (keys && Array.isArray(old)) for (const o of old) oldByKey.set(listKey(o, keys), o);
  value.forEach((item, i) => {
    const o = keys ? oldByKey.get(listKey(item, keys)) : undefined;
    walk(items, item, o, o !== undefined, `${path}[${i}]`, visit);
  });
}

function walkFields(n: Node, value: { [k: string]: unknown }, old: unknown, hasOld: boolean, path: string, visit: Visitor): void {
  const oldRec = hasOld && isObject(old) ? old : undefined;
  for (const [k, v] of Object.entries(value)) {
    const prop = n.properties?.[k] ?? additionalOf(n);
    if (prop) walk(prop, v, oldRec?.[k], oldRec !== undefined && k in oldRec, child(path, k), visit);
  }
}

// ---------------------------------------------------------------------------------------------
// Public API

/**
 * OpenAPI-schema validation of `obj` as `kind` (types, required, enums, bounds, patterns, formats)
 * plus list-type map/set uniqueness. Does not mutate `obj`; run normalize() first to mirror the
 * apiserver (nulls dropped, defaults applied, unknown fields pruned).
 */
export function validateStructure(kind: KindName, obj: unknown): FieldError[] {
  const v = compiledValidator(kind);
  const errs: FieldError[] = [];
  if (!v(obj)) {
    for (const e of firstStringErrors(v.errors ?? [])) errs.push(toFieldError(e, obj));
  }
  walk(KINDS[kind].schema, obj, undefined, false, '', (node, value, _o, _h, path) =>
    listTypeErrors(resolve(node), value, path, errs),
  );
  errs.push(...scaleErrors(kind, obj));
  return errs;
}

/**
 * The apiserver's extra check for kinds with a scale subresource: the value at specReplicasPath
 * must fit a non-negative int32. The error path keeps the JSONPath's leading dot, as upstream does.
 */
function scaleErrors(kind: KindName, obj: unknown): FieldError[] {
  const scale = KINDS[kind].scale;
  if (!scale) return [];
  let cur: unknown = obj;
  for (const seg of scale.specReplicasPath.slice(1).split('.')) cur = isObject(cur) ? cur[seg] : undefined;
  if (typeof cur !== 'number' || !Number.isInteger(cur)) return [];
  if (cur < 0) return [invalid(scale.specReplicasPath, cur, 'should be a non-negative integer')];
  if (cur > INT32_MAX) return [invalid(scale.specReplicasPath, cur, `should be less than or equal to ${INT32_MAX}`)];
  return [];
}

export interface CelOptions {
  /** The stored object, for updates; transition rules (oldSelf) only apply when given. */
  old?: unknown;
}

/**
 * A failed rule as kube-apiserver v1.37 reports it: the bad value is the value the rule
 * ran on, omitted for objects and arrays (apiextensions-apiserver v0.37 cel/validation.go;
 * v1.34 printed the schema type instead, e.g. `Invalid value: "object"`).
 */
function celError(rule: CelRule, node: Node, path: string, value: unknown): FieldError {
  const fp = rule.fieldPath ? rule.fieldPath.replace(/^\./, '') : '';
  const field = fp ? child(path, fp) : path;
  const detail = rule.message ?? `failed rule: ${rule.rule}`;
  const t = rule.reason ? fieldErrorTypeFromReason(rule.reason) : 'Invalid';
  const type = resolve(node).type;
  const bad = type === 'object' || type === 'array' ? OMIT_VALUE : value;
  if (t === 'Forbidden') return forbidden(field, detail);
  if (t === 'Required') return required(field, detail);
  if (t === 'Duplicate') return duplicate(field, bad);
  return invalid(field, bad, detail);
}

/** Evaluate the TS twins of every x-kubernetes-validations rule reachable in `obj`. */
export function validateCel(kind: KindName, obj: unknown, opts: CelOptions = {}): FieldError[] {
  const errs: FieldError[] = [];
  const hasOld = opts.old !== undefined;
  walk(KINDS[kind].schema, obj, opts.old, hasOld, '', (node, value, old, nodeHasOld, path) => {
    const rules = rulesOf(node);
    // rules only run on values of the declared type (type errors are reported structurally)
    if (!rules.length || (resolve(node).type === 'object' && !isObject(value))) return;
    for (const rule of rules) {
      // Transition rules without optionalOldSelf would be skipped on create; ours all set it.
      let ok = true;
      try {
        ok = rule.check(value, { oldSelf: old, hasOldSelf: nodeHasOld });
      } catch {
        ok = true; // malformed input: the structural errors report it
      }
      if (!ok) errs.push(celError(rule, node, path, value));
    }
  });
  return errs;
}

/** Detail of the error the apiserver adds when schema errors kept it from running CEL rules. */
export const CEL_SKIPPED_DETAIL =
  'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation';

const kindHasRules = new Map<KindName, boolean>();

function hasRules(kind: KindName): boolean {
  let has = kindHasRules.get(kind);
  if (has === undefined) {
    const visit = (s: Schema): boolean =>
      !!s[META]?.rules?.length ||
      Object.values(s.properties ?? {}).some(visit) ||
      (s.items ? visit(s.items) : false) ||
      (s.additionalProperties ? visit(s.additionalProperties) : false);
    has = visit(KINDS[kind].schema);
    kindHasRules.set(kind, has);
  }
  return has;
}

/**
 * Schema validation, then CEL rules, as the apiserver validates a create/update. Like the
 * apiserver, CEL rules are skipped when the schema check failed; for kinds that have rules an
 * extra `<nil>: Invalid value: null: some validation rules were not checked ...` error says so.
 */
export function validateObject(kind: KindName, obj: unknown, opts: CelOptions = {}): FieldError[] {
  const errs = validateStructure(kind, obj);
  if (!errs.length) return validateCel(kind, obj, opts);
  if (hasRules(kind)) errs.push(invalid('<nil>', null, CEL_SKIPPED_DETAIL));
  return errs;
}

export interface Normalized<T> {
  object: T;
  /** Field paths of unknown fields that were pruned, sorted. */
  pruned: string[];
}

/**
 * What the apiserver does to a custom resource before validation: drop `null`s of non-nullable
 * fields (or replace them by the default), apply CRD defaults, prune unknown fields. Returns a
 * modified deep copy; root `metadata`, `apiVersion` and `kind` are kept as they are.
 */
export function normalize<T>(kind: KindName, obj: T): Normalized<T> {
  const copy = structuredClone(obj);
  const pruned: string[] = [];
  normalizeNode(KINDS[kind].schema, copy, '', pruned, true);
  return { object: copy, pruned: pruned.sort() };
}

function normalizeNode(node: Node, value: unknown, path: string, pruned: string[], isRoot = false): void {
  const n = resolve(node);
  if (Array.isArray(value)) {
    const items = itemsOf(n);
    if (items) value.forEach((item, i) => normalizeNode(items, item, `${path}[${i}]`, pruned));
  } else if (isObject(value)) {
    normalizeFields(n, value, path, pruned, isRoot);
    applyDefaults(n, value, path, pruned);
  }
}

/** Prune unknown fields, replace/drop nulls, recurse. */
function normalizeFields(n: Node, value: { [key: string]: unknown }, path: string, pruned: string[], isRoot: boolean): void {
  const ap = additionalOf(n);
  const preserve = n['x-kubernetes-preserve-unknown-fields'] === true;
  for (const k of Object.keys(value)) {
    if (isRoot && ROOT_PASSTHROUGH.has(k)) continue;
    const prop = n.properties?.[k] ?? ap;
    const p = child(path, k);
    if (!prop) {
      if (!preserve) {
        delete value[k];
        pruned.push(p);
      }
      continue;
    }
    const pr = resolve(prop);
    if (value[k] === null && !pr.nullable) {
      if (pr.default === undefined) {
        delete value[k];
        continue;
      }
      value[k] = structuredClone(pr.default);
    }
    normalizeNode(prop, value[k], p, pruned);
  }
}

/** Set defaults of absent properties (and normalize what the default brought in). */
function applyDefaults(n: Node, value: { [key: string]: unknown }, path: string, pruned: string[]): void {
  for (const [k, prop] of Object.entries(n.properties ?? {})) {
    const d = resolve(prop).default;
    if (k in value || d === undefined) continue;
    value[k] = structuredClone(d as JSONValue);
    normalizeNode(prop, value[k], child(path, k), pruned);
  }
}

const ROOT_PASSTHROUGH: ReadonlySet<string> = new Set(['apiVersion', 'kind', 'metadata']);

/**
 * The full offline admission of a custom resource as the apiserver would do it (without webhooks):
 * normalize, reset status (all our kinds have the status subresource: dropped on create, the stored
 * one kept on update), then validate schema and CEL rules. `old` makes it an update. Unknown fields
 * are pruned and listed in `pruned`; `kubectl --validate=strict` (the default) would reject them
 * with `strict decoding error: unknown field "<path>"`.
 */
export function admitOffline<T>(kind: KindName, obj: T, opts: CelOptions = {}): Normalized<T> & { errors: FieldError[] } {
  const n = normalize(kind, obj);
  const old = opts.old === undefined ? undefined : normalize(kind, opts.old).object;
  const o: unknown = n.object;
  if (isObject(o)) {
    const oldStatus = isObject(old) ? old['status'] : undefined;
    if (oldStatus === undefined) delete o['status'];
    else o['status'] = structuredClone(oldStatus);
  }
  return { ...n, errors: validateObject(kind, n.object, { old }) };
}
