// Kubernetes core types as they are on the wire. copse reads and writes raw JSON (kube/http.ts), so a
// timestamp is an RFC 3339 string, never the `Date` that @kubernetes/client-node's model classes
// declare (they convert only when their own serializer runs). `Wire<T>` turns every Date in a
// client-node type into a string; everything copse handles is typed through these aliases.
import type * as k from '@kubernetes/client-node';

/** A client-node model type with every `Date` replaced by its wire form, an RFC 3339 string. */
export type Wire<T> = T extends Date
  ? string
  : T extends (infer U)[]
    ? Wire<U>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;

export type V1ObjectMeta = Wire<k.V1ObjectMeta>;
/**
 * On the wire the continue token is `continue`; client-node's model names it `_continue` (a reserved
 * word in its generator) and renames it only in its own serializer, which copse does not run.
 */
export type V1ListMeta = Omit<Wire<k.V1ListMeta>, '_continue'> & { continue?: string };
export type V1OwnerReference = Wire<k.V1OwnerReference>;
export type V1PodSpec = Wire<k.V1PodSpec>;
export type V1PodTemplateSpec = Wire<k.V1PodTemplateSpec>;
export type V2MetricSpec = Wire<k.V2MetricSpec>;
export type V1ResourceClaimTemplateSpec = Wire<k.V1ResourceClaimTemplateSpec>;
export type V1Container = Wire<k.V1Container>;
export type V1EnvVar = Wire<k.V1EnvVar>;
export type V1Volume = Wire<k.V1Volume>;
export type V1ResourceRequirements = Wire<k.V1ResourceRequirements>;

export type Pod = Wire<k.V1Pod>;
export type PodStatus = Wire<k.V1PodStatus>;
export type PodCondition = Wire<k.V1PodCondition>;
export type Node = Wire<k.V1Node>;
export type Service = Wire<k.V1Service>;
export type ServiceAccount = Wire<k.V1ServiceAccount>;
export type Secret = Wire<k.V1Secret>;
export type Role = Wire<k.V1Role>;
export type RoleBinding = Wire<k.V1RoleBinding>;
export type HorizontalPodAutoscaler = Wire<k.V2HorizontalPodAutoscaler>;
export type Lease = Wire<k.V1Lease>;
export type CoreEvent = Wire<k.CoreV1Event>;
export type Namespace = Wire<k.V1Namespace>;
export type Scale = Wire<k.V1Scale>;
export type ConfigMap = Wire<k.V1ConfigMap>;
export type SubjectAccessReview = Wire<k.V1SubjectAccessReview>;
export type APIService = Wire<k.V1APIService>;
export type ClusterRole = Wire<k.V1ClusterRole>;
export type ClusterRoleBinding = Wire<k.V1ClusterRoleBinding>;
export type Deployment = Wire<k.V1Deployment>;
export type MutatingWebhookConfiguration = Wire<k.V1MutatingWebhookConfiguration>;
export type ValidatingWebhookConfiguration = Wire<k.V1ValidatingWebhookConfiguration>;
export type CustomResourceDefinition = Wire<k.V1CustomResourceDefinition>;
