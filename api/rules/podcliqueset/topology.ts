// Topology-constraint admission rules for PodCliqueSets (grove-compat §3.5): pure functions over the
// submitted object, the old object (updates) and a prefetched ClusterTopologyBinding lookup.
//
// A constraint can sit at three levels: the PCS template, a PodCliqueScalingGroup config and a clique
// template. Children inherit the topologyName of the nearest constrained ancestor; the effective
// required domain is `pack.required`, falling back to the deprecated `packDomain`.

import { type FieldError, type FieldPath, forbidden, invalid, required } from '../../field-errors.js';
import type { ClusterTopologyBinding } from '../../index.js';
import { isDNS1123Subdomain } from '../k8s-names.js';
import { asArray, asObject, goString } from '../untyped.js';
import type { ValidationResult } from '../validation.js';
import { type PCSView, type PodCliqueSetValidationContext, TEMPLATE, viewOf } from './view.js';

const KIND_PODCLIQUESET = 'PodCliqueSet';
const KIND_PODCLIQUE = 'PodClique';
const KIND_PODCLIQUESCALINGGROUP = 'PodCliqueScalingGroup';

/** What the topology rules need from outside the object. */
export type TopologyValidationContext = Pick<PodCliqueSetValidationContext, 'topologyAwareScheduling' | 'topology'>;

const MSG_TAS_DISABLED = 'topology constraints are not allowed when Topology Aware Scheduling is disabled';
const MSG_NAME_REQUIRED = 'topologyName is required when topologyConstraint is set and cannot be inherited';
const MSG_NAME_MISMATCH =
  'all topologyConstraint.topologyName values within a PodCliqueSet must match in the current implementation';

const PCS_TOPOLOGY_NAME_PATH = TEMPLATE.child('topologyConstraint', 'topologyName');

/** A topologyConstraint read defensively; absent or wrongly typed strings read as "". */
interface Constraint {
  topologyName: string;
  packDomain: string;
  packRequired: string;
  packPreferred: string;
  hasPack: boolean;
}

function readConstraint(v: unknown): Constraint | undefined {
  const tc = asObject(v);
  if (!tc) return undefined;
  const pack = asObject(tc.pack);
  return {
    topologyName: goString(tc.topologyName) ?? '',
    packDomain: goString(tc.packDomain) ?? '',
    packRequired: goString(pack?.required) ?? '',
    packPreferred: goString(pack?.preferred) ?? '',
    hasPack: pack !== undefined,
  };
}

function requiredDomain(tc: Constraint | undefined): string {
  if (!tc) return '';
  return tc.packRequired !== '' ? tc.packRequired : tc.packDomain;
}

function preferredDomain(tc: Constraint | undefined): string {
  return tc ? tc.packPreferred : '';
}

/** The distinct required and preferred domains (Go `TopologyConstraint.ReferencedDomains`; nil when none). */
function referencedDomains(tc: Constraint): string[] | null {
  const out: string[] = [];
  const req = requiredDomain(tc);
  if (req !== '') out.push(req);
  const pref = preferredDomain(tc);
  if (pref !== '' && pref !== req) out.push(pref);
  return out.length > 0 ? out : null;
}

/** One constrained level of the template. */
interface Site {
  tc: Constraint;
  path: FieldPath;
  kind: string;
  /** Object name for messages; "" for the PodCliqueSet itself. */
  name: string;
}

interface TemplateView {
  constraint: Constraint | undefined;
  cliques: { name: string; constraint: Constraint | undefined; index: number }[];
  groups: { name: string; cliqueNames: string[]; constraint: Constraint | undefined; index: number }[];
}

/** The constraints of the parsed object, each level's name read as Go would ("" when absent). */
function topologyView(v: PCSView): TemplateView {
  return {
    constraint: readConstraint(v.template?.topologyConstraint),
    cliques: v.cliques.map((c) => ({ name: c.name ?? '', constraint: readConstraint(c.raw.topologyConstraint), index: c.index })),
    groups: v.groups.map((g) => ({ name: g.name ?? '', cliqueNames: g.cliqueNames, constraint: readConstraint(g.raw.topologyConstraint), index: g.index })),
  };
}

/** Every constraint in Grove's walk order: the PCS, then cliques, then scaling groups. */
function sitesOf(view: TemplateView): Site[] {
  const sites: Site[] = [];
  if (view.constraint) {
    sites.push({ tc: view.constraint, path: TEMPLATE.child('topologyConstraint'), kind: KIND_PODCLIQUESET, name: '' });
  }
  for (const c of view.cliques) {
    if (c.constraint) {
      sites.push({
        tc: c.constraint,
        path: TEMPLATE.child('cliques').index(c.index).child('topologyConstraint'),
        kind: KIND_PODCLIQUE,
        name: c.name,
      });
    }
  }
  for (const g of view.groups) {
    if (g.constraint) {
      sites.push({
        tc: g.constraint,
        path: TEMPLATE.child('podCliqueScalingGroups').index(g.index).child('topologyConstraint'),
        kind: KIND_PODCLIQUESCALINGGROUP,
        name: g.name,
      });
    }
  }
  return sites;
}

// ---------------------------------------------------------------------------------------------
// topologyName resolution

interface Resolution {
  /** The single effective topologyName ("" when unresolved or when no constraint exists). */
  name: string;
  errors: FieldError[];
  /** Some constraint had no topologyName and nothing to inherit (Grove's ErrTopologyNameMissing). */
  missing: boolean;
}

/** Grove's report when different topologyNames survive inheritance: every explicit name is flagged. */
function topologyNameConflicts(view: TemplateView): FieldError[] {
  const errors: FieldError[] = [];
  if (view.constraint && view.constraint.topologyName !== '') {
    errors.push(invalid(PCS_TOPOLOGY_NAME_PATH, view.constraint.topologyName, MSG_NAME_MISMATCH));
  }
  for (const g of view.groups) {
    if (g.constraint && g.constraint.topologyName !== '') {
      const path = TEMPLATE.child('podCliqueScalingGroups').index(g.index).child('topologyConstraint', 'topologyName');
      errors.push(invalid(path, g.constraint.topologyName, MSG_NAME_MISMATCH));
    }
  }
  for (const c of view.cliques) {
    if (c.constraint && c.constraint.topologyName !== '') {
      const path = TEMPLATE.child('cliques').index(c.index).child('topologyConstraint', 'topologyName');
      errors.push(invalid(path, c.constraint.topologyName, MSG_NAME_MISMATCH));
    }
  }
  return errors;
}

function resolveTopologyName(view: TemplateView): Resolution {
  const errors: FieldError[] = [];
  let missing = false;
  let resolved = '';
  let conflict = false;
  const observe = (n: string): void => {
    if (resolved === '') resolved = n;
    else if (resolved !== n) conflict = true;
  };
  const effective = (tc: Constraint, path: FieldPath, inherited: string, canInherit: boolean): string | undefined => {
    if (tc.topologyName === '' && (!canInherit || inherited === '')) {
      errors.push(required(path.child('topologyName'), MSG_NAME_REQUIRED));
      missing = true;
      return undefined;
    }
    if (tc.topologyName !== '' && inherited !== '' && tc.topologyName !== inherited) {
      errors.push(invalid(path.child('topologyName'), tc.topologyName, MSG_NAME_MISMATCH));
      return undefined;
    }
    return tc.topologyName !== '' ? tc.topologyName : inherited;
  };

  let pcsName = '';
  let pcsResolvable = false;
  if (view.constraint) {
    const eff = effective(view.constraint, TEMPLATE.child('topologyConstraint'), '', false);
    if (eff !== undefined) {
      pcsName = eff;
      pcsResolvable = true;
      observe(eff);
    }
  }
  const groupNameByClique = new Map<string, string>();
  for (const g of view.groups) {
    if (!g.constraint) continue;
    const path = TEMPLATE.child('podCliqueScalingGroups').index(g.index).child('topologyConstraint');
    const eff = effective(g.constraint, path, pcsName, pcsResolvable);
    if (eff === undefined) continue;
    observe(eff);
    for (const c of g.cliqueNames) if (!groupNameByClique.has(c)) groupNameByClique.set(c, eff);
  }
  for (const c of view.cliques) {
    if (!c.constraint) continue;
    const fromGroup = groupNameByClique.get(c.name);
    const inherited = fromGroup ?? pcsName;
    const canInherit = fromGroup !== undefined || pcsResolvable;
    const path = TEMPLATE.child('cliques').index(c.index).child('topologyConstraint');
    const eff = effective(c.constraint, path, inherited, canInherit);
    if (eff !== undefined) observe(eff);
  }

  // Two different names survived inheritance: flag every explicit topologyName.
  if (conflict) errors.push(...topologyNameConflicts(view));
  return { name: errors.length > 0 ? '' : resolved, errors, missing };
}

// ---------------------------------------------------------------------------------------------
// Create-time rules

function disallowWhenTASDisabled(sites: Site[]): FieldError[] {
  return sites.map((s) => invalid(s.path, referencedDomains(s.tc), MSG_TAS_DISABLED));
}

function ctbDomains(ctb: ClusterTopologyBinding): string[] {
  const spec = asObject(asObject(ctb as unknown)?.spec);
  return (asArray(spec?.levels) ?? []).map((l) => goString(asObject(l)?.domain) ?? '');
}

/** Look up the CTB named by the resolved topologyName; an error when it does not exist. */
function lookupDomains(
  name: string,
  ctx: TopologyValidationContext,
): { domains: string[]; errors: FieldError[] } {
  const ctb = ctx.topology?.(name);
  if (!ctb) {
    return {
      domains: [],
      errors: [invalid(PCS_TOPOLOGY_NAME_PATH, name, `ClusterTopologyBinding ${JSON.stringify(name)} not found`)],
    };
  }
  return { domains: ctbDomains(ctb), errors: [] };
}

function validateDomainsExist(sites: Site[], domains: string[]): FieldError[] {
  const errs: FieldError[] = [];
  const check = (domain: string, path: FieldPath): void => {
    if (domain === '' || domains.includes(domain)) return;
    errs.push(invalid(path, domain, `topology domain '${domain}' does not exist in cluster topology [${domains.join(' ')}]`));
  };
  for (const s of sites) {
    if (s.tc.packDomain !== '') check(s.tc.packDomain, s.path.child('packDomain'));
    if (s.tc.hasPack) {
      check(s.tc.packRequired, s.path.child('pack', 'required'));
      check(s.tc.packPreferred, s.path.child('pack', 'preferred'));
    }
  }
  return errs;
}

/** Parent narrower than child (index further down the CTB levels); unknown domains are not compared. */
function narrowerThan(parent: string, child: string, domains: string[]): boolean {
  const p = domains.indexOf(parent);
  const c = domains.indexOf(child);
  return p !== -1 && c !== -1 && p > c;
}

function hierarchyMessage(
  parentDomain: string,
  parentKind: string,
  parentName: string,
  childDomain: string,
  childKind: string,
  childName: string,
): string {
  const parent = parentName === '' ? parentKind : `${parentKind} '${parentName}'`;
  return `${parent} topology constraint domain '${parentDomain}' is narrower than ${childKind} '${childName}' topology constraint domain '${childDomain}'`;
}

function validateHierarchy(view: TemplateView, domains: string[]): FieldError[] {
  const errs: FieldError[] = [];
  const compare = (
    parent: Constraint,
    parentPath: FieldPath,
    parentKind: string,
    parentName: string,
    child: Constraint,
    childKind: string,
    childName: string,
  ): void => {
    const pr = requiredDomain(parent);
    const cr = requiredDomain(child);
    if (narrowerThan(pr, cr, domains)) {
      errs.push(invalid(parentPath, pr, hierarchyMessage(pr, parentKind, parentName, cr, childKind, childName)));
    }
    const pp = preferredDomain(parent);
    const cp = preferredDomain(child);
    if (narrowerThan(pp, cp, domains)) {
      errs.push(
        invalid(parentPath.child('pack', 'preferred'), pp, hierarchyMessage(pp, parentKind, parentName, cp, childKind, childName)),
      );
    }
  };

  const pcs = view.constraint;
  if (pcs) {
    const path = TEMPLATE.child('topologyConstraint');
    for (const c of view.cliques) {
      if (c.constraint) compare(pcs, path, KIND_PODCLIQUESET, '', c.constraint, KIND_PODCLIQUE, c.name);
    }
    for (const g of view.groups) {
      if (g.constraint) compare(pcs, path, KIND_PODCLIQUESET, '', g.constraint, KIND_PODCLIQUESCALINGGROUP, g.name);
    }
  }
  for (const g of view.groups) {
    if (!g.constraint) continue;
    const path = TEMPLATE.child('podCliqueScalingGroups').index(g.index).child('topologyConstraint');
    for (const member of g.cliqueNames) {
      // Exact name match: a clique named `worker` is never mistaken for `pworker`.
      const clique = view.cliques.find((c) => c.name === member);
      if (clique?.constraint) {
        compare(g.constraint, path, KIND_PODCLIQUESCALINGGROUP, g.name, clique.constraint, KIND_PODCLIQUE, clique.name);
      }
    }
  }
  return errs;
}

function redundantPreferredWarnings(sites: Site[], domains: string[]): string[] {
  const warnings: string[] = [];
  for (const s of sites) {
    const req = requiredDomain(s.tc);
    const pref = preferredDomain(s.tc);
    if (req === '' || pref === '') continue;
    const ri = domains.indexOf(req);
    const pi = domains.indexOf(pref);
    if (ri !== -1 && pi !== -1 && pi < ri) {
      warnings.push(`${s.path.child('pack', 'preferred')} is coarser than ${s.path.child('pack', 'required')} and is redundant`);
    }
  }
  return warnings;
}

/**
 * copse: every explicit topologyName must be a possible object name (a DNS subdomain) before anything
 * is looked up by it; Grove does not check, and `..` would otherwise reach the API as a path segment.
 */
function invalidTopologyNames(sites: Site[]): FieldError[] {
  return sites.flatMap((s) => {
    if (s.tc.topologyName === '') return [];
    const problems = isDNS1123Subdomain(s.tc.topologyName);
    return problems.length > 0 ? [invalid(s.path.child('topologyName'), s.tc.topologyName, problems.join('; '))] : [];
  });
}

/**
 * The ClusterTopologyBinding the create rules check the object against: names first (each a DNS
 * subdomain, all alike after inheritance — Grove allows only one per PodCliqueSet), so an object
 * naming many topologies is refused by these pure checks and costs no lookup at all.
 */
function topologyToCheck(view: TemplateView): { name: string } | { errors: FieldError[] } | undefined {
  const sites = sitesOf(view);
  if (sites.length === 0) return undefined;
  const invalidNames = invalidTopologyNames(sites);
  if (invalidNames.length > 0) return { errors: invalidNames };
  const resolution = resolveTopologyName(view);
  if (resolution.errors.length > 0) return { errors: resolution.errors };
  return { name: resolution.name };
}

/** Names, CTB lookup, domain existence and hierarchy (the create rules once TAS is known to be on). */
function validateAgainstTopology(view: TemplateView, ctx: TopologyValidationContext): ValidationResult {
  const target = topologyToCheck(view);
  if (target === undefined) return { errors: [], warnings: [] };
  if ('errors' in target) return { errors: target.errors, warnings: [] };
  const sites = sitesOf(view);
  const { domains, errors } = lookupDomains(target.name, ctx);
  if (errors.length > 0) return { errors, warnings: [] };
  const domainErrs = validateDomainsExist(sites, domains);
  if (domainErrs.length > 0) return { errors: domainErrs, warnings: [] };
  return { errors: validateHierarchy(view, domains), warnings: redundantPreferredWarnings(sites, domains) };
}

/** §3.5 create rules. */
export function validateTopologyOnCreate(pcs: PCSView, ctx: TopologyValidationContext): ValidationResult {
  const view = topologyView(pcs);
  if (!ctx.topologyAwareScheduling) return { errors: disallowWhenTASDisabled(sitesOf(view)), warnings: [] };
  return validateAgainstTopology(view, ctx);
}

// ---------------------------------------------------------------------------------------------
// Update-time rules: topology constraints are immutable

function constraintChanged(a: Constraint | undefined, b: Constraint | undefined): boolean {
  if (!a && !b) return false;
  if (!a || !b) return true;
  return (
    a.topologyName !== b.topologyName ||
    a.packDomain !== b.packDomain ||
    requiredDomain(a) !== requiredDomain(b) ||
    preferredDomain(a) !== preferredDomain(b)
  );
}

/** A legacy object (packDomain, no topologyName) may gain a topologyName, nothing else. */
function isAllowedLegacyRepair(a: Constraint | undefined, b: Constraint | undefined): boolean {
  if (!a || !b) return false;
  return a.topologyName === '' && a.packDomain !== '' && b.topologyName !== '' && b.packDomain === a.packDomain;
}

function isPackDomainMigrationAttempt(a: Constraint | undefined, b: Constraint | undefined): boolean {
  return a !== undefined && b !== undefined && a.packDomain !== '' && b.packDomain === '' && b.hasPack && b.packRequired !== '';
}

/** Moving `packDomain: X` to `pack.required: X` (same name, same preferred) is allowed. */
function isAllowedPackDomainMigration(a: Constraint | undefined, b: Constraint | undefined): boolean {
  if (!isPackDomainMigrationAttempt(a, b) || !a || !b) return false;
  return a.topologyName === b.topologyName && requiredDomain(b) === a.packDomain && preferredDomain(b) === preferredDomain(a);
}

function constraintChangeMessage(kind: string, name: string, a: Constraint | undefined, b: Constraint | undefined): string {
  const id = name === '' ? '' : ` '${name}'`;
  if (!a) return `${kind}${id} topology constraint cannot be added after creation`;
  if (!b) return `${kind}${id} topology constraint cannot be removed after creation`;
  if (a.topologyName !== b.topologyName) {
    return `${kind}${id} topology constraint topologyName cannot be changed from '${a.topologyName}' to '${b.topologyName}'`;
  }
  const q = JSON.stringify;
  if (isPackDomainMigrationAttempt(a, b)) {
    return (
      `${kind}${id} deprecated packDomain migration can only move packDomain to pack.required without changing the ` +
      `required or preferred topology domain (old required=${q(a.packDomain)} preferred=${q(preferredDomain(a))}, ` +
      `new required=${q(requiredDomain(b))} preferred=${q(preferredDomain(b))})`
    );
  }
  return (
    `${kind}${id} topology constraint cannot be changed from required=${q(requiredDomain(a))} preferred=${q(preferredDomain(a))} ` +
    `to required=${q(requiredDomain(b))} preferred=${q(preferredDomain(b))}`
  );
}

function validatePCSImmutability(a: Constraint | undefined, b: Constraint | undefined, allowRepair: boolean): FieldError[] {
  const oldName = a?.topologyName ?? '';
  const newName = b?.topologyName ?? '';
  const repair = allowRepair && isAllowedLegacyRepair(a, b);
  if (repair) return [];
  // A rename of an existing constraint gets Grove's own message; adding or removing the whole
  // constraint reads like it does for cliques and scaling groups ("cannot be added after creation").
  if (a !== undefined && b !== undefined && oldName !== newName) {
    return [forbidden(PCS_TOPOLOGY_NAME_PATH, `topologyName cannot be changed from ${JSON.stringify(oldName)} to ${JSON.stringify(newName)}`)];
  }
  if (constraintChanged(a, b) && !isAllowedPackDomainMigration(a, b)) {
    return [forbidden(TEMPLATE.child('topologyConstraint'), constraintChangeMessage(KIND_PODCLIQUESET, '', a, b))];
  }
  return [];
}

interface NamedConstraint {
  name: string;
  constraint: Constraint | undefined;
  index: number;
}

function validateImmutability(view: TemplateView, oldView: TemplateView, allowRepair: boolean): FieldError[] {
  const changedDisallowed = (a: Constraint | undefined, b: Constraint | undefined): boolean =>
    constraintChanged(a, b) && !(allowRepair && isAllowedLegacyRepair(a, b)) && !isAllowedPackDomainMigration(a, b);

  // Old and new entries are matched by exact name, never by prefix or suffix.
  const changes = (list: 'cliques' | 'podCliqueScalingGroups', kind: string, now: NamedConstraint[], before: NamedConstraint[]): FieldError[] => {
    const old = new Map(before.map((x) => [x.name, x.constraint] as const));
    return now
      .filter((x) => changedDisallowed(old.get(x.name), x.constraint))
      .map((x) =>
        forbidden(
          TEMPLATE.child(list).index(x.index).child('topologyConstraint'),
          constraintChangeMessage(kind, x.name, old.get(x.name), x.constraint),
        ),
      );
  };
  return [
    ...validatePCSImmutability(oldView.constraint, view.constraint, allowRepair),
    ...changes('cliques', KIND_PODCLIQUE, view.cliques, oldView.cliques),
    ...changes('podCliqueScalingGroups', KIND_PODCLIQUESCALINGGROUP, view.groups, oldView.groups),
  ];
}

function hasRepairableLegacyConstraint(view: TemplateView): boolean {
  return sitesOf(view).some((s) => s.tc.topologyName === '' && s.tc.packDomain !== '');
}

/** An object stored before topologyName existed, which an update may repair (validated like a create). */
function isLegacyRepair(oldView: TemplateView): boolean {
  return sitesOf(oldView).length > 0 && hasRepairableLegacyConstraint(oldView) && resolveTopologyName(oldView).missing;
}

/**
 * §3.5 update rules: every constraint is immutable, except (a) moving `packDomain` to `pack.required`
 * unchanged and (b) the legacy repair of an object that predates `topologyName`, which may add one and
 * is then validated like a create. Warns once per remaining deprecated `packDomain`.
 */
export function validateTopologyOnUpdate(pcs: PCSView, old: PCSView, ctx: TopologyValidationContext): ValidationResult {
  const view = topologyView(pcs);
  const oldView = topologyView(old);
  const warnings = sitesOf(view)
    .filter((s) => s.tc.packDomain !== '')
    .map((s) => `${s.path.child('packDomain')} is deprecated; use ${s.path.child('pack', 'required')} instead`);

  if (isLegacyRepair(oldView)) {
    const errs = validateImmutability(view, oldView, true);
    if (errs.length > 0) return { errors: errs, warnings };
    if (!ctx.topologyAwareScheduling) return { errors: disallowWhenTASDisabled(sitesOf(view)), warnings };
    return { errors: validateAgainstTopology(view, ctx).errors, warnings };
  }
  return { errors: validateImmutability(view, oldView, false), warnings };
}

/**
 * The one ClusterTopologyBinding name the rules above will ask `ctx.topology` for, or undefined when
 * they ask for none (no constraint, topology-aware scheduling off, names that are invalid or differ,
 * or an update that is not a legacy repair). The HTTP layer fetches exactly this before validating,
 * so a request costs at most one lookup however many names the object carries.
 */
export function topologyNameToLookUp(pcs: unknown, old: unknown, ctx: Pick<TopologyValidationContext, 'topologyAwareScheduling'>): string | undefined {
  if (!ctx.topologyAwareScheduling) return undefined;
  const view = topologyView(viewOf(pcs));
  if (old !== undefined && old !== null) {
    const oldView = topologyView(viewOf(old));
    if (!isLegacyRepair(oldView) || validateImmutability(view, oldView, true).length > 0) return undefined;
  }
  const target = topologyToCheck(view);
  return target && 'name' in target ? target.name : undefined;
}

