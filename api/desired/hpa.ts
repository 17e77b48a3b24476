// HorizontalPodAutoscalers (grove-compat §4.3, §4.14): one per PodCliqueSet replica for every standalone
// clique with `autoScalingConfig` (target: its PodClique) and every scaling group with `scaleConfig`
// (target: its PodCliqueScalingGroup). Both kinds have a scale subresource.

import type { HorizontalPodAutoscaler } from '../core/wire.js';
import type { AutoScalingConfig, PodCliqueSet } from '../generated/types.js';
import { GROVE_API_VERSION } from '../kinds.js';
import { COMPONENT_PCS_HPA } from '../keys.js';
import { hpaName, podCliqueName, podCliqueScalingGroupName } from '../names.js';
import { controllerRef, objectLabels, requireName, requireNamespace } from './meta.js';
import { scalingGroupConfigs, standaloneCliques } from './template.js';

const KIND = 'PodCliqueSet';

function hpa(
  pcs: PodCliqueSet,
  target: { kind: 'PodClique' | 'PodCliqueScalingGroup'; name: string },
  config: AutoScalingConfig,
  fallbackMin: number,
): HorizontalPodAutoscaler {
  const name = hpaName(target.name);
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: {
      name,
      namespace: requireNamespace(KIND, pcs),
      labels: objectLabels(requireName(KIND, pcs), name, COMPONENT_PCS_HPA),
      ownerReferences: [controllerRef(KIND, pcs)],
    },
    spec: {
      scaleTargetRef: { apiVersion: GROVE_API_VERSION, kind: target.kind, name: target.name },
      minReplicas: config.minReplicas ?? fallbackMin,
      maxReplicas: config.maxReplicas,
      // Empty: the HPA's own default (80% average CPU) applies.
      ...(config.metrics && config.metrics.length > 0 ? { metrics: structuredClone(config.metrics) } : {}),
    },
  };
}

/** The HPAs of PodCliqueSet replica `replica`: cliques first (template order), then scaling groups. */
export function desiredHpas(pcs: PodCliqueSet, replica: number): HorizontalPodAutoscaler[] {
  const pcsName = requireName(KIND, pcs);
  const out: HorizontalPodAutoscaler[] = [];
  for (const c of standaloneCliques(pcs)) {
    const config = c.spec.autoScalingConfig;
    if (!config) continue;
    out.push(hpa(pcs, { kind: 'PodClique', name: podCliqueName(pcsName, replica, c.name) }, config, c.spec.replicas));
  }
  for (const g of scalingGroupConfigs(pcs)) {
    if (!g.scaleConfig) continue;
    const name = podCliqueScalingGroupName(pcsName, replica, g.name);
    out.push(hpa(pcs, { kind: 'PodCliqueScalingGroup', name }, g.scaleConfig, g.replicas ?? 1));
  }
  return out;
}
