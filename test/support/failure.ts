// The KubeError a call fails with; a call that succeeds fails the test.
import { expect } from 'vitest';
import { KubeError } from '../../kube/errors.js';

export async function kubeFailure(p: Promise<unknown>): Promise<KubeError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(KubeError);
    return err as KubeError;
  }
  throw new Error('expected a failure');
}
