// What of a DynamoGraphDeployment copse cannot run the way Dynamo's operator would. The translation
// refuses such a DGD rather than translate part of it, and the admission webhook refuses it up front;
// both use this one list. Each error names the field.

import { type FieldError, type FieldPath, fieldPath, forbidden, notSupported } from '../field-errors.js';
import type { DynamoComponentDeploymentSharedSpec, DynamoGraphDeployment } from '../generated/types.js';
import { asArray, asObject, asString } from '../rules/untyped.js';
import { baseContainer, componentKind } from './components.js';
import { type Backend, gpusPerPod, multinodeLaunch, serviceBackend } from './backend.js';
import { ANNOTATION_DISCOVERY_BACKEND, ANNOTATION_ENABLE_GROVE, COMPONENT_PLANNER } from './keys.js';
import { isMultinode, nodeCount, sortedServices } from './names.js';
import { mainContainerCommand } from './podspec.js';

const SUPPORTED_DISCOVERY_BACKENDS = ['etcd'];

function annotationPath(key: string): FieldPath {
  return fieldPath('metadata', 'annotations').key(key);
}

/** Every feature of `dgd` copse does not support, in document order (metadata, pvcs, services by name). */
export function unsupportedFeatures(dgd: DynamoGraphDeployment): FieldError[] {
  const errs = [...unsupportedAnnotations(dgd)];
  (asArray(dgd.spec?.pvcs) ?? []).forEach((pvc, i) => {
    if (asObject(pvc)?.['create'] === true) {
      errs.push(
        forbidden(
          fieldPath('spec', 'pvcs').index(i).child('create'),
          'copse does not create PersistentVolumeClaims; create the claim beforehand and set create to false',
        ),
      );
    }
  });
  for (const [name, svc] of sortedServices(dgd)) errs.push(...unsupportedInService(dgd, name, svc));
  return errs;
}

function unsupportedAnnotations(dgd: DynamoGraphDeployment): FieldError[] {
  const errs: FieldError[] = [];
  const annotations = asObject(dgd.metadata?.annotations) ?? {};
  const grove = asString(annotations[ANNOTATION_ENABLE_GROVE]);
  if (grove !== undefined && grove.toLowerCase() === 'false') {
    errs.push(
      forbidden(
        annotationPath(ANNOTATION_ENABLE_GROVE),
        'copse runs DynamoGraphDeployments only as Grove PodCliqueSets; remove the annotation or set it to "true"',
      ),
    );
  }
  const discovery = asString(annotations[ANNOTATION_DISCOVERY_BACKEND]);
  if (discovery !== undefined && discovery !== '' && !SUPPORTED_DISCOVERY_BACKENDS.includes(discovery)) {
    errs.push(notSupported(annotationPath(ANNOTATION_DISCOVERY_BACKEND), discovery, SUPPORTED_DISCOVERY_BACKENDS));
  }
  return errs;
}

function unsupportedInService(dgd: DynamoGraphDeployment, name: string, svc: DynamoComponentDeploymentSharedSpec): FieldError[] {
  const errs: FieldError[] = [];
  const path = fieldPath('spec', 'services').key(name);
  if (svc.componentType === COMPONENT_PLANNER) {
    errs.push(forbidden(path.child('componentType'), 'the planner component is not supported by copse'));
  }
  if (svc.autoscaling?.enabled === true) {
    errs.push(
      forbidden(path.child('autoscaling', 'enabled'), 'autoscaling is not supported for Grove-backed services; scale through spec.services[].replicas'),
    );
  }
  if (svc.ingress?.enabled === true) {
    errs.push(forbidden(path.child('ingress', 'enabled'), 'copse does not create Ingress or VirtualService objects'));
  }
  if (svc.modelRef !== undefined) {
    errs.push(forbidden(path.child('modelRef'), 'model references (the dynamo-model headless Service) are not supported by copse'));
  }
  const backend = serviceBackend(dgd, svc);
  if (backend !== 'vllm') {
    (asArray(svc.volumeMounts) ?? []).forEach((m, j) => {
      if (asObject(m)?.['useAsCompilationCache'] === true) {
        errs.push(
          forbidden(
            path.child('volumeMounts').index(j).child('useAsCompilationCache'),
            `a compilation cache is supported for the vllm backend only (this service's backend: ${backend ?? 'none'})`,
          ),
        );
      }
    });
  }
  if (isMultinode(svc)) errs.push(...unsupportedMultinode(name, svc, path, backend));
  return errs;
}

function unsupportedMultinode(name: string, svc: DynamoComponentDeploymentSharedSpec, path: FieldPath, backend: Backend | undefined): FieldError[] {
  if (componentKind(svc.componentType) === 'frontend') {
    return [forbidden(path.child('multinode'), 'a frontend cannot be multinode')];
  }
  const main = mainContainerCommand(baseContainer({ componentType: svc.componentType, dynamoNamespace: '', dgdName: '', dgdNamespace: '' }), svc);
  const launch = multinodeLaunch(backend, name, nodeCount(svc), gpusPerPod(svc), main);
  return launch.ok ? [] : [forbidden(path.child('multinode'), launch.detail)];
}
