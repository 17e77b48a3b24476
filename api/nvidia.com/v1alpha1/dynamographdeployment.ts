// nvidia.com/v1alpha1 DynamoGraphDeployment (dynamo-dgd.md §1): NVIDIA Dynamo's description of an
// inference graph as named services. copse accepts it as an optional kind and translates it into a
// PodCliqueSet (api/dynamo/translate.ts) the way Dynamo's operator does when Grove is enabled.
//
// The field set is the one of the Dynamo release the Grove announcement used (§0 [A]). Where Dynamo
// embeds Kubernetes core types (extraPodSpec, mainContainer, probes, env vars, resource claims) the
// CRD carries the same structural schemas (from the vendored PodSpec, descriptions dropped), so the
// apiserver validates and prunes those fields exactly as it does for Dynamo's own CRD, at a fraction
// of its 775 KB.

import { CORE } from '../../core/index.js';
import {
  arr,
  bool,
  cel,
  embedded,
  enumOf,
  extend,
  int32,
  map,
  named,
  obj,
  str,
  stringMap,
  typedAs,
  withRules,
} from '../../schema/dsl.js';
import type { JSONSchemaProps, Schema, TsTypeRef } from '../../schema/types.js';
import { conditions, kindRoot } from '../../grove.io/v1alpha1/common.js';

export const BACKEND_FRAMEWORKS = ['sglang', 'vllm', 'trtllm'] as const;

/** Most services one DynamoGraphDeployment may declare. */
export const MAX_SERVICES = 25;

// ---------------------------------------------------------------------------------------------
// Core types, cut out of the vendored PodSpec so they follow it when Kubernetes is bumped.

const WIRE = '../nvidia.com/v1alpha1/wire.js';
const CORE_WIRE = '../core/wire.js';

const podSpecJson: JSONSchemaProps = CORE.PodSpec.schema;

function coreProp(s: JSONSchemaProps | undefined, what: string): JSONSchemaProps {
  if (!s) throw new Error(`vendored PodSpec has no ${what}`);
  return s;
}

const containerJson = coreProp(podSpecJson.properties?.['containers']?.items, 'containers[]');
const probeJson = coreProp(containerJson.properties?.['livenessProbe'], 'container livenessProbe');
const envVarJson = coreProp(containerJson.properties?.['env']?.items, 'container env[]');
const resourceClaimJson = coreProp(containerJson.properties?.['resources']?.properties?.['claims']?.items, 'resources.claims[]');

/**
 * A vendored core schema as a DSL node: emitted as is (with `description` on top), typed in TS as
 * `tsType`. `optional` fields lose `required` (Dynamo strips `name` from mainContainer's), and they
 * and `noDefault` fields lose the vendored `default: ""` that list-map keys carry: controller-gen
 * emits none, and with it the apiserver would store `name: ""` where the user wrote no name.
 */
function core(
  s: JSONSchemaProps,
  description: string,
  tsType: TsTypeRef,
  { optional = [], noDefault = [] }: { optional?: readonly string[]; noDefault?: readonly string[] } = {},
): Schema {
  const { required, properties, ...rest } = s;
  const keep = (required ?? []).filter((r) => !optional.includes(r));
  const props: { [name: string]: JSONSchemaProps } = { ...properties };
  for (const name of [...optional, ...noDefault]) {
    const p = props[name];
    if (p) {
      const { default: _dropped, ...withoutDefault } = p;
      props[name] = withoutDefault;
    }
  }
  const node = { ...rest, properties: props, ...(keep.length ? { required: keep } : {}), description } as unknown as Schema;
  return typedAs(node, tsType);
}

const envVars = (description: string): Schema =>
  arr(core(envVarJson, 'An environment variable (a core/v1 EnvVar).', { name: 'V1EnvVar', from: CORE_WIRE }, { noDefault: ['name'] }), {
    description,
  });

const probe = (description: string): Schema =>
  core(probeJson, `${description} A core/v1 Probe; \`kubectl explain pod.spec.containers.livenessProbe\` documents its fields.`, {
    name: 'V1Probe',
    from: WIRE,
  });

const quantity = (description: string): Schema => ({ 'x-kubernetes-int-or-string': true, description });

// ---------------------------------------------------------------------------------------------
// Per-service spec (DynamoComponentDeploymentSharedSpec)

const resourceItem = (kind: 'request' | 'limit'): Schema =>
  named(
    'DynamoResourceItem',
    obj(
      {
        cpu: str({ description: `CPU ${kind}, a quantity such as "500m" or "2".` }),
        memory: str({ description: `Memory ${kind}, a quantity such as "4Gi".` }),
        gpu: str({
          description:
            `GPU ${kind} per pod (per node for multinode services), a quantity such as "1"; becomes the ` +
            'nvidia.com/gpu resource (or gpuType) of the main container.',
        }),
        gpuType: str({ description: 'Extended resource name for the GPUs instead of nvidia.com/gpu, e.g. "gpu.intel.com/xe".' }),
        custom: stringMap({ description: `Further resource ${kind}s, resource name to quantity, copied verbatim.` }),
      },
      { description: `Resource ${kind}s of the main container of each pod.` },
    ),
  );

const resources: Schema = named(
  'DynamoResources',
  obj(
    {
      requests: resourceItem('request'),
      limits: resourceItem('limit'),
      claims: arr(core(resourceClaimJson, 'A core/v1 ResourceClaim reference (name, request).', { name: 'V1ResourceClaim', from: WIRE }, { noDefault: ['name'] }), {
        description: 'Dynamic resource allocation claims of the main container (names of pod resourceClaims).',
      }),
    },
    { description: 'Requests, limits and resource claims of the main container.' },
  ),
);

const hpaScalingRules = (direction: string): Schema =>
  named(
    'DynamoHPAScalingRules',
    obj(
      {
        policies: arr(
          obj(
            {
              type: str({ description: 'Pods or Percent.' }),
              value: int32({ description: 'Amount of change the policy permits.' }),
              periodSeconds: int32({ description: 'Window in which the policy must hold, in seconds.' }),
            },
            { required: ['type', 'value', 'periodSeconds'], description: 'One scaling policy.' },
          ),
          { listType: 'atomic', description: `Policies for scaling ${direction}.` },
        ),
        selectPolicy: str({ description: 'Which policy wins: Max, Min or Disabled.' }),
        stabilizationWindowSeconds: int32({ description: 'Seconds of past recommendations to consider.' }),
        tolerance: quantity('Ratio of metric change below which no scaling happens.'),
      },
      { description: `HorizontalPodAutoscaler behavior when scaling ${direction}.` },
    ),
  );

const autoscaling: Schema = named(
  'DynamoAutoscaling',
  obj(
    {
      enabled: bool({ description: 'Create a HorizontalPodAutoscaler for this service. Not supported by copse.' }),
      minReplicas: { type: 'integer', description: 'Lower replica bound of the autoscaler.' },
      maxReplicas: { type: 'integer', description: 'Upper replica bound of the autoscaler.' },
      behavior: obj(
        { scaleUp: hpaScalingRules('up'), scaleDown: hpaScalingRules('down') },
        { description: 'Scaling behavior of the autoscaler (autoscaling/v2 HorizontalPodAutoscalerBehavior).' },
      ),
      metrics: arr(embedded(CORE.MetricSpec, { description: 'An autoscaling/v2 MetricSpec.' }), {
        description: 'Metrics the autoscaler scales on.',
      }),
    },
    {
      description:
        "Autoscaling of the service. Dynamo's Grove path ignores it; copse refuses enabled: true rather than " +
        'ignore it silently.',
    },
  ),
);

const ingress: Schema = named(
  'DynamoIngressSpec',
  obj(
    {
      enabled: bool({ description: 'Expose the service through an Ingress or VirtualService. Not supported by copse.' }),
      host: str({ description: 'Base host name routed to the service.' }),
      useVirtualService: bool({ description: 'Create an Istio VirtualService instead of an Ingress.' }),
      virtualServiceGateway: str({ description: 'Gateway the VirtualService attaches to.' }),
      hostPrefix: str({ description: 'Prefix put before the host.' }),
      hostSuffix: str({ description: 'Suffix put after the host.' }),
      annotations: stringMap({ description: 'Annotations of the generated Ingress or VirtualService.' }),
      labels: stringMap({ description: 'Labels of the generated Ingress or VirtualService.' }),
      tls: obj(
        { secretName: str({ description: 'Secret holding the TLS certificate and key.' }) },
        { description: 'TLS settings of the Ingress or VirtualService.' },
      ),
      ingressControllerClassName: str({ description: 'Ingress class, e.g. "nginx".' }),
    },
    { description: 'External exposure of a frontend service.' },
  ),
);

/** CEL twin: a disabled shared memory volume has no size. */
export function sharedMemoryNotDisabledWithSize(self: { disabled?: boolean; size?: unknown }): boolean {
  return !(self.disabled === true && self.size !== undefined);
}

const sharedMemory: Schema = named(
  'DynamoSharedMemorySpec',
  withRules(
    obj(
      {
        disabled: bool({ description: 'Do not mount a memory-backed /dev/shm into the main container.' }),
        size: quantity('Size limit of the /dev/shm emptyDir (default 8Gi).'),
      },
      { description: 'The memory-backed emptyDir mounted at /dev/shm in the main container (8Gi unless set).' },
    ),
    cel(
      'sharedMemoryNotDisabledWithSize',
      { rule: '!(has(self.disabled) && self.disabled && has(self.size))', message: 'size must not be set when shared memory is disabled' },
      sharedMemoryNotDisabledWithSize,
    ),
  ),
);

const volumeMount: Schema = named(
  'DynamoVolumeMount',
  obj(
    {
      name: str({ description: 'Name of a PersistentVolumeClaim listed in spec.pvcs; also the pod volume name.' }),
      mountPoint: str({
        description: 'Where to mount the claim in the main container. Optional only for a vLLM compilation cache (default /root/.cache/vllm).',
      }),
      useAsCompilationCache: bool({
        default: false,
        description: 'Use the volume as the backend compilation cache (vLLM: sets VLLM_CACHE_ROOT to the mount point).',
      }),
    },
    { required: ['name'], description: 'A PersistentVolumeClaim of spec.pvcs mounted into the main container.' },
  ),
);

const { required: _podSpecRequired, ...podSpecOptional } = podSpecJson;

const extraPodSpec: Schema = typedAs(
  {
    ...(podSpecOptional as unknown as Schema),
    properties: {
      ...(podSpecJson.properties as unknown as { [name: string]: Schema }),
      mainContainer: core(
        containerJson,
        'Overrides of the generated "main" container (a core/v1 Container without required fields): every field ' +
          'given replaces the default (command, args, image, probes, ports, ...), env entries are merged by name. ' +
          'Its name is ignored: the container is always called "main".',
        { name: 'V1Container', from: CORE_WIRE },
        { optional: ['name'] },
      ),
    },
    description:
      'Pod spec overrides (any core/v1 PodSpec field; `kubectl explain pod.spec` documents them) merged over the ' +
      'generated pod spec, plus mainContainer. Containers listed here run next to "main".',
  },
  { name: 'ExtraPodSpec', from: WIRE },
);

export const dynamoServiceSpec: Schema = named(
  'DynamoComponentDeploymentSharedSpec',
  obj(
    {
      annotations: stringMap({ description: "Annotations of the service's pods (set on its PodClique template)." }),
      labels: stringMap({ description: "Labels of the service's pods (set on its PodClique template)." }),
      serviceName: str({ description: 'Name of the component. Not used by the Grove translation.' }),
      componentType: str({
        description:
          'Role of the service: frontend, worker, prefill or decode pick the container defaults (command, ports, ' +
          'probes, environment); other values get a plain /bin/sh -c container. planner is not supported by copse.',
      }),
      subComponentType: str({ description: 'Sub-role (e.g. "prefill"), recorded as the nvidia.com/dynamo-sub-component-type label.' }),
      dynamoNamespace: str({
        description:
          'Deprecated and ignored: the Dynamo namespace is always <kubernetes namespace>-<deployment name> (or ' +
          '"dynamo" with globalDynamoNamespace).',
      }),
      globalDynamoNamespace: bool({ description: 'Place the service in the global Dynamo namespace "dynamo".' }),
      resources,
      autoscaling,
      envs: envVars('Environment variables of the main container; they win over spec.envs of the same name.'),
      envFromSecret: str({ description: 'Secret whose keys become environment variables of the main container (envFrom).' }),
      volumeMounts: arr(volumeMount, { description: 'PersistentVolumeClaims of spec.pvcs to mount into the main container.' }),
      ingress,
      modelRef: named(
        'DynamoModelReference',
        obj(
          {
            name: str({ description: 'Base model identifier, e.g. "llama-3-70b-instruct-v1".' }),
            revision: str({ description: 'Model revision.' }),
          },
          { required: ['name'], description: 'The model this service serves. Not supported by copse.' },
        ),
      ),
      sharedMemory,
      extraPodMetadata: named(
        'DynamoExtraPodMetadata',
        obj(
          {
            annotations: stringMap({ description: "Annotations of the service's pods (win over the service annotations)." }),
            labels: stringMap({ description: "Labels of the service's pods (win over the service labels)." }),
          },
          { description: "Labels and annotations added to the service's pods." },
        ),
      ),
      extraPodSpec,
      livenessProbe: probe('Liveness probe of the main container, replacing the default one.'),
      readinessProbe: probe('Readiness probe of the main container, replacing the default one.'),
      replicas: int32({
        minimum: 0,
        description:
          'Number of pods (single-node) or of leader+worker groups (multinode). Defaults to 1. Changes reach the ' +
          'PodClique or PodCliqueScalingGroup through its scale subresource.',
      }),
      multinode: named(
        'DynamoMultinodeSpec',
        obj(
          {
            nodeCount: int32({
              default: 2,
              minimum: 2,
              description: 'Nodes per replica: one leader pod and nodeCount-1 worker pods, scaled together.',
            }),
          },
          { required: ['nodeCount'], description: 'Spread each replica over several nodes (a leader clique and a worker clique in a scaling group).' },
        ),
      ),
    },
    { description: 'One service of the graph: its container, pods and scale.' },
  ),
);

// ---------------------------------------------------------------------------------------------
// Graph spec and status

/** CEL twin: a PVC to be created needs a size, a storage class and an access mode. */
export function pvcCreateHasSizeClassAndMode(self: { create?: boolean; size?: unknown; storageClass?: string; volumeAccessMode?: string }): boolean {
  return self.create !== true || (self.size !== undefined && self.storageClass !== undefined && self.volumeAccessMode !== undefined);
}

const pvc: Schema = named(
  'DynamoPVC',
  withRules(
    obj(
      {
        create: bool({ description: 'Create the claim (not supported by copse: create it beforehand and leave this false).' }),
        name: str({ description: 'Name of the PersistentVolumeClaim, referenced by services[].volumeMounts[].name.' }),
        storageClass: str({ description: 'Storage class of a claim to create.' }),
        size: quantity('Size of a claim to create.'),
        volumeAccessMode: str({ description: 'Access mode of a claim to create, e.g. ReadWriteMany.' }),
      },
      { required: ['name'], description: 'A PersistentVolumeClaim that services can mount.' },
    ),
    cel(
      'pvcCreateHasSizeClassAndMode',
      {
        rule: '!has(self.create) || self.create == false || (has(self.size) && has(self.storageClass) && has(self.volumeAccessMode))',
        message: 'When create is true, size, storageClass, and volumeAccessMode are required',
      },
      pvcCreateHasSizeClassAndMode,
    ),
  ),
);

export const dynamoGraphDeploymentSpec: Schema = named(
  'DynamoGraphDeploymentSpec',
  obj(
    {
      services: extend(
        map(dynamoServiceSpec, {
          description:
            'The services of the graph by name (case kept, e.g. VllmDecodeWorker). Each becomes a clique named ' +
            'after the lowercased name (multinode: <name>-ldr and <name>-wkr in a scaling group).',
        }),
        { maxProperties: MAX_SERVICES },
      ),
      envs: envVars('Environment variables of every main container; a service env of the same name wins.'),
      backendFramework: enumOf(BACKEND_FRAMEWORKS, {
        description: 'Inference backend. When absent it is detected from the worker commands (python3 -m dynamo.vllm, ...).',
      }),
      pvcs: arr(pvc, { maxItems: 100, description: 'PersistentVolumeClaims the services may mount (services[].volumeMounts).' }),
    },
    { description: 'Desired state of a DynamoGraphDeployment.' },
  ),
);

export const dynamoGraphDeploymentStatus: Schema = named(
  'DynamoGraphDeploymentStatus',
  obj(
    {
      state: str({ description: 'Lifecycle state: pending until every service is ready, then successful; failed on errors.' }),
      conditions: conditions('Ready (all services ready) and other conditions of the deployment.'),
    },
    { description: 'Observed state of a DynamoGraphDeployment.' },
  ),
);

export const dynamoGraphDeployment: Schema = kindRoot(
  'DynamoGraphDeployment',
  'A DynamoGraphDeployment describes an NVIDIA Dynamo inference graph (frontend, prefill and decode workers, ...) ' +
    'as named services; copse runs it as one PodCliqueSet.',
  { ...dynamoGraphDeploymentSpec, description: 'Desired state of the graph deployment.' },
  { ...dynamoGraphDeploymentStatus, description: 'Observed state of the graph deployment, written by the controller.' },
);
