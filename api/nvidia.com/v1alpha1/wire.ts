// TypeScript types for the pieces of a DynamoGraphDeployment that embed Kubernetes core types. The
// generated interfaces (api/generated/types.ts) refer to these instead of expanding whole PodSpecs.
import type * as k from '@kubernetes/client-node';
import type { V1Container, V1PodSpec, Wire } from '../../core/wire.js';

export type V1Probe = Wire<k.V1Probe>;
export type V1ResourceClaim = Wire<k.CoreV1ResourceClaim>;

/**
 * `extraPodSpec`: any PodSpec field (none required, `containers` included) plus `mainContainer`, a
 * Container whose non-empty fields override the generated `main` container (its name is ignored).
 */
export type ExtraPodSpec = Partial<V1PodSpec> & { mainContainer?: Partial<V1Container> };
