// kube-scheduler's extender wire types (kube-scheduler extender/v1/types.go). The Go structs have no
// json tags, so the keys are the Go field names in PascalCase (k8s-wire §3.1). copse registers as
// nodeCacheCapable, so requests carry NodeNames and never Nodes.
import type { Pod } from '../api/core/wire.js';

export interface ExtenderArgs {
  Pod: Pod;
  Nodes?: { items?: unknown[] } | null;
  NodeNames?: string[] | null;
}

export interface ExtenderFilterResult {
  NodeNames: string[] | null;
  FailedNodes: Record<string, string>;
  FailedAndUnresolvableNodes: Record<string, string>;
  Error: string;
}

export interface HostPriority {
  Host: string;
  Score: number;
}

/** Extender scores lie in 0..10 (MaxExtenderPriority). */
export const MAX_EXTENDER_PRIORITY = 10;

/** Parse an ExtenderArgs body; a message naming the problem when it is not one. */
export function parseExtenderArgs(body: unknown): { ok: true; args: ExtenderArgs & { NodeNames: string[] } } | { ok: false; message: string } {
  if (typeof body !== 'object' || body === null) return { ok: false, message: 'body must be a JSON object (ExtenderArgs)' };
  const b = body as Record<string, unknown>;
  const pod = b['Pod'];
  if (typeof pod !== 'object' || pod === null) return { ok: false, message: 'Pod: required' };
  const names = b['NodeNames'];
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) {
    return { ok: false, message: 'NodeNames: required list of strings (configure the extender with nodeCacheCapable: true)' };
  }
  return { ok: true, args: { Pod: pod as Pod, NodeNames: names as string[] } };
}
