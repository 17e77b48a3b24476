// Glue between AdmissionRequests and the pure admission logic (style §7.4): decode, prefetch what
// the pure functions need (the referenced ClusterTopologyBindings), call them, and turn their
// result into a decision. The logic modules are imported lazily so the server starts (and its
// tests run) without loading them until the first request.
import type { FieldError } from '../api/field-errors.js';
import { allow, deny, denyFieldErrors, type AdmissionDecision, type AdmissionRequest } from './admission.js';
import { diff } from './jsonpatch.js';
import type { HandlerContext } from './registry.js';
import type { PodCliqueSetValidationContext } from './podcliqueset/validate.js';
import type { ClusterTopologyValidationContext } from './clustertopology/validate.js';

type PodCliqueSet = Parameters<typeof import('./podcliqueset/defaults.js').defaultPodCliqueSet>[0];
type ClusterTopologyBinding = Parameters<typeof import('./clustertopology/validate.js').validateClusterTopologyBinding>[0];

/** Operator configuration the admission rules depend on (OperatorConfiguration, grove-compat §7.1). */
export type AdmissionConfig = Omit<PodCliqueSetValidationContext, 'topology'> & Pick<ClusterTopologyValidationContext, 'topologyAwareProfiles'>;

export const DEFAULT_ADMISSION_CONFIG: AdmissionConfig = {
  // Topology-aware placement is a core copse feature (the scheduler extender honours it), so unlike
  // Grove it is on unless `copse serve --topology-aware-scheduling=false` turns it off.
  topologyAwareScheduling: true,
  schedulerProfiles: ['default-scheduler'],
  defaultSchedulerName: 'default-scheduler',
  autoMNNVLEnabled: false,
};

export const GROVE_GROUP = 'grove.io';

/**
 * Structural (OpenAPI schema) validation first. The apiserver already validated the object against
 * the CRD schema before calling a validating webhook, so in-cluster this is defence in depth: it
 * makes sure the rule code below only ever sees objects of the expected shape (a wrongly typed
 * object from any other caller is denied with a precise field error instead of confusing the rules).
 */
async function structuralErrors(kind: 'PodCliqueSet' | 'ClusterTopologyBinding', obj: unknown): Promise<FieldError[]> {
  const { validateStructure } = await import('../api/validators.js');
  return validateStructure(kind, obj);
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
  const { defaultPodCliqueSet } = await import('./podcliqueset/defaults.js');
  const original = req.object as Record<string, unknown>;
  const defaulted = defaultPodCliqueSet(structuredClone(original) as unknown as PodCliqueSet);
  return allow({ patch: diff(original, defaulted) });
}

async function prefetchTopologies(names: readonly string[], ctx: HandlerContext): Promise<Map<string, ClusterTopologyBinding>> {
  const found = await Promise.all(names.map(async (n) => [n, await ctx.lookupTopology(n)] as const));
  const out = new Map<string, ClusterTopologyBinding>();
  for (const [n, ctb] of found) if (ctb) out.set(n, ctb as unknown as ClusterTopologyBinding);
  return out;
}

/** PCS validating webhook: structural validation, then Grove's create/update rules. DELETE is always allowed. */
export async function validatePodCliqueSetHandler(req: AdmissionRequest, ctx: HandlerContext): Promise<AdmissionDecision> {
  if (req.operation !== 'CREATE' && req.operation !== 'UPDATE') return allow();
  const wrong = kindMismatch(req, 'PodCliqueSet');
  if (wrong) return wrong;
  const obj = req.object as unknown as PodCliqueSet;
  const old = req.oldObject as unknown as PodCliqueSet | undefined;

  const structural = await structuralErrors('PodCliqueSet', obj);
  if (structural.length) return denyFieldErrors(structural);

  const v = await import('./podcliqueset/validate.js');
  const names = [...new Set([...v.referencedTopologyNames(obj), ...(old ? v.referencedTopologyNames(old) : [])])];
  const topologies = await prefetchTopologies(names, ctx);
  const vctx: PodCliqueSetValidationContext = {
    topologyAwareScheduling: ctx.config.topologyAwareScheduling,
    schedulerProfiles: [...ctx.config.schedulerProfiles],
    defaultSchedulerName: ctx.config.defaultSchedulerName,
    autoMNNVLEnabled: ctx.config.autoMNNVLEnabled,
    topology: (name) => topologies.get(name),
  };
  const res = req.operation === 'CREATE' || !old ? v.validatePodCliqueSetCreate(obj, vctx) : v.validatePodCliqueSetUpdate(obj, old, vctx);
  return res.errors.length ? denyFieldErrors(res.errors, res.warnings) : allow({ warnings: res.warnings });
}

/** ClusterTopologyBinding validating webhook. */
export async function validateClusterTopologyHandler(req: AdmissionRequest, ctx: HandlerContext): Promise<AdmissionDecision> {
  if (req.operation !== 'CREATE' && req.operation !== 'UPDATE') return allow();
  const wrong = kindMismatch(req, 'ClusterTopologyBinding');
  if (wrong) return wrong;
  const obj = req.object as unknown as ClusterTopologyBinding;
  const old = (req.operation === 'UPDATE' ? req.oldObject : undefined) as unknown as ClusterTopologyBinding | undefined;

  const structural = await structuralErrors('ClusterTopologyBinding', obj);
  if (structural.length) return denyFieldErrors(structural);

  const { validateClusterTopologyBinding } = await import('./clustertopology/validate.js');
  const res = validateClusterTopologyBinding(obj, old, {
    schedulerProfiles: ctx.config.schedulerProfiles,
    ...(ctx.config.topologyAwareProfiles ? { topologyAwareProfiles: ctx.config.topologyAwareProfiles } : {}),
  });
  return res.errors.length ? denyFieldErrors(res.errors, res.warnings) : allow({ warnings: res.warnings });
}
