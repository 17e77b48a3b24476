// PodCliqueSet rules on resourceSharing, at every level it appears: the entries themselves (V5, on
// the PodCliqueSet template, each clique and each scaling group), the PodCliqueSet filter (V6) and
// the scaling-group filter (V7).

import { type FieldPath, duplicate, invalid, notFound, notSupported, required } from '../../field-errors.js';
import { RESOURCE_SHARING_SCOPES } from '../../grove.io/v1alpha1/common.js';
import { asArray, asObject, goString, stringList } from '../untyped.js';
import { templateNames } from './template.js';
import { TEMPLATE, type GroupView, type Rules, valueOf } from './view.js';

// V5: the fields every resourceSharing entry has, at any level.
export function validateResourceSharingSpecs(r: Rules, list: unknown, path: FieldPath): void {
  const templates = templateNames(r);
  const seen = new Set<string>();
  (asArray(list) ?? []).forEach((item, i) => {
    const ref = asObject(item);
    if (!ref) return;
    const p = path.index(i);
    const name = goString(ref.name) ?? '';
    if (name === '') r.errors.push(required(p.child('name'), 'reference name is required'));
    if (name !== '' && seen.has(name)) r.errors.push(duplicate(p.child('name'), name));
    seen.add(name);
    const namespace = goString(ref.namespace) ?? '';
    if (namespace !== '' && name !== '' && templates.has(name)) {
      r.errors.push(invalid(p.child('namespace'), namespace, 'namespace must be empty when name matches an internal resourceClaimTemplate'));
    }
    const scope = ref.scope;
    if (!(RESOURCE_SHARING_SCOPES as readonly unknown[]).includes(scope)) {
      r.errors.push(notSupported(p.child('scope'), valueOf(scope) ?? '', RESOURCE_SHARING_SCOPES));
    }
  });
}

// V5 + V6: spec.template.resourceSharing, whose filter names cliques and scaling groups.
export function validatePCSResourceSharing(r: Rules): void {
  const path = TEMPLATE.child('resourceSharing');
  const list = r.v.template?.resourceSharing;
  validateResourceSharingSpecs(r, list, path);
  const cliqueNames = new Set(r.v.cliques.map((c) => c.name ?? ''));
  const groupNames = new Set(r.v.groups.map((g) => g.name ?? ''));
  (asArray(list) ?? []).forEach((item, i) => {
    const filter = asObject(asObject(item)?.filter);
    if (!filter) return;
    const fp = path.index(i).child('filter');
    const childCliques = stringList(filter.childCliqueNames);
    const childGroups = stringList(filter.childScalingGroupNames);
    if (childCliques.length === 0 && childGroups.length === 0) {
      r.errors.push(required(fp, 'filter must specify at least one childCliqueNames or childScalingGroupNames entry'));
    }
    childCliques.forEach((n, j) => {
      if (!cliqueNames.has(n)) r.errors.push(notFound(fp.child('childCliqueNames').index(j), n));
    });
    childGroups.forEach((n, j) => {
      if (!groupNames.has(n)) r.errors.push(notFound(fp.child('childScalingGroupNames').index(j), n));
    });
  });
}

// V5 + V7: a scaling group's resourceSharing, whose filter may only name the group's own cliques.
export function validatePCSGResourceSharing(r: Rules, g: GroupView, path: FieldPath): void {
  const list = g.raw.resourceSharing;
  validateResourceSharingSpecs(r, list, path);
  const members = new Set(g.cliqueNames);
  (asArray(list) ?? []).forEach((item, i) => {
    const filter = asObject(asObject(item)?.filter);
    if (!filter) return;
    const fp = path.index(i).child('filter');
    const children = stringList(filter.childCliqueNames);
    if (children.length === 0) r.errors.push(required(fp, 'filter must specify at least one childCliqueNames entry'));
    children.forEach((n, j) => {
      if (!members.has(n)) r.errors.push(notFound(fp.child('childCliqueNames').index(j), n));
    });
  });
}
