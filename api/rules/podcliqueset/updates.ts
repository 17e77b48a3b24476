// PodCliqueSet update-only rules (grove-compat §3.4): clique and scaling-group composition and order,
// the immutable fields, and the grove.io/mnnvl-group annotation. Topology immutability is in
// topology.ts.

import { type FieldError, type FieldPath, forbidden, invalid } from '../../field-errors.js';
import { type JsonObject, asObject, goString, hasKey, isNil, semanticEqual } from '../untyped.js';
import { MNNVL_GROUP_ANNOTATION } from './metadata.js';
import {
  CLIQUES,
  type CliqueView,
  GROUPS,
  METADATA,
  type PCSView,
  STARTUP_EXPLICIT,
  STARTUP_IN_ORDER,
  TEMPLATE,
  podSpecOf,
  valueOf,
} from './view.js';

const MSG_IMMUTABLE = 'field is immutable';

function immutable(path: FieldPath, after: unknown, before: unknown): FieldError[] {
  return semanticEqual(after, before) ? [] : [invalid(path, valueOf(after), MSG_IMMUTABLE)];
}

function immutableString(path: FieldPath, after: unknown, before: unknown): FieldError[] {
  const a = goString(after);
  const b = goString(before);
  return a === b ? [] : [invalid(path, valueOf(a ?? after), MSG_IMMUTABLE)];
}

/** A Go pointer field (`*int32`, `*string`): nil only equals nil. */
export function immutablePointer(path: FieldPath, after: unknown, before: unknown): FieldError[] {
  if (isNil(after) && isNil(before)) return [];
  return after === before ? [] : [invalid(path, valueOf(after), MSG_IMMUTABLE)];
}

// §3.4 spec.template.cliques: composition, order (InOrder/Explicit) and the immutable clique fields.
export function validateCliquesUpdate(v: PCSView, old: PCSView): FieldError[] {
  const errs: FieldError[] = [];
  if (v.cliques.length !== old.cliques.length) errs.push(forbidden(CLIQUES, 'not allowed to change clique composition'));
  // copse: matched by exact name, and every error carries the clique's index (grove-compat §10.9, §10.16).
  const oldByName = new Map(old.cliques.map((c, position) => [c.name, { c, position }] as const));
  const orderEnforced = v.startupType === STARTUP_IN_ORDER || v.startupType === STARTUP_EXPLICIT;
  v.cliques.forEach((c, position) => {
    const path = CLIQUES.index(c.index);
    const name = c.name ?? '';
    const match = oldByName.get(c.name);
    if (!match) {
      errs.push(forbidden(path.child('name'), `not allowed to change clique composition, new clique name '${name}' is not allowed`));
      return;
    }
    if (orderEnforced && position !== match.position) {
      // copse: Grove names the moved clique itself as the expected one; report who was there before.
      const expected = old.cliques[position]?.name ?? '';
      errs.push(
        invalid(
          path.child('name'),
          name,
          `clique order cannot be changed when StartupType is InOrder or Explicit. Expected '${expected}' at position ${position}, got '${name}'`,
        ),
      );
    }
    errs.push(...cliqueImmutables(c, match.c, path));
  });
  return errs;
}

// §3.4 roleName, minAvailable, startsAfter, podSpec.schedulerName and resourceSharing of a clique.
function cliqueImmutables(c: CliqueView, before: CliqueView, path: FieldPath): FieldError[] {
  const sp = path.child('spec');
  return [
    ...immutableString(sp.child('roleName'), c.spec?.roleName, before.spec?.roleName),
    ...immutablePointer(sp.child('minAvailable'), c.spec?.minAvailable, before.spec?.minAvailable),
    ...immutable(sp.child('startsAfter'), c.spec?.startsAfter, before.spec?.startsAfter),
    ...immutableString(sp.child('podSpec', 'schedulerName'), podSpecOf(c)?.schedulerName, podSpecOf(before)?.schedulerName),
    ...immutable(path.child('resourceSharing'), c.raw.resourceSharing, before.raw.resourceSharing),
  ];
}

// §3.4 spec.template.cliqueStartupType
export function validateStartupTypeUpdate(v: PCSView, old: PCSView): FieldError[] {
  return immutablePointer(TEMPLATE.child('cliqueStartupType'), v.startupType, old.startupType);
}

// §3.4 spec.template.podCliqueScalingGroups: composition and the immutable group fields.
export function validateGroupsUpdate(v: PCSView, old: PCSView): FieldError[] {
  const errs: FieldError[] = [];
  if (v.groups.length !== old.groups.length) {
    errs.push(forbidden(GROUPS, 'not allowed to add or remove PodCliqueScalingGroupConfigs'));
  }
  const oldByName = new Map(old.groups.map((g) => [g.name, g] as const));
  for (const g of v.groups) {
    const path = GROUPS.index(g.index);
    const before = oldByName.get(g.name);
    if (!before) {
      errs.push(forbidden(path.child('name'), `not allowed to change scaling group composition, new scaling group name '${g.name ?? ''}' is not allowed`));
      continue;
    }
    errs.push(...immutable(path.child('cliqueNames'), g.raw.cliqueNames, before.raw.cliqueNames));
    errs.push(...immutablePointer(path.child('minAvailable'), g.raw.minAvailable, before.raw.minAvailable));
    errs.push(...immutable(path.child('resourceSharing'), g.raw.resourceSharing, before.raw.resourceSharing));
  }
  return errs;
}

// §3.4 spec.template.resourceClaimTemplates and spec.template.resourceSharing
export function validateTemplateResourcesUpdate(v: PCSView, old: PCSView): FieldError[] {
  return [
    ...immutable(TEMPLATE.child('resourceClaimTemplates'), v.template?.resourceClaimTemplates, old.template?.resourceClaimTemplates),
    ...immutable(TEMPLATE.child('resourceSharing'), v.template?.resourceSharing, old.template?.resourceSharing),
  ];
}

function mnnvlImmutability(before: JsonObject | undefined, after: JsonObject | undefined, base: FieldPath): FieldError[] {
  const key = MNNVL_GROUP_ANNOTATION;
  const path = base.child(key);
  const had = hasKey(before, key);
  const has = hasKey(after, key);
  if (!had && has) return [forbidden(path, `annotation ${key} cannot be added after PodCliqueSet creation`)];
  if (had && !has) return [forbidden(path, `annotation ${key} cannot be removed after PodCliqueSet creation`)];
  const a = goString(before?.[key]) ?? '';
  const b = goString(after?.[key]) ?? '';
  if (had && has && a !== b) {
    return [invalid(path, b, `annotation ${key} is immutable and cannot be changed from ${JSON.stringify(a)} to ${JSON.stringify(b)}`)];
  }
  return [];
}

// §3.4 grove.io/mnnvl-group may not be added, changed or removed (PCS, cliques and groups matched by name).
export function validateMNNVLOnUpdate(v: PCSView, old: PCSView): FieldError[] {
  const errs = mnnvlImmutability(asObject(old.metadata?.annotations), asObject(v.metadata?.annotations), METADATA.child('annotations'));
  const oldCliques = new Map(old.cliques.map((c) => [c.name, c] as const));
  for (const c of v.cliques) {
    const before = oldCliques.get(c.name);
    if (!before) continue; // a new clique is already a composition error
    errs.push(...mnnvlImmutability(asObject(before.raw.annotations), asObject(c.raw.annotations), CLIQUES.index(c.index).child('annotations')));
  }
  const oldGroups = new Map(old.groups.map((g) => [g.name, g] as const));
  for (const g of v.groups) {
    const before = oldGroups.get(g.name);
    if (!before) continue;
    errs.push(...mnnvlImmutability(asObject(before.raw.annotations), asObject(g.raw.annotations), GROUPS.index(g.index).child('annotations')));
  }
  return errs;
}
