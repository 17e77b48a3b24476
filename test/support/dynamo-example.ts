// The Grove announcement's DynamoGraphDeployment (manifests/examples/dynamo-grove.yaml) and the dummy
// Secret next to it, for unit and e2e tests.
import { loadAllYaml } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Secret } from '../../api/core/wire.js';
import type { DynamoGraphDeployment } from '../../api/generated/types.js';

export const DYNAMO_EXAMPLE_FILE = fileURLToPath(new URL('../../manifests/examples/dynamo-grove.yaml', import.meta.url));

/** The documents of the example file, in order: the Secret, then the DynamoGraphDeployment. */
export function dynamoExample(): { secret: Secret; dgd: DynamoGraphDeployment } {
  const docs = loadAllYaml(readFileSync(DYNAMO_EXAMPLE_FILE, 'utf8')) as Array<{ kind?: string }>;
  const secret = docs.find((d) => d.kind === 'Secret');
  const dgd = docs.find((d) => d.kind === 'DynamoGraphDeployment');
  if (!secret || !dgd || docs.length !== 2) throw new Error(`${DYNAMO_EXAMPLE_FILE}: expected one Secret and one DynamoGraphDeployment`);
  return { secret: secret as Secret, dgd: dgd as DynamoGraphDeployment };
}
