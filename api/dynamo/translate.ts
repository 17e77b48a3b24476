// DynamoGraphDeployment → PodCliqueSet (+ the frontend Services), as Dynamo's operator does when Grove
// is enabled (dynamo-dgd.md §2, walkthrough-era release). Pure: the shell supplies the operator
// settings and the image pull secrets it looked up, and applies the result.
//
// A DGD that uses something copse cannot reproduce, or that is invalid, yields field errors and no
// objects: never a partial translation.

import type { FieldError } from '../field-errors.js';
import { fieldPath, required } from '../field-errors.js';
import type { Service, V1OwnerReference, V1PodSpec } from '../core/wire.js';
import type {
  DynamoComponentDeploymentSharedSpec,
  DynamoGraphDeployment,
  PodCliqueScalingGroupConfig,
  PodCliqueSet,
  PodCliqueTemplateSpec,
} from '../generated/types.js';
import { DYNAMO_API_VERSION, GROVE_API_VERSION } from '../kinds.js';
import { validateDynamoGraphDeployment } from '../rules/dynamo/validate.js';
import { asObject, asString } from '../rules/untyped.js';
import { type Backend, gpusPerPod, multinodeLaunch, serviceBackend } from './backend.js';
import { baseContainer, componentKind } from './components.js';
import {
  ANNOTATION_DISABLE_IMAGE_PULL_SECRET_DISCOVERY,
  ANNOTATION_DISCOVERY_BACKEND,
  ANNOTATION_ENABLE_METRICS,
  DEFAULT_TERMINATION_DELAY,
  FRONTEND_PORT,
  FRONTEND_PORT_NAME,
  LABEL_COMPONENT_TYPE,
  LABEL_DYNAMO_NAMESPACE,
  LABEL_GRAPH_DEPLOYMENT_NAME,
  LABEL_METRICS_ENABLED,
  LABEL_SELECTOR,
  LABEL_SUB_COMPONENT_TYPE,
} from './keys.js';
import {
  componentServiceName,
  dynamoNamespace,
  isMultinode,
  leaderCliqueName,
  lowerServiceName,
  nodeCount,
  serviceReplicas,
  sortedServices,
  workerCliqueName,
} from './names.js';
import { type CliqueRole, type PlatformEnv, cliquePodSpec, mainContainerCommand } from './podspec.js';

export interface DynamoTranslateOptions {
  /** Grove terminationDelay of the PodCliqueSet (the operator's setting; default 15m0s). */
  terminationDelay?: string;
  /** Platform addresses and discovery backend the operator injects (none by default). */
  platform?: PlatformEnv;
  /**
   * Pull secrets for a main container image: the docker-config Secrets of the namespace whose registry
   * matches it (I/O, so the shell looks them up). Not consulted when the DGD carries
   * `nvidia.com/disable-image-pull-secret-discovery: "true"`.
   */
  imagePullSecrets?: (image: string) => readonly string[];
}

export type DynamoTranslation =
  | { ok: true; podCliqueSet: PodCliqueSet; services: Service[] }
  | { ok: false; errors: FieldError[] };

/** The owner reference every generated object carries: the DGD, as controller. */
export function dgdOwnerReference(dgd: DynamoGraphDeployment): V1OwnerReference {
  return {
    apiVersion: DYNAMO_API_VERSION,
    kind: 'DynamoGraphDeployment',
    name: dgd.metadata.name ?? '',
    uid: dgd.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

function identityErrors(dgd: DynamoGraphDeployment): FieldError[] {
  const errs: FieldError[] = [];
  for (const key of ['name', 'namespace', 'uid'] as const) {
    if (!dgd.metadata?.[key]) errs.push(required(fieldPath('metadata', key), 'the DynamoGraphDeployment must be read from the API server'));
  }
  return errs;
}

interface Ctx {
  dgd: DynamoGraphDeployment;
  options: DynamoTranslateOptions;
  platform: PlatformEnv;
  annotations: { [k: string]: unknown };
}

function cliqueLabels(ctx: Ctx, svc: DynamoComponentDeploymentSharedSpec, clique: string, dynNs: string): { [k: string]: string } {
  const name = ctx.dgd.metadata.name ?? '';
  const labels: { [k: string]: string } = {
    [LABEL_SELECTOR]: `${name}-${clique}`,
    [LABEL_GRAPH_DEPLOYMENT_NAME]: name,
    [LABEL_DYNAMO_NAMESPACE]: dynNs,
  };
  if (svc.componentType) labels[LABEL_COMPONENT_TYPE] = svc.componentType;
  if (svc.subComponentType) labels[LABEL_SUB_COMPONENT_TYPE] = svc.subComponentType;
  if (asString(ctx.annotations[ANNOTATION_ENABLE_METRICS]) !== 'false') labels[LABEL_METRICS_ENABLED] = 'true';
  return { ...labels, ...svc.labels, ...svc.extraPodMetadata?.labels };
}

function cliqueAnnotations(ctx: Ctx, svc: DynamoComponentDeploymentSharedSpec): { [k: string]: string } | undefined {
  const out: { [k: string]: string } = { ...svc.annotations, ...svc.extraPodMetadata?.annotations };
  if (ctx.platform.discoveryBackend) out[ANNOTATION_DISCOVERY_BACKEND] = ctx.platform.discoveryBackend;
  return Object.keys(out).length ? out : undefined;
}

function pullSecrets(ctx: Ctx, svc: DynamoComponentDeploymentSharedSpec): readonly string[] {
  const image = svc.extraPodSpec?.mainContainer?.image;
  if (!image || !ctx.options.imagePullSecrets) return [];
  if (asString(ctx.annotations[ANNOTATION_DISABLE_IMAGE_PULL_SECRET_DISCOVERY]) === 'true') return [];
  return ctx.options.imagePullSecrets(image);
}

interface Role {
  clique: string;
  role: CliqueRole;
  replicas: number;
  podSpec: V1PodSpec;
}

function rolesOf(ctx: Ctx, service: string, svc: DynamoComponentDeploymentSharedSpec, dynNs: string, backend: Backend | undefined): Role[] {
  const common = {
    dgd: ctx.dgd,
    service,
    svc,
    dynamoNamespace: dynNs,
    backend,
    platform: ctx.platform,
    imagePullSecrets: pullSecrets(ctx, svc),
  };
  if (!isMultinode(svc)) {
    // Grove refuses 0 replicas in a template; a service scaled to 0 gets there through the scale step.
    const replicas = Math.max(serviceReplicas(svc), 1);
    return [{ clique: lowerServiceName(service), role: 'single', replicas, podSpec: cliquePodSpec({ ...common, role: 'single' }) }];
  }
  const base = baseContainer({ componentType: svc.componentType, dynamoNamespace: dynNs, dgdName: '', dgdNamespace: '' });
  const launch = multinodeLaunch(backend, service, nodeCount(svc), gpusPerPod(svc), mainContainerCommand(base, svc));
  // unsupportedFeatures() has refused the DGD when the launch is not ok
  if (!launch.ok) throw new Error(`multinode launch of ${service}: ${launch.detail}`);
  return [
    { clique: leaderCliqueName(service), role: 'leader', replicas: 1, podSpec: cliquePodSpec({ ...common, role: 'leader', launch: launch.leader }) },
    {
      clique: workerCliqueName(service),
      role: 'worker',
      replicas: nodeCount(svc) - 1,
      podSpec: cliquePodSpec({ ...common, role: 'worker', launch: launch.worker }),
    },
  ];
}

function frontendService(ctx: Ctx, service: string, dynNs: string): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: componentServiceName(ctx.dgd.metadata.name ?? '', service),
      namespace: ctx.dgd.metadata.namespace,
      ownerReferences: [dgdOwnerReference(ctx.dgd)],
    },
    spec: {
      type: 'ClusterIP',
      selector: { [LABEL_COMPONENT_TYPE]: 'frontend', [LABEL_DYNAMO_NAMESPACE]: dynNs },
      ports: [{ name: FRONTEND_PORT_NAME, port: FRONTEND_PORT, targetPort: FRONTEND_PORT_NAME, protocol: 'TCP' }],
    },
  };
}

/** Cliques, scaling groups and frontend Services of every service, sorted by name. */
function translateServices(ctx: Ctx): { cliques: PodCliqueTemplateSpec[]; groups: PodCliqueScalingGroupConfig[]; services: Service[] } {
  const { dgd } = ctx;
  const cliques: PodCliqueTemplateSpec[] = [];
  const groups: PodCliqueScalingGroupConfig[] = [];
  const services: Service[] = [];
  for (const [service, svc] of sortedServices(dgd)) {
    const dynNs = dynamoNamespace(dgd.metadata.namespace ?? '', dgd.metadata.name ?? '', svc.globalDynamoNamespace);
    const roles = rolesOf(ctx, service, svc, dynNs, serviceBackend(dgd, svc));
    const annotations = cliqueAnnotations(ctx, svc);
    for (const r of roles) {
      cliques.push({
        name: r.clique,
        labels: cliqueLabels(ctx, svc, r.clique, dynNs),
        ...(annotations ? { annotations } : {}),
        spec: { roleName: r.clique, replicas: r.replicas, minAvailable: 1, podSpec: r.podSpec },
      });
    }
    if (isMultinode(svc)) {
      groups.push({
        name: lowerServiceName(service),
        cliqueNames: roles.map((r) => r.clique),
        replicas: Math.max(serviceReplicas(svc), 1),
        minAvailable: 1,
      });
    }
    if (componentKind(svc.componentType) === 'frontend') services.push(frontendService(ctx, service, dynNs));
  }
  return { cliques: cliques.sort(byName), groups: groups.sort(byName), services };
}

const byName = <T extends { name: string }>(a: T, b: T): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * The PodCliqueSet `<dgd>` (one replica, cliques named after the lowercased services, sorted; multinode
 * services as `<svc>-ldr`/`<svc>-wkr` in a scaling group `<svc>`) and a Service `<dgd>-<svc>` on port
 * 8000 for every frontend, all owned by the DGD. Errors name the DGD field at fault.
 */
export function translateDynamoGraphDeployment(dgd: DynamoGraphDeployment, options: DynamoTranslateOptions = {}): DynamoTranslation {
  const errors = [...identityErrors(dgd), ...validateDynamoGraphDeployment(dgd)];
  if (errors.length) return { ok: false, errors };
  const annotations = asObject(dgd.metadata.annotations) ?? {};
  const discovery = asString(annotations[ANNOTATION_DISCOVERY_BACKEND]) || options.platform?.discoveryBackend;
  const ctx: Ctx = { dgd, options, annotations, platform: { ...options.platform, discoveryBackend: discovery || undefined } };
  const name = dgd.metadata.name ?? '';
  const namespace = dgd.metadata.namespace ?? '';

  const { cliques, groups, services } = translateServices(ctx);
  const podCliqueSet: PodCliqueSet = {
    apiVersion: GROVE_API_VERSION,
    kind: 'PodCliqueSet',
    metadata: { name, namespace, ownerReferences: [dgdOwnerReference(dgd)] },
    spec: {
      replicas: 1,
      template: {
        cliqueStartupType: 'CliqueStartupTypeAnyOrder',
        headlessServiceConfig: { publishNotReadyAddresses: true },
        terminationDelay: options.terminationDelay ?? DEFAULT_TERMINATION_DELAY,
        cliques,
        ...(groups.length ? { podCliqueScalingGroups: groups } : {}),
      },
    },
  };
  return { ok: true, podCliqueSet, services };
}
