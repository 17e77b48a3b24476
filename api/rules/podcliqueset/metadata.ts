// PodCliqueSet rules on metadata: the object's own ObjectMeta (V1, with V12's label and annotation
// checks) and the grove.io/mnnvl-group annotation wherever it may sit (V31, create only; its
// update-time immutability is in updates.ts).

import { type FieldError, type FieldPath, invalid } from '../../field-errors.js';
import { isDNS1123Label, nameIsDNSSubdomain, validateObjectMeta } from '../k8s-names.js';
import { type JsonObject, asObject, asString, hasKey } from '../untyped.js';
import { CLIQUES, GROUPS, METADATA, type PCSView, type PodCliqueSetValidationContext, type Rules } from './view.js';

export const MNNVL_GROUP_ANNOTATION = 'grove.io/mnnvl-group';
const MNNVL_GROUP_OPT_OUT = 'none';

// V1 (with V12's label/annotation checks on the PodCliqueSet's own metadata)
export function validateMetadata(r: Rules): void {
  r.errors.push(...validateObjectMeta(r.v.metadata, true, nameIsDNSSubdomain, METADATA));
}

export interface AnnotationSite {
  annotations: JsonObject | undefined;
  path: FieldPath;
}

/** The annotation maps an mnnvl-group annotation may sit in: the PCS, each clique template, each scaling group. */
export function annotationSites(v: PCSView): AnnotationSite[] {
  return [
    { annotations: asObject(v.metadata?.annotations), path: METADATA.child('annotations') },
    ...v.cliques.map((c) => ({ annotations: asObject(c.raw.annotations), path: CLIQUES.index(c.index).child('annotations') })),
    ...v.groups.map((g) => ({ annotations: asObject(g.raw.annotations), path: GROUPS.index(g.index).child('annotations') })),
  ];
}

// V31: grove.io/mnnvl-group is `none` or a DNS-1123 label, and any other value needs MNNVL enabled (create).
export function validateMNNVLOnCreate(v: PCSView, ctx: PodCliqueSetValidationContext): FieldError[] {
  const errs: FieldError[] = [];
  for (const site of annotationSites(v)) {
    if (!hasKey(site.annotations, MNNVL_GROUP_ANNOTATION)) continue;
    const value = asString(site.annotations?.[MNNVL_GROUP_ANNOTATION]);
    if (value === undefined) continue;
    const path = site.path.child(MNNVL_GROUP_ANNOTATION);
    if (value === '') {
      errs.push(invalid(path, value, 'mnnvl-group value must not be empty'));
    } else if (value !== MNNVL_GROUP_OPT_OUT) {
      const msgs = isDNS1123Label(value);
      if (msgs.length > 0) {
        errs.push(invalid(path, value, `mnnvl-group value ${JSON.stringify(value)} is not a valid DNS-1123 label: ${msgs.join('; ')}`));
      }
    }
    if (value !== MNNVL_GROUP_OPT_OUT && !ctx.autoMNNVLEnabled) {
      errs.push(
        invalid(
          path,
          value,
          `MNNVL is not enabled in the operator configuration. Either enable MNNVL globally or remove the ${MNNVL_GROUP_ANNOTATION} annotation`,
        ),
      );
    }
  }
  return errs;
}
