// PodCliqueSet generation hash and per-clique pod template hash (grove-compat §4.8).
//
// Both hash what a pod is made of: the clique's labels, annotations and effective pod spec (with the
// PodCliqueSet's priorityClassName filled in, see template.ts). Replicas, minAvailable, startsAfter,
// topology and scaling-group settings are left out, so scaling never rolls pods. The strings differ
// from Grove's (FNV over a Go debug dump); only consistency within copse matters, though pods taken
// over from Grove will be rolled once.
//
// Canonical form: JSON with object keys sorted and absent/null fields dropped, so the same template
// read back from the apiserver (key order, omitted empties) hashes the same. Output: the first 16 hex
// digits of its SHA-256, a valid label value.

import { createHash } from 'node:crypto';

import type { PodCliqueSet, PodCliqueTemplateSpec } from '../generated/types.js';
import { cliqueTemplates, effectivePodSpec, findClique } from './template.js';

const HASH_LENGTH = 16;

/** JSON of `value` with sorted object keys; `undefined` and `null` members are left out. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && v !== null)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** First 16 hex digits of the SHA-256 of the canonical JSON of `value`. */
export function stableHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, HASH_LENGTH);
}

/** What a clique's pods are made of; absent and empty label/annotation maps are the same thing. */
function podTemplateOf(pcs: PodCliqueSet, clique: PodCliqueTemplateSpec): unknown {
  return {
    labels: clique.labels ?? {},
    annotations: clique.annotations ?? {},
    spec: effectivePodSpec(pcs, clique),
  };
}

/** `grove.io/pod-template-hash` of the pods of the clique named exactly `cliqueName`. */
export function podTemplateHash(pcs: PodCliqueSet, cliqueName: string): string {
  const clique = findClique(pcs, cliqueName);
  if (!clique) throw new Error(`spec.template.cliques: clique "${cliqueName}" is not defined`);
  return stableHash(podTemplateOf(pcs, clique));
}

/** `status.currentGenerationHash`: one pod template per clique, in template order. */
export function generationHash(pcs: PodCliqueSet): string {
  return stableHash(cliqueTemplates(pcs).map((c) => ({ name: c.name, template: podTemplateOf(pcs, c) })));
}
