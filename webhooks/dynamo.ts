// The DynamoGraphDeployment validating webhook: the CRD's own checks, then copse's DGD rules
// (api/rules/dynamo/), so a DGD copse cannot run as a PodCliqueSet is refused at the door with the
// field named, never admitted and then half-deployed.
import { DYNAMO_GROUP } from '../api/kinds.js';
import type { DynamoGraphDeployment } from '../api/generated/types.js';
import { validateDynamoGraphDeployment } from '../api/rules/dynamo/validate.js';
import { validateObject } from '../api/validators.js';
import { allow, deny, denyFieldErrors, type AdmissionDecision, type AdmissionRequest } from './admission.js';

const KIND = 'DynamoGraphDeployment';

/** DGD CREATE and UPDATE; anything else is allowed (DELETE must always work). */
export function validateDynamoGraphDeploymentHandler(req: AdmissionRequest): AdmissionDecision {
  if (req.operation !== 'CREATE' && req.operation !== 'UPDATE') return allow();
  if (req.kind.group !== DYNAMO_GROUP || req.kind.kind !== KIND) {
    return deny(`this webhook admits ${DYNAMO_GROUP}/${KIND} only, got ${req.kind.group ? `${req.kind.group}/` : ''}${req.kind.kind}`, 'BadRequest');
  }
  const obj = req.object as unknown as DynamoGraphDeployment;
  const old = req.operation === 'UPDATE' ? (req.oldObject as unknown as DynamoGraphDeployment | undefined) : undefined;
  const structural = validateObject(KIND, obj, old === undefined ? {} : { old });
  if (structural.length) return denyFieldErrors(structural);
  const errors = validateDynamoGraphDeployment(obj, old);
  return errors.length ? denyFieldErrors(errors) : allow();
}
