// A small typed builder DSL for CRD structural schemas. Every builder returns a plain `Schema` node;
// generator-only information (TS names, embedded core types, CEL twins) rides along under META.

import { META } from './types.js';
import type { CelRule, JSONValue, ListType, Schema, SchemaMeta, TsTypeRef } from './types.js';

interface Common {
  description?: string;
}

export interface StringOpts extends Common {
  default?: string;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
}

export interface NumberOpts extends Common {
  default?: number;
  minimum?: number;
  maximum?: number;
}

export interface ArrayOpts extends Common {
  minItems?: number;
  maxItems?: number;
  listType?: ListType;
  listMapKeys?: string[];
}

export interface ObjectOpts<K extends string> extends Common {
  required?: readonly K[];
  default?: { [key: string]: JSONValue };
  rules?: CelRule[];
  /** Optional in the CRD, required in the generated TS interface. */
  tsRequired?: readonly K[];
}

function withMeta<T extends Schema>(s: T, meta: SchemaMeta): T {
  const merged: SchemaMeta = { ...(s[META] ?? {}), ...meta };
  return { ...s, [META]: merged };
}

function clean<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

export function str(opts: StringOpts = {}): Schema {
  return clean({ type: 'string', ...opts });
}

export function int32(opts: NumberOpts = {}): Schema {
  return clean({ type: 'integer', format: 'int32', ...opts });
}

export function int64(opts: NumberOpts = {}): Schema {
  return clean({ type: 'integer', format: 'int64', ...opts });
}

export function double(opts: NumberOpts = {}): Schema {
  return clean({ type: 'number', format: 'double', ...opts });
}

export function bool(opts: Common & { default?: boolean } = {}): Schema {
  return clean({ type: 'boolean', ...opts });
}

/** RFC 3339 timestamp (`metav1.Time`). */
export function dateTime(opts: Common = {}): Schema {
  return clean({ type: 'string', format: 'date-time', ...opts });
}

/** `metav1.Duration`: a Go duration string such as `4h` or `30m0s`. */
export function duration(opts: Common & { default?: string } = {}): Schema {
  return clean({ type: 'string', ...opts });
}

/** A string restricted to `values`. */
export function enumOf<const V extends string>(values: readonly V[], opts: Common & { default?: V } = {}): Schema {
  return clean({ type: 'string', enum: [...values], ...opts });
}

export function arr(items: Schema, opts: ArrayOpts = {}): Schema {
  const { listType, listMapKeys, ...rest } = opts;
  return clean({
    type: 'array',
    items,
    ...rest,
    'x-kubernetes-list-type': listType,
    'x-kubernetes-list-map-keys': listMapKeys,
  });
}

/** `map[string]T`. */
export function map(values: Schema, opts: Common = {}): Schema {
  return clean({ type: 'object', additionalProperties: values, ...opts });
}

/** `map[string]string`, e.g. labels and annotations. */
export function stringMap(opts: Common = {}): Schema {
  return map(str(), opts);
}

export function obj<P extends { [name: string]: Schema }>(props: P, opts: ObjectOpts<keyof P & string> = {}): Schema {
  const { required, rules, tsRequired, ...rest } = opts;
  const s: Schema = clean({
    type: 'object',
    properties: props,
    required: required && required.length ? [...required] : undefined,
    ...rest,
  });
  const meta: SchemaMeta = {};
  if (rules?.length) meta.rules = rules;
  if (tsRequired?.length) meta.tsRequired = [...tsRequired];
  return Object.keys(meta).length ? withMeta(s, meta) : s;
}

/** An object whose contents are not validated or pruned (`x-kubernetes-preserve-unknown-fields`). */
export function freeform(opts: Common = {}): Schema {
  return clean({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true, ...opts });
}

/** Name a node so the type generator emits `export interface <name>` (or a type alias) for it. */
export function named(name: string, s: Schema): Schema {
  const meta: SchemaMeta = { tsName: name };
  if (s.description) meta.tsDoc = s.description;
  return withMeta(s, meta);
}

/** Type this node as an existing TS type (e.g. `V1ObjectMeta`) instead of generating one. */
export function typedAs(s: Schema, tsType: TsTypeRef): Schema {
  return withMeta(s, { tsType });
}

/** Attach CEL rules (with TS twins) to a node. */
export function withRules(s: Schema, ...rules: CelRule[]): Schema {
  return withMeta(s, { rules: [...(s[META]?.rules ?? []), ...rules] });
}

/** A copy of `s` with another description (keeps the TS name and rules). */
export function desc(s: Schema, description: string): Schema {
  return { ...s, description };
}

/** A copy of `s` with extra (or overriding) keywords. */
export function extend(s: Schema, extra: Omit<Schema, 'properties' | 'items' | 'additionalProperties'>): Schema {
  return { ...s, ...extra };
}

/**
 * A vendored Kubernetes core schema (see api/core): emitted as the vendored JSON (descriptions
 * stripped), typed in TS as `tsType` from @kubernetes/client-node.
 */
export function embedded(core: { id: string; tsType?: TsTypeRef }, opts: Common = {}): Schema {
  const meta: SchemaMeta = { embedded: core.id };
  if (core.tsType) meta.tsType = core.tsType;
  return withMeta(clean({ ...opts }), meta);
}

export function metaOf(s: Schema): SchemaMeta {
  return s[META] ?? {};
}

/** Define a CEL rule together with its TS twin. `check` receives the value at the rule's node. */
export function cel<T>(
  name: string,
  spec: Omit<CelRule, 'name' | 'check'>,
  check: (self: T, ctx: { oldSelf?: T; hasOldSelf: boolean }) => boolean,
): CelRule {
  return {
    name,
    ...spec,
    check: (self, ctx) => check(self as T, { oldSelf: ctx.oldSelf as T | undefined, hasOldSelf: ctx.hasOldSelf }),
  };
}
