// PodCliqueSet defaulting (grove-compat §3.2), run by the mutating webhook on create and update.
//
// `defaultPodCliqueSet` is pure: it returns a defaulted deep copy and never touches its input. It only
// fills fields that are unset, so applying it twice gives the same result as applying it once (the
// webhook may be reinvoked). Admission input is untrusted JSON: anything with an unexpected shape is
// left exactly as it is for the structural validator to reject; defaulting never throws.
//
// Besides Grove's webhook defaults it also applies the CRD schema defaults Grove relies on
// (spec.replicas 0, cliqueStartupType AnyOrder, scaling-group replicas/minAvailable 1,
// updateStrategy.type RollingRecreate, headlessServiceConfig.publishNotReadyAddresses true). The
// apiserver applies those before admission anyway; repeating them keeps the webhook correct when it
// sees an object that did not pass through CRD defaulting (tests, dry runs of raw manifests).
//
// copse additions to Grove's defaults: an empty clique `roleName` becomes the clique's name, and
// `minAvailable` / `autoScalingConfig.minReplicas` follow the *defaulted* replicas (see below).

import type { PodCliqueSet } from '../../index.js';
import { type JsonObject, asArray, asInt, asObject, isNil } from '../untyped.js';

export const DEFAULT_NAMESPACE = 'default';
/** 4h, serialised the way metav1.Duration marshals it. */
export const DEFAULT_TERMINATION_DELAY = '4h0m0s';
export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;
export const DEFAULT_CLIQUE_STARTUP_TYPE = 'CliqueStartupTypeAnyOrder';
export const DEFAULT_UPDATE_STRATEGY_TYPE = 'RollingRecreate';

/** Return a defaulted copy of `pcs`. */
export function defaultPodCliqueSet(pcs: PodCliqueSet): PodCliqueSet {
  const out: unknown = structuredClone(pcs as unknown);
  const root = asObject(out);
  if (!root) return out as PodCliqueSet;

  if (isNil(root.metadata)) root.metadata = {};
  const metadata = asObject(root.metadata);
  if (metadata && (isNil(metadata.namespace) || metadata.namespace === '')) metadata.namespace = DEFAULT_NAMESPACE;

  const spec = asObject(root.spec);
  if (spec) defaultSpec(spec);
  return out as PodCliqueSet;
}

function defaultSpec(spec: JsonObject): void {
  if (isNil(spec.replicas)) spec.replicas = 0;
  const strategy = asObject(spec.updateStrategy);
  if (strategy && (isNil(strategy.type) || strategy.type === '')) strategy.type = DEFAULT_UPDATE_STRATEGY_TYPE;

  const template = asObject(spec.template);
  if (template) defaultTemplate(template);
}

function defaultTemplate(template: JsonObject): void {
  if (isNil(template.cliqueStartupType)) template.cliqueStartupType = DEFAULT_CLIQUE_STARTUP_TYPE;
  for (const c of asArray(template.cliques) ?? []) {
    const clique = asObject(c);
    const cliqueSpec = asObject(clique?.spec);
    if (clique && cliqueSpec) defaultCliqueSpec(clique, cliqueSpec);
  }
  for (const g of asArray(template.podCliqueScalingGroups) ?? []) {
    const group = asObject(g);
    if (group) defaultScalingGroup(group);
  }
  if (isNil(template.terminationDelay)) template.terminationDelay = DEFAULT_TERMINATION_DELAY;
  if (isNil(template.headlessServiceConfig)) template.headlessServiceConfig = { publishNotReadyAddresses: true };
  const headless = asObject(template.headlessServiceConfig);
  if (headless && isNil(headless.publishNotReadyAddresses)) headless.publishNotReadyAddresses = true;
}

function defaultCliqueSpec(clique: JsonObject, spec: JsonObject): void {
  // copse: roleName is required (and must be non-empty) but Grove never defaults it, so two of Grove's
  // own samples are unusable as written. Defaulting it to the clique's name, which is already unique,
  // admits them; the validator still rejects a roleName that stays empty.
  if ((isNil(spec.roleName) || spec.roleName === '') && typeof clique.name === 'string' && clique.name !== '') {
    spec.roleName = clique.name;
  }
  const podSpec = asObject(spec.podSpec);
  if (podSpec) {
    // copse's pods always run with restartPolicy Always; an explicit other value is kept here and
    // warned about by the validator (grove-compat §10.13: Grove sets Always, then warns every time).
    if (isNil(podSpec.restartPolicy) || podSpec.restartPolicy === '') podSpec.restartPolicy = 'Always';
    if (isNil(podSpec.terminationGracePeriodSeconds)) {
      podSpec.terminationGracePeriodSeconds = DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS;
    }
  }
  if (isNil(spec.replicas) || spec.replicas === 0) spec.replicas = 1;
  // copse: minAvailable and the HPA floor default to the *defaulted* replicas, so `replicas: 0` (or
  // none) yields 1/1 instead of Grove's confusing minAvailable 0 (grove-compat §10.14).
  const replicas = asInt(spec.replicas);
  if (replicas === undefined) return;
  if (isNil(spec.minAvailable)) spec.minAvailable = replicas;
  const scale = asObject(spec.autoScalingConfig);
  if (scale && isNil(scale.minReplicas)) scale.minReplicas = replicas;
}

function defaultScalingGroup(group: JsonObject): void {
  if (isNil(group.replicas)) group.replicas = 1;
  if (isNil(group.minAvailable)) group.minAvailable = 1;
  const replicas = asInt(group.replicas);
  const scale = asObject(group.scaleConfig);
  if (scale && replicas !== undefined && isNil(scale.minReplicas)) scale.minReplicas = replicas;
}
