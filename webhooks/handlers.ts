// Glue between AdmissionRequests and the pure admission logic (style §7.4): decode, prefetch what
// the pure functions need (the one referenced ClusterTopologyBinding), call them, and turn their
// result into a decision.
import type { Pod } from '../api/core/wire.js';
import { injectStartupWait, type InitContainerConfig } from '../api/desired/startup.js';
import { initContainerConfig } from '../api/image.js';
import type { ClusterTopologyBinding, PodCliqueSet } from '../api/index.js';
import { GROVE_GROUP } from '../api/kinds.js';
import type { FieldError } from '../api/field-errors.js';
import { compiledValidator, validateObject } from '../api/validators.js';
import { allow, deny, denyFieldErrors, type AdmissionDecision, type AdmissionRequest } from './admission.js';
import { validateClusterTopologyBinding, type ClusterTopologyValidationContext } from '../api/rules/clustertopology/validate.js';
import { KAI_SCHEDULER_NAME } from '../api/rules/podcliqueset/backend.js';
import { diff } from '../api/jsonpatch.js';
import { defaultPodCliqueSet } from '../api/rules/podcliqueset/defaults.js';
import {
  topologyNameToLookUp,
  validatePodCliqueSetCreate,
  validatePodCliqueSetUpdate,
  type PodCliqueSetValidationContext,
} from '../api/rules/podcliqueset/validate.js';
import type { HandlerContext } from './registry.js';

/**
 * Compile the schema validators now rather than on the first admission request, which would
 * otherwise pay ajv's compile time (hundreds of ms for the PodCliqueSet schema) inside the
 * apiserver's webhook timeout. Called before the server reports ready.
 */
export function warmUpHandlers(): void {
  compiledValidator('PodCliqueSet');
  compiledValidator('ClusterTopologyBinding');
  compiledValidator('DynamoGraphDeployment');
}

/** Operator configuration the admission rules depend on (OperatorConfiguration, grove-compat §7.1). */
export type AdmissionConfig = Omit<PodCliqueSetValidationContext, 'topology'> &
  Pick<ClusterTopologyValidationContext, 'topologyAwareProfiles'> & {
    /** The startup webhook's init container (image and `copse initc` command). */
    initContainer: InitContainerConfig;
  };

export const DEFAULT_ADMISSION_CONFIG: AdmissionConfig = {
  // Topology-aware placement is a core copse feature (the scheduler extender honours it), so unlike
  // Grove it is on unless `copse serve --topology-aware-scheduling=false` turns it off.
  topologyAwareScheduling: true,
  schedulerProfiles: ['default-scheduler'],
  defaultSchedulerName: 'default-scheduler',
  autoMNNVLEnabled: false,
  initContainer: initContainerConfig({}),
};

/**
 * The CRD's own checks first (OpenAPI schema, then its CEL rules). The apiserver ran them already
 * before calling a validating webhook, so in-cluster this is defence in depth: the rule code below
 * only ever sees objects of the expected shape, and a CRD installed without its validation (by a
 * lossy client, say) still cannot let an invalid object through.
 */
function structuralErrors(kind: 'PodCliqueSet' | 'ClusterTopologyBinding', obj: unknown, old?: unknown): FieldError[] {
  return validateObject(kind, obj, old === undefined ? {} : { old });
}

function kindMismatch(req: AdmissionRequest, kind: string): AdmissionDecision | undefined {
  if (req.kind.group === GROVE_GROUP && req.kind.kind === kind) return undefined;
  const got = req.kind.group ? `${req.kind.group}/${req.kind.kind}` : req.kind.kind;
  return deny(`this webhook admits ${GROVE_GROUP}/${kind} only, got ${got}`, 'BadRequest');
}

/** PCS mutating webhook: patch = diff(original, defaultPodCliqueSet(original)). */
export async function defaultPodCliqueSetHandler(req: AdmissionRequest): Promise<AdmissionDecision> {
  if (req.operation !== 'CREATE' && req.operation !== 'UPDATE') return allow();
  const wrong = kindMismatch(req, 'PodCliqueSet');
  if (wrong) return wrong;
  const original = req.object as Record<string, unknown>;
  const defaulted = defaultPodCliqueSet(structuredClone(original) as unknown as PodCliqueSet);
  return allow({ patch: diff(original, defaulted) });
}

/**
 * The ClusterTopologyBinding the rules will consult, fetched before the synchronous rules run. The
 * pure rules name at most one (all topologyNames of a PodCliqueSet must match, and they are checked
 * before anything is fetched), so a request costs at most one lookup whatever the object holds.
 */
async function prefetchTopology(obj: PodCliqueSet, old: PodCliqueSet | undefined, ctx: HandlerContext): Promise<PodCliqueSetValidationContext['topology']> {
  const name = topologyNameToLookUp(obj, old, ctx.config);
  if (name === undefined) return () => undefined;
  const ctb = (await ctx.lookupTopology(name, ctx.signal)) as unknown as ClusterTopologyBinding | undefined;
  return (n) => (n === name ? ctb : undefined);
}

/** PCS validating webhook: structural validation, then Grove's create/update rules. DELETE is always allowed. */
export async function validatePodCliqueSetHandler(req: AdmissionRequest, ctx: HandlerContext): Promise<AdmissionDecision> {
  if (req.operation !== 'CREATE' && req.operation !== 'UPDATE') return allow();
  const wrong = kindMismatch(req, 'PodCliqueSet');
  if (wrong) return wrong;
  const obj = req.object as unknown as PodCliqueSet;
  const old = req.oldObject as unknown as PodCliqueSet | undefined;

  const structural = structuralErrors('PodCliqueSet', obj, old);
  if (structural.length) return denyFieldErrors(structural);

  const update = req.operation === 'UPDATE' && old ? old : undefined;
  const topology = await prefetchTopology(obj, update, ctx);
  const vctx: PodCliqueSetValidationContext = {
    topologyAwareScheduling: ctx.config.topologyAwareScheduling,
    schedulerProfiles: [...ctx.config.schedulerProfiles],
    defaultSchedulerName: ctx.config.defaultSchedulerName,
    autoMNNVLEnabled: ctx.config.autoMNNVLEnabled,
    topology,
  };
  const res = update ? validatePodCliqueSetUpdate(obj, update, vctx) : validatePodCliqueSetCreate(obj, vctx);
  return res.errors.length ? denyFieldErrors(res.errors, res.warnings) : allow({ warnings: res.warnings });
}

/** Whether the binding has an entry for kai-scheduler (only then is KAI's CRD looked up). */
function namesKai(obj: ClusterTopologyBinding): boolean {
  return (obj.spec?.schedulerTopologyBindings ?? []).some((e) => e.schedulerName === KAI_SCHEDULER_NAME);
}

/** ClusterTopologyBinding validating webhook. */
export async function validateClusterTopologyHandler(req: AdmissionRequest, ctx: HandlerContext): Promise<AdmissionDecision> {
  if (req.operation !== 'CREATE' && req.operation !== 'UPDATE') return allow();
  const wrong = kindMismatch(req, 'ClusterTopologyBinding');
  if (wrong) return wrong;
  const obj = req.object as unknown as ClusterTopologyBinding;
  const old = (req.operation === 'UPDATE' ? req.oldObject : undefined) as unknown as ClusterTopologyBinding | undefined;

  const structural = structuralErrors('ClusterTopologyBinding', obj, old);
  if (structural.length) return denyFieldErrors(structural);

  const res = validateClusterTopologyBinding(obj, old, {
    schedulerProfiles: ctx.config.schedulerProfiles,
    ...(ctx.config.topologyAwareProfiles ? { topologyAwareProfiles: ctx.config.topologyAwareProfiles } : {}),
    kaiTopologyServed: namesKai(obj) && ctx.kaiTopologyServed ? await ctx.kaiTopologyServed(ctx.signal) : false,
  });
  return res.errors.length ? denyFieldErrors(res.errors, res.warnings) : allow({ warnings: res.warnings });
}

/**
 * Startup webhook (pods labelled copse.io/startup-wait=true, CREATE only): inject the init container,
 * its volumes and arguments from the parents the pod builder resolved (api/desired/startup.ts). A pod
 * that already carries the init container passes unchanged; a malformed mark is refused with its field.
 */
export function injectStartupWaitHandler(req: AdmissionRequest, ctx: HandlerContext): AdmissionDecision {
  if (req.operation !== 'CREATE') return allow();
  if (req.kind.group !== '' || req.kind.kind !== 'Pod') {
    return deny(`this webhook admits core/v1 Pods only, got ${req.kind.group ? `${req.kind.group}/` : ''}${req.kind.kind}`, 'BadRequest');
  }
  const original = req.object as Record<string, unknown>;
  const result = injectStartupWait(original as Pod, ctx.config.initContainer);
  if ('errors' in result) return denyFieldErrors(result.errors);
  return allow({ patch: result.injected ? diff(original, result.pod) : [] });
}
