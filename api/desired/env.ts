// GROVE_* environment variables (grove-compat §4.4, §4.5 item 5). They are prepended to every container
// and user init container so that template variables after them can refer to them as `$(GROVE_...)`;
// a template variable of the same name is dropped (the operator's value wins, and a container may not
// list a name twice). Pods of a scaling group end up with the 5 base variables, then the 3 PCSG ones,
// then the template's.

import type { V1Container, V1EnvVar, V1PodSpec } from '../core/wire.js';
import {
  ENV_HEADLESS_SERVICE,
  ENV_PCLQ_NAME,
  ENV_PCLQ_POD_INDEX,
  ENV_PCS_INDEX,
  ENV_PCS_NAME,
  ENV_PCSG_INDEX,
  ENV_PCSG_NAME,
  ENV_PCSG_TEMPLATE_NUM_PODS,
  INIT_CONTAINER_NAME,
  LABEL_PCSG,
  LABEL_PCSG_REPLICA_INDEX,
  LABEL_PODCLIQUE_POD_INDEX,
} from '../keys.js';
import { headlessServiceFqdn } from '../names.js';

function fromLabel(name: string, label: string): V1EnvVar {
  return { name, valueFrom: { fieldRef: { fieldPath: `metadata.labels['${label}']` } } };
}

/** The 5 variables every pod gets. The pod index is read from the pod's own label. */
export function podEnv(pcsName: string, replica: number, pclqName: string, namespace: string): V1EnvVar[] {
  return [
    { name: ENV_PCS_NAME, value: pcsName },
    { name: ENV_PCS_INDEX, value: String(replica) },
    { name: ENV_PCLQ_NAME, value: pclqName },
    { name: ENV_HEADLESS_SERVICE, value: headlessServiceFqdn(pcsName, replica, namespace) },
    fromLabel(ENV_PCLQ_POD_INDEX, LABEL_PODCLIQUE_POD_INDEX),
  ];
}

/**
 * The 3 variables of scaling-group members. `templateNumPods` is the sum of the template replicas of the
 * group's cliques: static, it does not follow scaling (Grove's behaviour, §10.8).
 */
export function scalingGroupEnv(templateNumPods: number): V1EnvVar[] {
  return [
    fromLabel(ENV_PCSG_NAME, LABEL_PCSG),
    { name: ENV_PCSG_TEMPLATE_NUM_PODS, value: String(templateNumPods) },
    fromLabel(ENV_PCSG_INDEX, LABEL_PCSG_REPLICA_INDEX),
  ];
}

function prependTo(container: V1Container, vars: readonly V1EnvVar[]): V1Container {
  const names = new Set(vars.map((v) => v.name));
  return { ...container, env: [...vars, ...(container.env ?? []).filter((v) => !names.has(v.name))] };
}

/** `podSpec` with `vars` prepended to every container and user init container (never to grove-initc). */
export function prependEnv(podSpec: V1PodSpec, vars: readonly V1EnvVar[]): V1PodSpec {
  const out: V1PodSpec = { ...podSpec, containers: podSpec.containers.map((c) => prependTo(c, vars)) };
  if (podSpec.initContainers) {
    out.initContainers = podSpec.initContainers.map((c) => (c.name === INIT_CONTAINER_NAME ? c : prependTo(c, vars)));
  }
  return out;
}
