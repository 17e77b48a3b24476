// PodCliqueSet admission validation (grove-compat §3.3 rules V1–V32, §3.4 update rules, §3.5 topology),
// as pure functions: the HTTP layer decodes the AdmissionReview, prefetches the ClusterTopologyBinding
// the object references, and passes everything else the rules need in `ctx`.
//
// Every error is collected (validation never stops at the first one) and the order is deterministic:
// metadata, then the spec in document order (replicas, cliqueStartupType, resourceClaimTemplates,
// resourceSharing, cliques, podCliqueScalingGroups, terminationDelay), then the cross-cutting passes
// (topology, MNNVL annotations, scheduler backend), then — on update — the immutability rules.
//
// The input is untrusted JSON: fields are read defensively and a rule whose input has the wrong JSON
// type is skipped (the structural schema validator reports the type error). An absent non-pointer
// field reads as its Go zero value, as it would after Grove decoded the object.
//
// Deliberate differences from Grove (grove-compat §10) are marked "copse:" below.

import {
  type FieldError,
  type FieldPath,
  duplicate,
  fieldPath,
  forbidden,
  invalid,
  notFound,
  notSupported,
  required,
} from '../../field-errors.js';
import type { ClusterTopologyBinding, PodCliqueSet } from '../../index.js';
import {
  isDNS1123Label,
  isDNS1123Subdomain,
  isEnvVarName,
  nameIsDNSSubdomain,
  validateAnnotations,
  validateLabels,
  validateObjectMeta,
} from '../k8s-names.js';
import {
  type JsonObject,
  asArray,
  asInt,
  asObject,
  asString,
  byteLength,
  findDuplicates,
  formatGoDuration,
  goInt,
  goString,
  hasKey,
  isNil,
  parseGoDuration,
  semanticEqual,
  stringList,
} from '../untyped.js';
import { validateTopologyOnCreate, validateTopologyOnUpdate } from './topology.js';

/** What the rules need from outside the object (operator configuration and the referenced CTB). */
export interface PodCliqueSetValidationContext {
  /** `topologyAwareScheduling.enabled` */
  topologyAwareScheduling: boolean;
  /** Enabled scheduler backend profiles. `default-scheduler` is always enabled. */
  schedulerProfiles: string[];
  /** The profile an empty `podSpec.schedulerName` resolves to. */
  defaultSchedulerName: string;
  /** `network.autoMNNVLEnabled` */
  autoMNNVLEnabled: boolean;
  /** Prefetched ClusterTopologyBinding lookup (see `referencedTopologyNames`). */
  topology?: (name: string) => ClusterTopologyBinding | undefined;
}

export interface ValidationResult {
  errors: FieldError[];
  warnings: string[];
}

export { referencedTopologyNames } from './topology.js';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';
export const KAI_SCHEDULER_NAME = 'kai-scheduler';
export const MNNVL_GROUP_ANNOTATION = 'grove.io/mnnvl-group';
const MNNVL_GROUP_OPT_OUT = 'none';
const KAI_QUEUE_KEY = 'kai.scheduler/queue';

export const CLIQUE_STARTUP_TYPES = [
  'CliqueStartupTypeAnyOrder',
  'CliqueStartupTypeInOrder',
  'CliqueStartupTypeExplicit',
] as const;
const STARTUP_EXPLICIT = 'CliqueStartupTypeExplicit';
const STARTUP_IN_ORDER = 'CliqueStartupTypeInOrder';
const RESOURCE_SHARING_SCOPES = ['AllReplicas', 'PerReplica'] as const;
const MAX_COMBINED_RESOURCE_NAME_LENGTH = 45;

// Go prints the allowed set (`sets.Set[CliqueStartupType]`) with %v, i.e. as a map with sorted keys.
const MSG_STARTUP_TYPE = `can only be one of map[${[...CLIQUE_STARTUP_TYPES]
  .sort()
  .map((t) => `${t}:{}`)
  .join(' ')}]`;
const MSG_GT0 = 'must be greater than 0';
const MSG_MIN_GT_REPLICAS = 'minAvailable must not be greater than replicas';
const MSG_IMMUTABLE = 'field is immutable';
const MSG_RESTART_POLICY = 'restartPolicy will be ignored, it will be set to Always';

type Operation = 'CREATE' | 'UPDATE';

const METADATA = fieldPath('metadata');
const SPEC = fieldPath('spec');
const TEMPLATE = SPEC.child('template');
const CLIQUES = TEMPLATE.child('cliques');
const GROUPS = TEMPLATE.child('podCliqueScalingGroups');

// ---------------------------------------------------------------------------------------------
// A defensive view of the object

interface CliqueView {
  index: number;
  raw: JsonObject;
  /** "" when absent; `undefined` when wrongly typed. */
  name: string | undefined;
  spec: JsonObject | undefined;
}

interface GroupView {
  index: number;
  raw: JsonObject;
  name: string | undefined;
  cliqueNames: string[];
}

interface PCSView {
  metadata: JsonObject | undefined;
  name: string;
  namespace: string;
  spec: JsonObject | undefined;
  template: JsonObject | undefined;
  /** `undefined` when `cliques` is absent or not a list. */
  cliquesList: unknown[] | undefined;
  cliques: CliqueView[];
  groups: GroupView[];
  startupType: unknown;
}

function viewOf(pcs: unknown): PCSView {
  const root = asObject(pcs);
  const metadata = asObject(root?.metadata);
  const spec = asObject(root?.spec);
  const template = asObject(spec?.template);
  const cliquesList = asArray(template?.cliques);
  const cliques: CliqueView[] = [];
  (cliquesList ?? []).forEach((c, index) => {
    const raw = asObject(c);
    if (raw) cliques.push({ index, raw, name: goString(raw.name), spec: asObject(raw.spec) });
  });
  const groups: GroupView[] = [];
  (asArray(template?.podCliqueScalingGroups) ?? []).forEach((g, index) => {
    const raw = asObject(g);
    if (raw) groups.push({ index, raw, name: goString(raw.name), cliqueNames: stringList(raw.cliqueNames) });
  });
  return {
    metadata,
    name: goString(metadata?.name) ?? '',
    namespace: goString(metadata?.namespace) ?? '',
    spec,
    template,
    cliquesList,
    cliques,
    groups,
    startupType: template?.cliqueStartupType,
  };
}

const podSpecOf = (c: CliqueView): JsonObject | undefined => asObject(c.spec?.podSpec);
const schedulerNameOf = (c: CliqueView): string => goString(podSpecOf(c)?.schedulerName) ?? '';
/** A JSON value as a field-error value: absent reads as Go's nil (`null`). */
const valueOf = (v: unknown): unknown => (v === undefined ? null : v);

function isEnabledProfile(name: string, ctx: PodCliqueSetValidationContext): boolean {
  return name === DEFAULT_SCHEDULER_NAME || ctx.schedulerProfiles.includes(name);
}

// ---------------------------------------------------------------------------------------------
// Static rules (create and update)

class StaticValidator {
  readonly errors: FieldError[] = [];
  readonly warnings: string[] = [];
  /** The single scheduler profile all cliques resolve to, when it is enabled (input to V32). */
  resolvedSchedulerName: string | undefined;
  /** Every clique name claimed by some scaling group. */
  private readonly groupedCliques: Set<string>;

  constructor(
    private readonly v: PCSView,
    private readonly op: Operation,
    private readonly ctx: PodCliqueSetValidationContext,
  ) {
    this.groupedCliques = new Set(v.groups.flatMap((g) => g.cliqueNames));
  }

  private get explicitStartup(): boolean {
    return this.v.startupType === STARTUP_EXPLICIT;
  }

  run(): void {
    // V1 (with V12's label/annotation checks on the PodCliqueSet's own metadata).
    this.errors.push(...validateObjectMeta(this.v.metadata, true, nameIsDNSSubdomain, METADATA));
    const spec = this.v.spec;
    if (!spec) return;
    // V2
    const replicas = goInt(spec.replicas);
    if (replicas !== undefined && replicas < 0) {
      this.errors.push(invalid(SPEC.child('replicas'), replicas, 'must be greater than or equal to 0'));
    }
    if (!this.v.template) return;
    this.validateStartupType();
    this.validateResourceClaimTemplates();
    this.validatePCSResourceSharing();
    this.validateCliques();
    this.validateScalingGroups();
    this.validateTerminationDelay();
  }

  // V3
  private validateStartupType(): void {
    const path = TEMPLATE.child('cliqueStartupType');
    const t = this.v.startupType;
    if (isNil(t)) this.errors.push(required(path, 'field is required'));
    else if (typeof t === 'string' && !(CLIQUE_STARTUP_TYPES as readonly string[]).includes(t)) {
      this.errors.push(invalid(path, t, MSG_STARTUP_TYPE));
    }
  }

  private templateNames(): Set<string> {
    const names = new Set<string>();
    for (const t of asArray(this.v.template?.resourceClaimTemplates) ?? []) {
      const n = goString(asObject(t)?.name);
      if (n) names.add(n);
    }
    return names;
  }

  // V4
  private validateResourceClaimTemplates(): void {
    const path = TEMPLATE.child('resourceClaimTemplates');
    const names: string[] = [];
    (asArray(this.v.template?.resourceClaimTemplates) ?? []).forEach((t, i) => {
      const rct = asObject(t);
      if (!rct) return;
      const name = goString(rct.name);
      if (name === '') this.errors.push(required(path.index(i).child('name'), 'template name is required'));
      const requests = asArray(asObject(asObject(asObject(rct.templateSpec)?.spec)?.devices)?.requests);
      if (!requests || requests.length === 0) {
        this.errors.push(
          required(path.index(i).child('templateSpec', 'spec', 'devices', 'requests'), 'at least one device request is required'),
        );
      }
      // copse: an empty name is already "required"; it is not also reported as a duplicate.
      if (name) names.push(name);
    });
    const dups = findDuplicates(names);
    if (dups.length > 0) this.errors.push(duplicate(path.child('name'), dups));
  }

  // V5: the fields every resourceSharing entry has, at any level.
  private validateResourceSharingSpecs(list: unknown, path: FieldPath): void {
    const templates = this.templateNames();
    const seen = new Set<string>();
    (asArray(list) ?? []).forEach((r, i) => {
      const ref = asObject(r);
      if (!ref) return;
      const p = path.index(i);
      const name = goString(ref.name) ?? '';
      if (name === '') this.errors.push(required(p.child('name'), 'reference name is required'));
      if (name !== '' && seen.has(name)) this.errors.push(duplicate(p.child('name'), name));
      seen.add(name);
      const namespace = goString(ref.namespace) ?? '';
      if (namespace !== '' && name !== '' && templates.has(name)) {
        this.errors.push(
          invalid(p.child('namespace'), namespace, 'namespace must be empty when name matches an internal resourceClaimTemplate'),
        );
      }
      const scope = ref.scope;
      if (!(RESOURCE_SHARING_SCOPES as readonly unknown[]).includes(scope)) {
        this.errors.push(notSupported(p.child('scope'), valueOf(scope) ?? '', RESOURCE_SHARING_SCOPES));
      }
    });
  }

  // V5 + V6
  private validatePCSResourceSharing(): void {
    const path = TEMPLATE.child('resourceSharing');
    const list = this.v.template?.resourceSharing;
    this.validateResourceSharingSpecs(list, path);
    const cliqueNames = new Set(this.v.cliques.map((c) => c.name ?? ''));
    const groupNames = new Set(this.v.groups.map((g) => g.name ?? ''));
    (asArray(list) ?? []).forEach((r, i) => {
      const filter = asObject(asObject(r)?.filter);
      if (!filter) return;
      const fp = path.index(i).child('filter');
      const childCliques = stringList(filter.childCliqueNames);
      const childGroups = stringList(filter.childScalingGroupNames);
      if (childCliques.length === 0 && childGroups.length === 0) {
        this.errors.push(required(fp, 'filter must specify at least one childCliqueNames or childScalingGroupNames entry'));
      }
      childCliques.forEach((n, j) => {
        if (!cliqueNames.has(n)) this.errors.push(notFound(fp.child('childCliqueNames').index(j), n));
      });
      childGroups.forEach((n, j) => {
        if (!groupNames.has(n)) this.errors.push(notFound(fp.child('childScalingGroupNames').index(j), n));
      });
    });
  }

  // V8–V23
  private validateCliques(): void {
    const list = this.v.cliquesList;
    if (list ? list.length === 0 : isNil(this.v.template?.cliques)) {
      this.errors.push(required(CLIQUES, 'at least one PodClique must be defined'));
    }
    for (const c of this.v.cliques) this.validateClique(c);

    // V13 (copse: empty names/roles are reported as required, not also as duplicates)
    const names = this.v.cliques.map((c) => c.name).filter((n): n is string => !!n);
    const nameDups = findDuplicates(names);
    if (nameDups.length > 0) this.errors.push(duplicate(CLIQUES.child('name'), nameDups));
    const roles = this.v.cliques.map((c) => goString(c.spec?.roleName)).filter((r): r is string => !!r);
    const roleDups = findDuplicates(roles);
    if (roleDups.length > 0) this.errors.push(duplicate(CLIQUES.child('roleName'), roleDups));

    this.validateSchedulerNames();
    if (this.explicitStartup) this.validateCliqueDependencies();
  }

  private validateClique(c: CliqueView): void {
    const path = CLIQUES.index(c.index);
    // V9 / V10
    if (c.name === '') {
      this.errors.push(required(path.child('name'), 'field cannot be empty'));
    } else if (c.name !== undefined) {
      if (isDNS1123Subdomain(c.name).length > 0) {
        this.errors.push(invalid(path.child('name'), c.name, 'invalid PodCliqueTemplateSpec name, must be a valid DNS subdomain'));
      }
      if (!this.groupedCliques.has(c.name)) {
        const length = byteLength(this.v.name) + byteLength(c.name);
        if (length > MAX_COMBINED_RESOURCE_NAME_LENGTH) {
          const msg =
            `combined resource name length ${length} exceeds 45-character limit required for pod naming. ` +
            `Consider shortening: PodCliqueSet '${this.v.name}' or PodClique '${c.name}'`;
          this.errors.push(invalid(path.child('name'), c.name, msg), invalid(METADATA.child('name'), this.v.name, msg));
        }
      }
    }
    // V12
    this.errors.push(...validateLabels(c.raw.labels, path.child('labels')));
    this.errors.push(...validateAnnotations(c.raw.annotations, path.child('annotations')));
    // V5
    this.validateResourceSharingSpecs(c.raw.resourceSharing, path.child('resourceSharing'));
    if (c.spec) this.validateCliqueSpec(c, c.spec, path.child('spec'));
  }

  private validateCliqueSpec(c: CliqueView, spec: JsonObject, path: FieldPath): void {
    // copse: Grove never checks that roleName is set (grove-compat §3.3 "Not validated").
    if (goString(spec.roleName) === '') this.errors.push(required(path.child('roleName'), 'field is required'));

    // V16
    const replicas = goInt(spec.replicas);
    if (replicas !== undefined && replicas <= 0) this.errors.push(invalid(path.child('replicas'), replicas, MSG_GT0));
    const minAvailable = this.validateMinAvailable(spec.minAvailable, replicas, path.child('minAvailable'));
    if (this.explicitStartup) this.validateStartsAfter(c, spec.startsAfter, path.child('startsAfter'));
    const scale = asObject(spec.autoScalingConfig);
    if (scale) this.validateAutoScalingConfig(scale, replicas, minAvailable, path.child('autoScalingConfig'));
    const podSpec = asObject(spec.podSpec);
    if (podSpec) this.validatePodSpec(podSpec, path.child('podSpec'));
  }

  // V17; returns the value when it is a usable integer.
  private validateMinAvailable(raw: unknown, replicas: number | undefined, path: FieldPath): number | undefined {
    if (isNil(raw)) {
      this.errors.push(required(path, 'field is required'));
      return undefined;
    }
    const minAvailable = asInt(raw);
    if (minAvailable === undefined) return undefined;
    if (minAvailable <= 0) this.errors.push(invalid(path, minAvailable, MSG_GT0));
    if (replicas !== undefined && minAvailable > replicas) this.errors.push(invalid(path, minAvailable, MSG_MIN_GT_REPLICAS));
    return minAvailable;
  }

  // V18 (Explicit startup only)
  private validateStartsAfter(c: CliqueView, raw: unknown, path: FieldPath): void {
    const deps = (asArray(raw) ?? []).filter((d): d is string => typeof d === 'string');
    for (const dep of deps) {
      if (dep === '') this.errors.push(required(path, 'clique dependency must not be empty'));
      else if (dep === c.name) this.errors.push(invalid(path, dep, 'clique dependency cannot refer to itself'));
    }
    const dups = findDuplicates(deps.filter((d) => d !== ''));
    if (dups.length > 0) this.errors.push(duplicate(path, dups));
  }

  // V21
  private validateAutoScalingConfig(
    scale: JsonObject,
    replicas: number | undefined,
    minAvailable: number | undefined,
    path: FieldPath,
  ): void {
    let minReplicas: number | undefined;
    if (isNil(scale.minReplicas)) {
      this.errors.push(required(path.child('minReplicas'), 'field is required'));
    } else {
      minReplicas = asInt(scale.minReplicas);
      if (minReplicas !== undefined && minAvailable !== undefined && minReplicas < minAvailable) {
        this.errors.push(
          invalid(path.child('minReplicas'), minReplicas, 'must be greater than or equal to podCliqueSpec.minAvailable'),
        );
      }
    }
    const maxReplicas = goInt(scale.maxReplicas);
    if (maxReplicas === undefined) return;
    if (minReplicas !== undefined && maxReplicas < minReplicas) {
      this.errors.push(invalid(path.child('maxReplicas'), maxReplicas, 'must be greater than or equal to podCliqueSpec.minReplicas'));
    }
    if (replicas !== undefined && maxReplicas < replicas) {
      this.errors.push(invalid(path.child('maxReplicas'), maxReplicas, 'must be greater than or equal to replicas'));
    }
  }

  private validatePodSpec(podSpec: JsonObject, path: FieldPath): void {
    // copse: defaulting only fills an empty restartPolicy with Always, and copse's pods always run
    // with Always, so the warning is reserved for an explicit other value (grove-compat §10.13).
    const restartPolicy = asString(podSpec.restartPolicy);
    if (restartPolicy && restartPolicy !== 'Always') this.warnings.push(MSG_RESTART_POLICY);

    // Grove reports these under `podSpec.spec.*` (sic); the paths are kept for compatibility.
    const specPath = path.child('spec');
    if (this.op === 'CREATE') {
      // V22
      if (!isNil(podSpec.topologySpreadConstraints)) {
        this.errors.push(invalid(specPath.child('topologySpreadConstraints'), podSpec.topologySpreadConstraints, 'must not be set'));
      }
      const nodeName = goString(podSpec.nodeName);
      if (nodeName) this.errors.push(invalid(specPath.child('nodeName'), nodeName, 'must not be set'));
    }
    // V23
    for (const kind of ['containers', 'initContainers'] as const) {
      (asArray(podSpec[kind]) ?? []).forEach((ct, i) => {
        const container = asObject(ct);
        if (!container) return;
        const envPath = specPath.child(kind).index(i).child('env');
        const names: string[] = [];
        (asArray(container.env) ?? []).forEach((e, j) => {
          const env = asObject(e);
          if (!env) return;
          const name = goString(env.name);
          if (name === undefined) return;
          const msgs = isEnvVarName(name);
          if (msgs.length > 0) this.errors.push(invalid(envPath.index(j).child('name'), name, msgs.join('; ')));
          names.push(name);
        });
        const dups = findDuplicates(names);
        if (dups.length > 0) this.errors.push(duplicate(envPath, dups));
      });
    }
  }

  // V14 / V15
  private validateSchedulerNames(): void {
    if (this.v.cliques.length === 0) return;
    const path = CLIQUES.child('spec', 'podSpec', 'schedulerName');
    const resolved: string[] = [];
    for (const c of this.v.cliques) {
      const n = schedulerNameOf(c) || this.ctx.defaultSchedulerName;
      if (!resolved.includes(n)) resolved.push(n);
    }
    let ok = true;
    if (resolved.length > 1) {
      this.errors.push(invalid(path, resolved.join(', '), 'the schedulerName for all pods have to be the same'));
      ok = false;
    }
    const first = resolved[0] ?? this.ctx.defaultSchedulerName;
    if (!isEnabledProfile(first, this.ctx)) {
      this.errors.push(
        invalid(
          path,
          first,
          'schedulerName must be an enabled scheduler backend; this scheduler is not enabled in OperatorConfiguration',
        ),
      );
      ok = false;
    }
    if (ok) this.resolvedSchedulerName = first;
  }

  // V19 / V20
  private validateCliqueDependencies(): void {
    const nodes: { name: string; deps: string[] }[] = this.v.cliques.map((c) => ({
      name: c.name ?? '',
      deps: stringList(c.spec?.startsAfter),
    }));
    const known = new Set(nodes.map((n) => n.name));
    const unknown: string[] = [];
    for (const n of nodes) {
      for (const d of n.deps) {
        // copse: empty entries are already reported by V18; names are listed once, in document order.
        if (d !== '' && !known.has(d) && !unknown.includes(d)) unknown.push(d);
      }
    }
    if (unknown.length > 0) {
      this.errors.push(
        invalid(CLIQUES.child('startsAfter'), unknown.join(','), 'unknown clique names found, all clique dependencies must be defined as cliques'),
      );
    }
    const cycles = stronglyConnectedCliques(nodes);
    if (cycles.length > 0) this.errors.push(invalid(CLIQUES, cycles, 'clique must not have circular dependencies'));
  }

  // V24–V29, V11, V7, and the scaleConfig.maxReplicas checks Grove lacks.
  private validateScalingGroups(): void {
    for (const g of this.v.groups) this.validateScalingGroup(g);
    // V24 uniqueness, V26
    const nameDups = findDuplicates(this.v.groups.map((g) => g.name).filter((n): n is string => !!n));
    if (nameDups.length > 0) this.errors.push(duplicate(GROUPS.child('name'), nameDups));
    const memberDups = findDuplicates(this.v.groups.flatMap((g) => g.cliqueNames));
    if (memberDups.length > 0) this.errors.push(duplicate(GROUPS.child('cliqueNames'), memberDups));
    // V29
    for (const c of this.v.cliques) {
      if (c.name !== undefined && this.groupedCliques.has(c.name) && !isNil(c.spec?.autoScalingConfig)) {
        this.errors.push(
          invalid(GROUPS, c.name, 'AutoScalingConfig is not allowed to be defined for PodClique that is part of scaling group'),
        );
      }
    }
  }

  private validateScalingGroup(g: GroupView): void {
    const path = GROUPS.index(g.index);
    // V24
    if (g.name !== undefined && isDNS1123Subdomain(g.name).length > 0) {
      this.errors.push(invalid(path.child('name'), g.name, 'invalid PodCliqueScalingGroupConfig name, must be a valid DNS subdomain'));
    }
    // V25
    const cliqueNames = new Set(this.v.cliques.map((c) => c.name ?? ''));
    const unidentified = [...new Set(g.cliqueNames)].filter((n) => !cliqueNames.has(n));
    if (unidentified.length > 0) {
      this.errors.push(invalid(path.child('cliqueNames'), unidentified.join(','), 'unidentified PodClique names found'));
    }
    this.validateScalingGroupPodNames(g, path);
    // V27
    const replicas = asInt(g.raw.replicas);
    const minAvailable = asInt(g.raw.minAvailable);
    if (replicas !== undefined && replicas <= 0) this.errors.push(invalid(path.child('replicas'), replicas, MSG_GT0));
    if (minAvailable !== undefined && minAvailable <= 0) this.errors.push(invalid(path.child('minAvailable'), minAvailable, MSG_GT0));
    if (replicas !== undefined && minAvailable !== undefined && minAvailable > replicas) {
      this.errors.push(invalid(path.child('minAvailable'), minAvailable, MSG_MIN_GT_REPLICAS));
    }
    const scale = asObject(g.raw.scaleConfig);
    if (scale) this.validateScaleConfig(scale, replicas, minAvailable, path.child('scaleConfig'));
    // V5 + V7
    this.validatePCSGResourceSharing(g, path.child('resourceSharing'));
  }

  // V11 (paths and values exactly as Grove reports them)
  private validateScalingGroupPodNames(g: GroupView, path: FieldPath): void {
    const group = g.name ?? '';
    g.cliqueNames.forEach((cliqueName, j) => {
      const length = byteLength(this.v.name) + byteLength(group) + byteLength(cliqueName);
      if (length <= MAX_COMBINED_RESOURCE_NAME_LENGTH) return;
      const msg =
        `combined resource name length ${length} exceeds 45-character limit required for pod naming. ` +
        `Consider shortening: PodCliqueSet '${this.v.name}', PodCliqueScalingGroup '${group}', or PodClique '${cliqueName}'`;
      this.errors.push(
        invalid(path.child('cliqueNames').index(j).child('name'), cliqueName, msg),
        invalid(path.child('name'), cliqueName, msg),
        invalid(METADATA.child('name'), this.v.name, msg),
      );
    });
  }

  // V28, plus copse's maxReplicas checks (grove-compat §10.15)
  private validateScaleConfig(
    scale: JsonObject,
    replicas: number | undefined,
    minAvailable: number | undefined,
    path: FieldPath,
  ): void {
    const minReplicas = asInt(scale.minReplicas);
    if (minReplicas !== undefined && minAvailable !== undefined && minReplicas < minAvailable) {
      this.errors.push(
        invalid(path.child('minReplicas'), minReplicas, 'scaleConfig.minReplicas must be greater than or equal to minAvailable'),
      );
    }
    const maxReplicas = goInt(scale.maxReplicas);
    if (maxReplicas === undefined) return;
    if (minReplicas !== undefined && maxReplicas < minReplicas) {
      this.errors.push(invalid(path.child('maxReplicas'), maxReplicas, 'must be greater than or equal to scaleConfig.minReplicas'));
    }
    if (replicas !== undefined && maxReplicas < replicas) {
      this.errors.push(invalid(path.child('maxReplicas'), maxReplicas, 'must be greater than or equal to replicas'));
    }
  }

  private validatePCSGResourceSharing(g: GroupView, path: FieldPath): void {
    const list = g.raw.resourceSharing;
    this.validateResourceSharingSpecs(list, path);
    const members = new Set(g.cliqueNames);
    (asArray(list) ?? []).forEach((r, i) => {
      const filter = asObject(asObject(r)?.filter);
      if (!filter) return;
      const fp = path.index(i).child('filter');
      const children = stringList(filter.childCliqueNames);
      if (children.length === 0) this.errors.push(required(fp, 'filter must specify at least one childCliqueNames entry'));
      children.forEach((n, j) => {
        if (!members.has(n)) this.errors.push(notFound(fp.child('childCliqueNames').index(j), n));
      });
    });
  }

  // V30
  private validateTerminationDelay(): void {
    const path = TEMPLATE.child('terminationDelay');
    const raw = this.v.template?.terminationDelay;
    if (isNil(raw)) {
      this.errors.push(required(path, 'terminationDelay is required'));
      return;
    }
    const ns = typeof raw === 'string' ? parseGoDuration(raw) : undefined;
    // Grove prints the *metav1.Duration, which renders as its JSON form: the Go duration string.
    if (ns !== undefined && ns <= 0n) this.errors.push(invalid(path, formatGoDuration(ns), 'terminationDelay must be greater than 0'));
  }
}

/**
 * Tarjan's strongly connected components over the startsAfter graph, visiting cliques and their
 * dependencies in document order (Grove iterates a Go map, so its order is random). Single-node
 * components, including self-loops, are not cycles here (V18 reports self references).
 */
function stronglyConnectedCliques(nodes: { name: string; deps: string[] }[]): string[][] {
  const adjacency = new Map<string, string[]>();
  for (const n of nodes) adjacency.set(n.name, [...(adjacency.get(n.name) ?? []), ...n.deps.filter((d) => d !== '')]);
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const sccs: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of adjacency.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
      }
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      for (;;) {
        const w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        scc.push(w);
        if (w === v) break;
      }
      if (scc.length > 1) sccs.push(scc);
    }
  };
  for (const name of adjacency.keys()) if (!index.has(name)) connect(name);
  return sccs;
}

// ---------------------------------------------------------------------------------------------
// V31: grove.io/mnnvl-group annotations (create)

interface AnnotationSite {
  annotations: JsonObject | undefined;
  path: FieldPath;
}

function annotationSites(v: PCSView): AnnotationSite[] {
  return [
    { annotations: asObject(v.metadata?.annotations), path: METADATA.child('annotations') },
    ...v.cliques.map((c) => ({ annotations: asObject(c.raw.annotations), path: CLIQUES.index(c.index).child('annotations') })),
    ...v.groups.map((g) => ({ annotations: asObject(g.raw.annotations), path: GROUPS.index(g.index).child('annotations') })),
  ];
}

function validateMNNVLOnCreate(v: PCSView, ctx: PodCliqueSetValidationContext): FieldError[] {
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
    return [
      invalid(path, b, `annotation ${key} is immutable and cannot be changed from ${JSON.stringify(a)} to ${JSON.stringify(b)}`),
    ];
  }
  return [];
}

/** The mnnvl-group annotation may not be added, changed or removed (PCS, cliques and groups matched by name). */
function validateMNNVLOnUpdate(v: PCSView, old: PCSView): FieldError[] {
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

// ---------------------------------------------------------------------------------------------
// V32: scheduler-backend specific validation

function kaiQueueOf(labels: unknown, annotations: unknown): string {
  const fromLabels = goString(asObject(labels)?.[KAI_QUEUE_KEY]) ?? '';
  if (fromLabels !== '') return fromLabels;
  return goString(asObject(annotations)?.[KAI_QUEUE_KEY]) ?? '';
}

/** KAI needs one queue: on the PodCliqueSet, or a single consistent value across the clique templates. */
function kaiQueueProblem(v: PCSView): string | undefined {
  const id = `${v.namespace}/${v.name}`;
  const pcsQueue = kaiQueueOf(v.metadata?.labels, v.metadata?.annotations);
  if (pcsQueue !== '') {
    for (const c of v.cliques) {
      const q = kaiQueueOf(c.raw.labels, c.raw.annotations);
      if (q !== '' && q !== pcsQueue) {
        return `KAI queue on PodCliqueSet ${id} is ${JSON.stringify(pcsQueue)} but PodClique template ${JSON.stringify(c.name ?? '')} resolves to ${JSON.stringify(q)}`;
      }
    }
    return undefined;
  }
  const queues = new Set<string>();
  for (const c of v.cliques) {
    const q = kaiQueueOf(c.raw.labels, c.raw.annotations);
    if (q !== '') queues.add(q);
  }
  if (queues.size === 0) return `no KAI queue is configured on PodCliqueSet ${id} or its PodClique templates`;
  if (queues.size === 1) return undefined;
  return `conflicting KAI queues on PodCliqueSet ${id} PodClique templates: [${[...queues].sort().join(' ')}]`;
}

function validateBackend(v: PCSView, schedulerName: string | undefined): FieldError[] {
  // default-scheduler (copse's scheduler extender) has no extra requirements.
  if (schedulerName !== KAI_SCHEDULER_NAME) return [];
  const problem = kaiQueueProblem(v);
  // copse: Grove reports `spec: Invalid value: <the whole spec>: ...` (grove-compat §10.16); the value
  // here is the scheduler profile that raised the error.
  return problem ? [invalid(SPEC, schedulerName, problem)] : [];
}

// ---------------------------------------------------------------------------------------------
// Update-only rules (§3.4)

function immutable(path: FieldPath, after: unknown, before: unknown): FieldError[] {
  return semanticEqual(after, before) ? [] : [invalid(path, valueOf(after), MSG_IMMUTABLE)];
}

function immutableString(path: FieldPath, after: unknown, before: unknown): FieldError[] {
  const a = goString(after);
  const b = goString(before);
  return a === b ? [] : [invalid(path, valueOf(a ?? after), MSG_IMMUTABLE)];
}

/** A Go pointer field (`*int32`, `*string`): nil only equals nil. */
function immutablePointer(path: FieldPath, after: unknown, before: unknown): FieldError[] {
  if (isNil(after) && isNil(before)) return [];
  return after === before ? [] : [invalid(path, valueOf(after), MSG_IMMUTABLE)];
}

function validateCliquesUpdate(v: PCSView, old: PCSView): FieldError[] {
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

function validateGroupsUpdate(v: PCSView, old: PCSView): FieldError[] {
  const errs: FieldError[] = [];
  if (v.groups.length !== old.groups.length) {
    errs.push(forbidden(GROUPS, 'not allowed to add or remove PodCliqueScalingGroupConfigs'));
  }
  const oldByName = new Map(old.groups.map((g) => [g.name, g] as const));
  for (const g of v.groups) {
    const path = GROUPS.index(g.index);
    const before = oldByName.get(g.name);
    if (!before) {
      errs.push(
        forbidden(
          path.child('name'),
          `not allowed to change scaling group composition, new scaling group name '${g.name ?? ''}' is not allowed`,
        ),
      );
      continue;
    }
    errs.push(...immutable(path.child('cliqueNames'), g.raw.cliqueNames, before.raw.cliqueNames));
    errs.push(...immutablePointer(path.child('minAvailable'), g.raw.minAvailable, before.raw.minAvailable));
    errs.push(...immutable(path.child('resourceSharing'), g.raw.resourceSharing, before.raw.resourceSharing));
  }
  return errs;
}

// ---------------------------------------------------------------------------------------------
// Entry points

/** Validate a PodCliqueSet being created (after defaulting). */
export function validatePodCliqueSetCreate(pcs: PodCliqueSet, ctx: PodCliqueSetValidationContext): ValidationResult {
  const v = viewOf(pcs);
  const s = new StaticValidator(v, 'CREATE', ctx);
  s.run();
  const topology = validateTopologyOnCreate(pcs, ctx);
  const errors = [...s.errors, ...topology.errors, ...validateMNNVLOnCreate(v, ctx), ...validateBackend(v, s.resolvedSchedulerName)];
  return { errors, warnings: [...s.warnings, ...topology.warnings] };
}

/**
 * Validate an update of `old` to `pcs` (both defaulted): the static rules except the create-only ones
 * (V22, topology creation rules, V31), then the immutability rules of §3.4 and §3.5.
 *
 * copse: Grove returns early (MNNVL immutability first, then the static rules, then a scaling-group
 * count mismatch); here every error is reported at once.
 */
export function validatePodCliqueSetUpdate(
  pcs: PodCliqueSet,
  old: PodCliqueSet,
  ctx: PodCliqueSetValidationContext,
): ValidationResult {
  const v = viewOf(pcs);
  const o = viewOf(old);
  const s = new StaticValidator(v, 'UPDATE', ctx);
  s.run();
  const topology = validateTopologyOnUpdate(pcs, old, ctx);
  const errors = [
    ...s.errors,
    ...validateBackend(v, s.resolvedSchedulerName),
    ...validateCliquesUpdate(v, o),
    ...immutablePointer(TEMPLATE.child('cliqueStartupType'), v.startupType, o.startupType),
    ...validateGroupsUpdate(v, o),
    ...topology.errors,
    ...immutable(TEMPLATE.child('resourceClaimTemplates'), v.template?.resourceClaimTemplates, o.template?.resourceClaimTemplates),
    ...immutable(TEMPLATE.child('resourceSharing'), v.template?.resourceSharing, o.template?.resourceSharing),
    ...validateMNNVLOnUpdate(v, o),
  ];
  return { errors, warnings: [...s.warnings, ...topology.warnings] };
}
