// apiextensions.k8s.io/v1 CustomResourceDefinitions of the kinds, derived from api/kinds.ts.

import { DYNAMO_KIND_NAMES, KIND_NAMES, KINDS } from './kinds.js';
import type { KindInfo, KindName, PrinterColumn } from './kinds.js';
import { sortKeysDeep, toOpenAPI } from './schema/emit.js';
import type { JSONSchemaProps } from './schema/types.js';

/** The CRD object shape we emit (a subset of V1CustomResourceDefinition, JSON wire form). */
export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; labels?: { [k: string]: string }; annotations?: { [k: string]: string } };
  spec: {
    group: string;
    names: { kind: string; listKind: string; plural: string; singular: string; shortNames?: string[] };
    scope: 'Namespaced' | 'Cluster';
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      schema: { openAPIV3Schema: JSONSchemaProps };
      subresources: {
        status: Record<string, never>;
        scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
      };
      additionalPrinterColumns?: PrinterColumn[];
    }[];
  };
}

/** `<plural>.<group>`, e.g. `podcliquesets.grove.io`. */
export function crdName(info: KindInfo): string {
  return `${info.plural}.${info.group}`;
}

/** Build the CRD for one kind. Keys are sorted, so output is deterministic. */
export function buildCrd(kind: KindName): CustomResourceDefinition {
  const info = KINDS[kind];
  const version: CustomResourceDefinition['spec']['versions'][number] = {
    name: info.version,
    served: true,
    storage: true,
    schema: { openAPIV3Schema: toOpenAPI(info.schema) },
    subresources: { status: {} },
    additionalPrinterColumns: info.printerColumns,
  };
  if (info.scale) version.subresources.scale = { ...info.scale };
  const crd: CustomResourceDefinition = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: crdName(info) },
    spec: {
      group: info.group,
      names: {
        kind: info.kind,
        listKind: info.listKind,
        plural: info.plural,
        singular: info.singular,
        shortNames: [...info.shortNames],
      },
      scope: info.scope,
      versions: [version],
    },
  };
  return sortKeysDeep(crd);
}

/** The five Grove CRDs that `copse install` and `kubectl apply -k manifests/` install, in grove-compat §1 order. */
export function allCrds(): CustomResourceDefinition[] {
  return KIND_NAMES.map(buildCrd);
}

/** The optional NVIDIA Dynamo CRDs (DynamoGraphDeployment), installed only on request (manifests/dynamo/). */
export function dynamoCrds(): CustomResourceDefinition[] {
  return DYNAMO_KIND_NAMES.map(buildCrd);
}

/** Size of the CRD as compact JSON, which is what client-side apply stores in its annotation. */
export function crdJsonSize(crd: CustomResourceDefinition): number {
  return Buffer.byteLength(JSON.stringify(crd), 'utf8');
}

/** The annotation limit (`kubectl.kubernetes.io/last-applied-configuration`, 256 KiB). */
export const LAST_APPLIED_LIMIT_BYTES = 262144;
