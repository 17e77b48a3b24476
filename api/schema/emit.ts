// Turn a DSL schema into the plain JSONSchemaProps of a CRD: embedded core schemas are spliced in,
// CEL rules become `x-kubernetes-validations`, generator metadata disappears.

import { coreSchema } from '../core/index.js';
import { META } from './types.js';
import type { CelValidation, JSONSchemaProps, Schema } from './types.js';

const CEL_KEYS = ['rule', 'message', 'messageExpression', 'fieldPath', 'reason', 'optionalOldSelf'] as const;

export function toOpenAPI(s: Schema): JSONSchemaProps {
  const meta = s[META];
  if (meta?.embedded) {
    const core = structuredClone(coreSchema(meta.embedded));
    return s.description ? { ...core, description: s.description } : core;
  }
  const { properties, items, additionalProperties, [META]: _meta, ...rest } = s;
  const out: JSONSchemaProps = { ...rest };
  if (properties) {
    out.properties = {};
    for (const [k, v] of Object.entries(properties)) out.properties[k] = toOpenAPI(v);
  }
  if (items) out.items = toOpenAPI(items);
  if (additionalProperties) out.additionalProperties = toOpenAPI(additionalProperties);
  if (meta?.rules?.length) {
    out['x-kubernetes-validations'] = meta.rules.map((r) => {
      const v: CelValidation = { rule: r.rule };
      for (const k of CEL_KEYS) if (r[k] !== undefined) (v as unknown as Record<string, unknown>)[k] = r[k];
      return v;
    });
  }
  return out;
}


export { sortKeysDeep } from './sort.js';
