// The OpenAPI v3 structural-schema subset that apiextensions.k8s.io/v1 accepts for a CRD, plus the
// metadata our generators need (TS type names, embedded core types, CEL twins). Metadata lives under
// a symbol key, so it never leaks into JSON.stringify output or the emitted CRD.

export type JSONPrimitive = string | number | boolean | null;
export type JSONValue = JSONPrimitive | JSONValue[] | { [key: string]: JSONValue };

/** `reason` values the apiserver accepts on an `x-kubernetes-validations` rule. */
export type CelReason = 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';

/** One `x-kubernetes-validations` entry exactly as it appears in the CRD. */
export interface CelValidation {
  rule: string;
  message?: string;
  messageExpression?: string;
  fieldPath?: string;
  reason?: CelReason;
  optionalOldSelf?: boolean;
}

/** Context passed to a CEL twin: `oldSelf` is present only for updates (transition rules). */
export interface CelContext {
  oldSelf?: unknown;
  hasOldSelf: boolean;
}

/**
 * A CEL rule plus its TypeScript twin. `check` returns true when the object satisfies the rule; it
 * receives the JSON value at the schema node carrying the rule (`self`).
 */
export interface CelRule extends CelValidation {
  /** Name of the exported TS predicate implementing the rule (for reports and tests). */
  name: string;
  check: (self: unknown, ctx: CelContext) => boolean;
}

/** A TypeScript type imported from a module, used for embedded core types. */
export interface TsTypeRef {
  name: string;
  from: string;
}

export type SchemaType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
export type ListType = 'atomic' | 'set' | 'map';

/** JSONSchemaProps as emitted into `spec.versions[].schema.openAPIV3Schema`. */
export interface JSONSchemaProps {
  type?: SchemaType;
  format?: string;
  description?: string;
  properties?: { [name: string]: JSONSchemaProps };
  required?: string[];
  items?: JSONSchemaProps;
  additionalProperties?: JSONSchemaProps | boolean;
  enum?: JSONValue[];
  default?: JSONValue;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  maxProperties?: number;
  nullable?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-list-type'?: ListType;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-validations'?: CelValidation[];
}

export const META: unique symbol = Symbol('copse.schema.meta');

/** Generator-only information attached to a schema node. */
export interface SchemaMeta {
  /** Emit a named TS interface / alias for this node (Grove's Go type name). */
  tsName?: string;
  /** Doc comment of the named declaration (the description the node had when it was named). */
  tsDoc?: string;
  /** Type this node as an imported TS type instead of generating one (embedded core types). */
  tsType?: TsTypeRef;
  /** Id of a vendored core schema spliced in at emission time (see api/core). */
  embedded?: string;
  /** CEL rules with their TS twins; emitted as `x-kubernetes-validations`. */
  rules?: CelRule[];
  /** Keys that are optional in the CRD but always present in TS (e.g. `metadata` on a kind). */
  tsRequired?: string[];
}

/** A node of our schema DSL: JSONSchemaProps with child nodes of the same kind and symbol metadata. */
export interface Schema {
  type?: SchemaType;
  format?: string;
  description?: string;
  properties?: { [name: string]: Schema };
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema;
  enum?: JSONValue[];
  default?: JSONValue;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  maxProperties?: number;
  nullable?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-list-type'?: ListType;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  [META]?: SchemaMeta;
}
