// The pod spec of one clique of a DynamoGraphDeployment service, built in the order of Dynamo's
// operator (dynamo-dgd.md §2.5): component defaults, mainContainer overrides, graph and service env,
// probes, resources, envFrom, platform env, volumes and shared memory, backend launch, base pod
// settings with extraPodSpec merged over them, and `main` after the user's own containers.

import type { V1Container, V1EnvVar, V1PodSpec, V1Volume } from '../core/wire.js';
import type { DynamoComponentDeploymentSharedSpec, DynamoGraphDeployment, DynamoResourceItem } from '../generated/types.js';
import type { ExtraPodSpec } from '../nvidia.com/v1alpha1/wire.js';
import type { Backend } from './backend.js';
import { baseContainer } from './components.js';
import {
  DEFAULT_FS_GROUP,
  DEFAULT_GPU_RESOURCE,
  DEFAULT_SHARED_MEMORY_SIZE,
  DEFAULT_TERMINATION_GRACE_SECONDS,
  ENV_DISCOVERY_BACKEND,
  ENV_ETCD_ENDPOINTS,
  ENV_MODEL_EXPRESS_URL,
  ENV_NATS_SERVER,
  ENV_PROMETHEUS_ENDPOINT,
  ENV_VLLM_CACHE_ROOT,
  MAIN_CONTAINER,
  SHARED_MEMORY_MOUNT_PATH,
  SHARED_MEMORY_VOLUME,
  VLLM_CACHE_DEFAULT_MOUNT,
} from './keys.js';

/** Addresses of the Dynamo platform the operator injects into every main container when configured. */
export interface PlatformEnv {
  natsServer?: string;
  etcdEndpoints?: string;
  modelExpressUrl?: string;
  prometheusEndpoint?: string;
  /** Service discovery backend (`etcd`); injected as DYN_DISCOVERY_BACKEND when set. */
  discoveryBackend?: string;
}

/** Which clique of a service: the only one (single-node), or the leader or workers of a multinode service. */
export type CliqueRole = 'single' | 'leader' | 'worker';

export interface PodSpecInput {
  dgd: DynamoGraphDeployment;
  service: string;
  svc: DynamoComponentDeploymentSharedSpec;
  role: CliqueRole;
  dynamoNamespace: string;
  backend: Backend | undefined;
  /** Command and args of a multinode leader or worker (api/dynamo/backend.ts). */
  launch?: Pick<V1Container, 'command' | 'args'>;
  platform: PlatformEnv;
  /** Pull secrets found for the main container's image (the shell looks them up). */
  imagePullSecrets: readonly string[];
}

/** Go's "empty value": what a mergo override leaves alone. */
function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.keys(v).length === 0;
}

const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Env lists merged by name (later lists win), sorted by name as the operator leaves them. */
export function mergeEnv(...lists: (readonly V1EnvVar[] | undefined)[]): V1EnvVar[] {
  const out = new Map<string, V1EnvVar>();
  for (const list of lists) for (const e of list ?? []) out.set(e.name, e);
  return [...out.values()].sort(byName);
}

/**
 * mainContainer over the defaults: every non-empty field replaces the default wholesale, except `env`
 * (merged by name) and `name` (always "main").
 */
export function overrideContainer(base: V1Container, main: ExtraPodSpec['mainContainer']): V1Container {
  const out: V1Container = { ...base };
  for (const [key, v] of Object.entries(main ?? {}) as [keyof V1Container, unknown][]) {
    if (key === 'name' || key === 'env' || isEmpty(v)) continue;
    (out as unknown as Record<string, unknown>)[key] = v;
  }
  out.env = mergeEnv(base.env, main?.env);
  return out;
}

/** Command and args of the merged main container of a service (for the multinode launch). */
export function mainContainerCommand(base: V1Container, svc: DynamoComponentDeploymentSharedSpec): Pick<V1Container, 'command' | 'args'> {
  const c = overrideContainer(base, svc.extraPodSpec?.mainContainer);
  return { command: c.command, args: c.args };
}

function resourceList(item: DynamoResourceItem | undefined, existing: { [k: string]: string } | undefined): { [k: string]: string } | undefined {
  if (!item) return existing;
  const out = { ...existing };
  if (item.cpu) out['cpu'] = item.cpu;
  if (item.memory) out['memory'] = item.memory;
  if (item.gpu) out[item.gpuType || DEFAULT_GPU_RESOURCE] = item.gpu;
  for (const [k, v] of Object.entries(item.custom ?? {})) out[k] = v;
  return Object.keys(out).length ? out : undefined;
}

function applyResources(c: V1Container, svc: DynamoComponentDeploymentSharedSpec): void {
  const r = svc.resources;
  if (!r) return;
  const res = { ...c.resources };
  const requests = resourceList(r.requests, res.requests);
  const limits = resourceList(r.limits, res.limits);
  if (requests) res.requests = requests;
  if (limits) res.limits = limits;
  if (r.claims?.length) res.claims = r.claims;
  if (Object.keys(res).length) c.resources = res;
}

function platformEnv(p: PlatformEnv): V1EnvVar[] {
  const pairs: [string, string | undefined][] = [
    [ENV_NATS_SERVER, p.natsServer],
    [ENV_ETCD_ENDPOINTS, p.etcdEndpoints],
    [ENV_MODEL_EXPRESS_URL, p.modelExpressUrl],
    [ENV_PROMETHEUS_ENDPOINT, p.prometheusEndpoint],
    [ENV_DISCOVERY_BACKEND, p.discoveryBackend],
  ];
  return pairs.filter((e): e is [string, string] => !!e[1]).map(([name, value]) => ({ name, value }));
}

/** Volumes and mounts for spec.pvcs claims and the shared memory, plus compilation-cache env. */
function volumes(input: PodSpecInput): { volumes: V1Volume[]; mounts: NonNullable<V1Container['volumeMounts']>; env: V1EnvVar[] } {
  const { svc } = input;
  const out = { volumes: [] as V1Volume[], mounts: [] as NonNullable<V1Container['volumeMounts']>, env: [] as V1EnvVar[] };
  for (const m of svc.volumeMounts ?? []) {
    let mountPath = m.mountPoint ?? '';
    if (m.useAsCompilationCache && input.backend === 'vllm') {
      mountPath ||= VLLM_CACHE_DEFAULT_MOUNT;
      out.env.push({ name: ENV_VLLM_CACHE_ROOT, value: mountPath });
    }
    out.volumes.push({ name: m.name, persistentVolumeClaim: { claimName: m.name } });
    out.mounts.push({ name: m.name, mountPath });
  }
  if (svc.sharedMemory?.disabled !== true) {
    const size = String(svc.sharedMemory?.size ?? DEFAULT_SHARED_MEMORY_SIZE);
    out.volumes.push({ name: SHARED_MEMORY_VOLUME, emptyDir: { medium: 'Memory', sizeLimit: size } });
    out.mounts.push({ name: SHARED_MEMORY_VOLUME, mountPath: SHARED_MEMORY_MOUNT_PATH });
  }
  return out;
}

/** The main container of one clique. */
export function mainContainer(input: PodSpecInput): V1Container {
  const { dgd, svc } = input;
  const c = overrideContainer(
    baseContainer({
      componentType: svc.componentType,
      dynamoNamespace: input.dynamoNamespace,
      dgdName: dgd.metadata.name ?? '',
      dgdNamespace: dgd.metadata.namespace ?? '',
    }),
    svc.extraPodSpec?.mainContainer,
  );
  const vol = volumes(input);
  c.env = mergeEnv(c.env, dgd.spec.envs, svc.envs, platformEnv(input.platform), vol.env);
  if (svc.livenessProbe) c.livenessProbe = svc.livenessProbe;
  if (svc.readinessProbe) c.readinessProbe = svc.readinessProbe;
  applyResources(c, svc);
  if (svc.envFromSecret) c.envFrom = [...(c.envFrom ?? []), { secretRef: { name: svc.envFromSecret } }];
  if (vol.mounts.length) c.volumeMounts = [...(c.volumeMounts ?? []), ...vol.mounts];
  if (input.launch) {
    c.command = input.launch.command;
    c.args = input.launch.args;
  }
  if (input.role === 'worker') {
    delete c.livenessProbe;
    delete c.readinessProbe;
    delete c.startupProbe;
  }
  return c;
}

/** The pod spec of one clique: base settings, extraPodSpec over them, then `main` after the user's containers. */
export function cliquePodSpec(input: PodSpecInput): V1PodSpec {
  const { svc } = input;
  const { mainContainer: _main, ...extra } = svc.extraPodSpec ?? {};
  const spec: V1PodSpec = {
    containers: [],
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: DEFAULT_TERMINATION_GRACE_SECONDS,
    securityContext: { fsGroup: DEFAULT_FS_GROUP },
  };
  for (const [key, v] of Object.entries(extra) as [keyof V1PodSpec, unknown][]) {
    if (!isEmpty(v)) (spec as unknown as Record<string, unknown>)[key] = v;
  }
  const vol = volumes(input);
  if (vol.volumes.length) spec.volumes = [...(extra.volumes ?? []), ...vol.volumes];
  const pullSecrets = [...(extra.imagePullSecrets ?? [])];
  for (const name of input.imagePullSecrets) if (!pullSecrets.some((s) => s.name === name)) pullSecrets.push({ name });
  if (pullSecrets.length) spec.imagePullSecrets = pullSecrets;
  spec.containers = [...(extra.containers ?? []), { ...mainContainer(input), name: MAIN_CONTAINER }];
  return spec;
}
