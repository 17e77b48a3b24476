// DynamoGraphDeployment admission validation: what the CRD schema cannot say. Everything a valid DGD
// becomes must be accepted downstream (the PodCliqueSet webhook, the pods), so problems are refused
// here, on the DGD field that causes them, instead of surfacing later in the DGD status.
//
// Create rules: at least one service; service names that become valid, distinct, short enough clique
// names (Grove's 45-character budget, dynamo-dgd.md §1.5); a main container image; resource quantities;
// volume mounts that reference spec.pvcs; labels and annotations; and everything copse does not
// support (api/dynamo/support.ts). Update rules (Dynamo's webhook): the backend and the service
// topology (which cliques and scaling groups exist) are immutable, since Grove cannot add or remove
// cliques of a PodCliqueSet.
//
// The input has passed the CRD schema (the apiserver runs it first), but is read defensively: a
// wrongly typed field is skipped, never a crash.

import {
  type FieldError,
  type FieldPath,
  duplicate,
  fieldPath,
  forbidden,
  invalid,
  notFound,
  required,
} from '../../field-errors.js';
import type { DynamoComponentDeploymentSharedSpec, DynamoGraphDeployment, DynamoResourceItem } from '../../generated/types.js';
import { MAX_COMBINED_NAME_LENGTH } from '../../names.js';
import { serviceBackend } from '../../dynamo/backend.js';
import { isMultinode, leaderCliqueName, lowerServiceName, sortedServices, workerCliqueName } from '../../dynamo/names.js';
import { unsupportedFeatures } from '../../dynamo/support.js';
import { isDNS1123Label, validateAnnotations, validateLabels } from '../k8s-names.js';
import { isQuantity } from '../quantity.js';
import { asArray, byteLength, findDuplicates, isObject } from '../untyped.js';

const SERVICES = fieldPath('spec', 'services');
const MSG_QUANTITY = 'must be a resource quantity such as "1", "500m" or "4Gi"';
const MSG_IMMUTABLE = 'field is immutable';

/** Errors of a DynamoGraphDeployment; with `old`, also the update rules. Empty when it is admissible. */
export function validateDynamoGraphDeployment(dgd: DynamoGraphDeployment, old?: DynamoGraphDeployment): FieldError[] {
  const errs: FieldError[] = [];
  const services = sortedServices(dgd);
  if (services.length === 0) errs.push(required(SERVICES, 'a DynamoGraphDeployment needs at least one service'));
  errs.push(...serviceNameErrors(dgd));
  for (const [name, svc] of services) errs.push(...serviceErrors(dgd, name, svc));
  errs.push(...pvcErrors(dgd));
  errs.push(...unsupportedFeatures(dgd));
  if (old) errs.push(...updateErrors(dgd, old));
  return errs;
}

function serviceNameErrors(dgd: DynamoGraphDeployment): FieldError[] {
  const errs: FieldError[] = [];
  const dgdName = dgd.metadata?.name ?? '';
  const seen = new Map<string, string>();
  for (const [name, svc] of sortedServices(dgd)) {
    const path = SERVICES.key(name);
    const lower = lowerServiceName(name);
    const msgs = isDNS1123Label(lower);
    if (msgs.length) {
      errs.push(invalid(path, name, `the lowercased service name ${JSON.stringify(lower)} names a PodClique: ${msgs.join('; ')}`));
      continue;
    }
    const first = seen.get(lower);
    if (first !== undefined) {
      errs.push(invalid(path, name, `lowercases to ${JSON.stringify(lower)} like service ${JSON.stringify(first)}; PodClique names must be unique`));
      continue;
    }
    seen.set(lower, name);
    // pod hostnames <pcs>-<i>-[<pcsg>-<j>-]<clique>-<k> must fit a 63-character DNS label
    const parts = isMultinode(svc) ? [dgdName, lower, leaderCliqueName(name)] : [dgdName, lower];
    const length = parts.reduce((n, p) => n + byteLength(p), 0);
    if (length > MAX_COMBINED_NAME_LENGTH) {
      const what = isMultinode(svc)
        ? `PodCliqueSet ${JSON.stringify(dgdName)}, PodCliqueScalingGroup ${JSON.stringify(lower)} and PodClique ${JSON.stringify(leaderCliqueName(name))}`
        : `PodCliqueSet ${JSON.stringify(dgdName)} and PodClique ${JSON.stringify(lower)}`;
      errs.push(
        invalid(
          path,
          name,
          `combined resource name length ${length} exceeds the ${MAX_COMBINED_NAME_LENGTH}-character limit of Grove pod naming (${what}); shorten the DynamoGraphDeployment or service name`,
        ),
      );
    }
  }
  return errs;
}

function quantityErrors(item: DynamoResourceItem | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!item) return errs;
  for (const key of ['cpu', 'memory', 'gpu'] as const) {
    const v = item[key];
    if (typeof v === 'string' && !isQuantity(v)) errs.push(invalid(path.child(key), v, MSG_QUANTITY));
  }
  for (const [k, v] of Object.entries(item.custom ?? {})) {
    if (typeof v === 'string' && !isQuantity(v)) errs.push(invalid(path.child('custom').key(k), v, MSG_QUANTITY));
  }
  return errs;
}

function serviceErrors(dgd: DynamoGraphDeployment, name: string, svc: DynamoComponentDeploymentSharedSpec): FieldError[] {
  const path = SERVICES.key(name);
  const errs: FieldError[] = [];
  if (!svc.extraPodSpec?.mainContainer?.image) {
    errs.push(required(path.child('extraPodSpec', 'mainContainer', 'image'), 'the main container needs an image'));
  }
  errs.push(...quantityErrors(svc.resources?.requests, path.child('resources', 'requests')));
  errs.push(...quantityErrors(svc.resources?.limits, path.child('resources', 'limits')));
  const shm = svc.sharedMemory?.size;
  if (typeof shm === 'string' && !isQuantity(shm)) errs.push(invalid(path.child('sharedMemory', 'size'), shm, MSG_QUANTITY));
  errs.push(...validateLabels(svc.labels, path.child('labels')));
  errs.push(...validateLabels(svc.extraPodMetadata?.labels, path.child('extraPodMetadata', 'labels')));
  errs.push(...validateAnnotations(svc.annotations, path.child('annotations')));
  errs.push(...validateAnnotations(svc.extraPodMetadata?.annotations, path.child('extraPodMetadata', 'annotations')));

  const pvcs = new Set(pvcNames(dgd));
  const vllm = serviceBackend(dgd, svc) === 'vllm';
  const mounts = objects<NonNullable<DynamoComponentDeploymentSharedSpec['volumeMounts']>[number]>(svc.volumeMounts);
  mounts.forEach((m, i) => {
    const mp = path.child('volumeMounts').index(i);
    if (!pvcs.has(m.name)) errs.push(notFound(mp.child('name'), m.name));
    if (!m.mountPoint && !(m.useAsCompilationCache === true && vllm)) {
      errs.push(required(mp.child('mountPoint'), 'needed unless the volume is a vLLM compilation cache'));
    }
  });
  for (const d of findDuplicates(mounts.map((m) => m.name))) {
    errs.push(duplicate(path.child('volumeMounts').index(mounts.findLastIndex((m) => m.name === d)).child('name'), d));
  }
  return errs;
}

/** The object entries of a list field (absent or wrongly typed reads as none). */
function objects<T>(v: unknown): T[] {
  return (asArray(v) ?? []).map((x) => (isObject(x) ? x : {})) as T[];
}

function pvcNames(dgd: DynamoGraphDeployment): string[] {
  return objects<{ name?: unknown }>(dgd.spec?.pvcs).map((p) => (typeof p.name === 'string' ? p.name : ''));
}

function pvcErrors(dgd: DynamoGraphDeployment): FieldError[] {
  const names = pvcNames(dgd);
  return findDuplicates(names.filter((n) => n !== '')).map((d) => duplicate(fieldPath('spec', 'pvcs').index(names.lastIndexOf(d)).child('name'), d));
}

/** The cliques and scaling groups a DGD's services become: what a PodCliqueSet update cannot change. */
export function serviceTopology(dgd: DynamoGraphDeployment): string[] {
  const out: string[] = [];
  for (const [name, svc] of sortedServices(dgd)) {
    if (isMultinode(svc)) out.push(`${lowerServiceName(name)} (multinode: ${leaderCliqueName(name)}, ${workerCliqueName(name)})`);
    else out.push(lowerServiceName(name));
  }
  return out;
}

function updateErrors(dgd: DynamoGraphDeployment, old: DynamoGraphDeployment): FieldError[] {
  const errs: FieldError[] = [];
  const before = old.spec?.backendFramework ?? '';
  const after = dgd.spec?.backendFramework ?? '';
  if (before !== after) errs.push(invalid(fieldPath('spec', 'backendFramework'), after, MSG_IMMUTABLE));
  const was = serviceTopology(old);
  const is = serviceTopology(dgd);
  if (JSON.stringify(was) !== JSON.stringify(is)) {
    errs.push(
      forbidden(
        SERVICES,
        `service topology is immutable: services cannot be added, removed or switched between single-node and multinode ` +
          `after creation (was ${JSON.stringify(was)}, now ${JSON.stringify(is)})`,
      ),
    );
  }
  return errs;
}
