// PodCliqueSet rules on spec and the fields of spec.template that are not lists of cliques or
// scaling groups: spec.replicas (V2), cliqueStartupType (V3), resourceClaimTemplates (V4) and
// terminationDelay (V30). resourceSharing is in resource-sharing.ts.

import { duplicate, invalid, required } from '../../field-errors.js';
import { CLIQUE_STARTUP_TYPES } from '../../grove.io/v1alpha1/podcliqueset.js';
import { asArray, asObject, findDuplicates, formatGoDuration, goInt, goString, isNil, parseGoDuration } from '../untyped.js';
import { SPEC, TEMPLATE, type Rules } from './view.js';

// Go prints the allowed set (`sets.Set[CliqueStartupType]`) with %v, i.e. as a map with sorted keys.
const MSG_STARTUP_TYPE = `can only be one of map[${[...CLIQUE_STARTUP_TYPES]
  .sort()
  .map((t) => `${t}:{}`)
  .join(' ')}]`;

// V2
export function validateReplicas(r: Rules): void {
  const replicas = goInt(r.v.spec?.replicas);
  if (replicas !== undefined && replicas < 0) {
    r.errors.push(invalid(SPEC.child('replicas'), replicas, 'must be greater than or equal to 0'));
  }
}

// V3
export function validateStartupType(r: Rules): void {
  const path = TEMPLATE.child('cliqueStartupType');
  const t = r.v.startupType;
  if (isNil(t)) r.errors.push(required(path, 'field is required'));
  else if (typeof t === 'string' && !(CLIQUE_STARTUP_TYPES as readonly string[]).includes(t)) {
    r.errors.push(invalid(path, t, MSG_STARTUP_TYPE));
  }
}

/** The names of the PodCliqueSet's own resourceClaimTemplates (what V5's namespace rule compares against). */
export function templateNames(r: Rules): Set<string> {
  const names = new Set<string>();
  for (const t of asArray(r.v.template?.resourceClaimTemplates) ?? []) {
    const n = goString(asObject(t)?.name);
    if (n) names.add(n);
  }
  return names;
}

// V4
export function validateResourceClaimTemplates(r: Rules): void {
  const path = TEMPLATE.child('resourceClaimTemplates');
  const names: string[] = [];
  (asArray(r.v.template?.resourceClaimTemplates) ?? []).forEach((t, i) => {
    const rct = asObject(t);
    if (!rct) return;
    const name = goString(rct.name);
    if (name === '') r.errors.push(required(path.index(i).child('name'), 'template name is required'));
    const requests = asArray(asObject(asObject(asObject(rct.templateSpec)?.spec)?.devices)?.requests);
    if (!requests || requests.length === 0) {
      r.errors.push(required(path.index(i).child('templateSpec', 'spec', 'devices', 'requests'), 'at least one device request is required'));
    }
    // copse: an empty name is already "required"; it is not also reported as a duplicate.
    if (name) names.push(name);
  });
  const dups = findDuplicates(names);
  if (dups.length > 0) r.errors.push(duplicate(path.child('name'), dups));
}

// V30
export function validateTerminationDelay(r: Rules): void {
  const path = TEMPLATE.child('terminationDelay');
  const raw = r.v.template?.terminationDelay;
  if (isNil(raw)) {
    r.errors.push(required(path, 'terminationDelay is required'));
    return;
  }
  const ns = typeof raw === 'string' ? parseGoDuration(raw) : undefined;
  // Grove prints the *metav1.Duration, which renders as its JSON form: the Go duration string.
  if (ns !== undefined && ns <= 0n) r.errors.push(invalid(path, formatGoDuration(ns), 'terminationDelay must be greater than 0'));
}
