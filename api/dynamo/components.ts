// The main container Dynamo's operator starts from, per componentType (dynamo-dgd.md §2.6, §2.7):
// command, ports, probes and the environment it injects. User settings are merged over it later
// (api/dynamo/podspec.ts).

import type { V1Container, V1EnvVar } from '../core/wire.js';
import type { V1Probe } from '../nvidia.com/v1alpha1/wire.js';
import {
  COMPONENT_DECODE,
  COMPONENT_FRONTEND,
  COMPONENT_PREFILL,
  COMPONENT_WORKER,
  ENV_DYN_COMPONENT,
  ENV_DYN_NAMESPACE,
  ENV_DYNAMO_PORT,
  ENV_HTTP_PORT,
  ENV_PARENT_DGD_NAME,
  ENV_PARENT_DGD_NAMESPACE,
  ENV_POD_NAME,
  ENV_POD_NAMESPACE,
  ENV_SYSTEM_ENABLED,
  ENV_SYSTEM_PORT,
  ENV_SYSTEM_USE_ENDPOINT_HEALTH_STATUS,
  FRONTEND_PORT,
  FRONTEND_PORT_NAME,
  MAIN_CONTAINER,
  SYSTEM_PORT,
  SYSTEM_PORT_NAME,
} from './keys.js';

/** How a componentType shapes the main container. */
export type ComponentKind = 'frontend' | 'worker' | 'other';

/** frontend; worker, prefill and decode share the worker defaults; anything else gets none. */
export function componentKind(componentType: string | undefined): ComponentKind {
  if (componentType === COMPONENT_FRONTEND) return 'frontend';
  if (componentType === COMPONENT_WORKER || componentType === COMPONENT_PREFILL || componentType === COMPONENT_DECODE) {
    return 'worker';
  }
  return 'other';
}

export interface ComponentContext {
  componentType: string | undefined;
  dynamoNamespace: string;
  dgdName: string;
  dgdNamespace: string;
}

const value = (name: string, v: string): V1EnvVar => ({ name, value: v });
const fieldRef = (name: string, fieldPath: string): V1EnvVar => ({ name, valueFrom: { fieldRef: { fieldPath } } });

const httpProbe = (path: string, port: string, timing: Omit<V1Probe, 'httpGet'>): V1Probe => ({ httpGet: { path, port }, ...timing });

/** Probes of a kind's main container; workers also get a startup probe. */
export function defaultProbes(kind: ComponentKind): Pick<V1Container, 'livenessProbe' | 'readinessProbe' | 'startupProbe'> {
  switch (kind) {
    case 'frontend':
      return {
        livenessProbe: httpProbe('/live', FRONTEND_PORT_NAME, { initialDelaySeconds: 15, periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3 }),
        readinessProbe: httpProbe('/health', FRONTEND_PORT_NAME, { initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 }),
      };
    case 'worker':
      return {
        livenessProbe: httpProbe('/live', SYSTEM_PORT_NAME, { periodSeconds: 5, timeoutSeconds: 4, failureThreshold: 1 }),
        readinessProbe: httpProbe('/health', SYSTEM_PORT_NAME, { periodSeconds: 10, timeoutSeconds: 4, failureThreshold: 3 }),
        startupProbe: httpProbe('/live', SYSTEM_PORT_NAME, { periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 720 }),
      };
    case 'other':
      return {};
  }
}

/** The main container before any user setting: name, command, args, ports, probes, environment. */
export function baseContainer(ctx: ComponentContext): V1Container {
  const kind = componentKind(ctx.componentType);
  const env: V1EnvVar[] = [
    value(ENV_DYN_NAMESPACE, ctx.dynamoNamespace),
    value(ENV_PARENT_DGD_NAME, ctx.dgdName),
    value(ENV_PARENT_DGD_NAMESPACE, ctx.dgdNamespace),
    fieldRef(ENV_POD_NAME, 'metadata.name'),
    fieldRef(ENV_POD_NAMESPACE, 'metadata.namespace'),
  ];
  if (ctx.componentType) env.push(value(ENV_DYN_COMPONENT, ctx.componentType));
  const c: V1Container = { name: MAIN_CONTAINER, command: ['/bin/sh', '-c'], env };
  if (kind === 'frontend') {
    c.command = ['python3'];
    c.args = ['-m', 'dynamo.frontend'];
    c.ports = [{ name: FRONTEND_PORT_NAME, containerPort: FRONTEND_PORT, protocol: 'TCP' }];
    env.push(value(ENV_DYNAMO_PORT, String(FRONTEND_PORT)), value(ENV_HTTP_PORT, String(FRONTEND_PORT)));
  } else if (kind === 'worker') {
    c.ports = [{ name: SYSTEM_PORT_NAME, containerPort: SYSTEM_PORT, protocol: 'TCP' }];
    env.push(
      value(ENV_SYSTEM_ENABLED, 'true'),
      value(ENV_SYSTEM_PORT, String(SYSTEM_PORT)),
      value(ENV_SYSTEM_USE_ENDPOINT_HEALTH_STATUS, '["generate"]'),
    );
  }
  return { ...c, ...defaultProbes(kind) };
}
