// Object-metadata helpers shared by the desired-state builders: owner references, required metadata,
// label maps. Pure; a missing field the builders cannot do without is an Error naming the field.

import type { V1ObjectMeta, V1OwnerReference } from '../core/wire.js';
import { GROVE_API_VERSION } from '../kinds.js';
import { LABEL_APP_NAME, LABEL_COMPONENT } from '../keys.js';
import { appNameLabelValue, managedLabels } from '../names.js';

/** Grove kinds that own other objects. */
export type OwnerKind = 'PodCliqueSet' | 'PodCliqueScalingGroup' | 'PodClique';

export type StringMap = { [key: string]: string };

interface HasMetadata {
  metadata?: V1ObjectMeta;
}

/** A description of `obj` for error messages: `Kind ns/name`. */
function describe(kind: string, obj: HasMetadata): string {
  const m = obj.metadata;
  return `${kind} ${m?.namespace ?? ''}/${m?.name ?? ''}`;
}

/** `metadata.name`; an Error naming the field when absent. */
export function requireName(kind: string, obj: HasMetadata): string {
  const name = obj.metadata?.name;
  if (!name) throw new Error(`${describe(kind, obj)}: metadata.name is required`);
  return name;
}

/** `metadata.namespace`; an Error naming the field when absent (defaulting sets it on every PodCliqueSet). */
export function requireNamespace(kind: string, obj: HasMetadata): string {
  const ns = obj.metadata?.namespace;
  if (!ns) throw new Error(`${describe(kind, obj)}: metadata.namespace is required`);
  return ns;
}

/**
 * The controller ownerReference Grove puts on every child: garbage collection deletes the child with its
 * owner, and blockOwnerDeletion makes a foreground delete of the owner wait for it. The uid is required:
 * a reference without it would never match, so the child would be collected at once.
 */
export function controllerRef(kind: OwnerKind, owner: HasMetadata): V1OwnerReference {
  const uid = owner.metadata?.uid;
  if (!uid) throw new Error(`${describe(kind, owner)}: metadata.uid is required to own children`);
  return {
    apiVersion: GROVE_API_VERSION,
    kind,
    name: requireName(kind, owner),
    uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** The controller ownerReference of `obj`, if any. */
export function controllerOf(obj: HasMetadata): V1OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

/** True when `obj`'s controller is the object with `uid`. */
export function isControlledBy(obj: HasMetadata, uid: string): boolean {
  return controllerOf(obj)?.uid === uid;
}

/** A copy of `map` without the keys `drop` accepts. */
export function withoutKeys(map: StringMap | undefined, drop: (key: string) => boolean): StringMap {
  const out: StringMap = {};
  for (const [k, v] of Object.entries(map ?? {})) if (!drop(k)) out[k] = v;
  return out;
}

/**
 * The labels of an object the operator creates for a PodCliqueSet (grove-compat §4.3): managed-by,
 * part-of, app.kubernetes.io/name (the object's name, ':' replaced by '-' as label values require) and
 * the component.
 */
export function objectLabels(pcs: string, objectName: string, component: string): StringMap {
  return {
    ...managedLabels(pcs),
    [LABEL_APP_NAME]: appNameLabelValue(objectName),
    [LABEL_COMPONENT]: component,
  };
}

/** Elements of `items` sorted by a string key, without mutating the input. */
export function sortedBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** An existing child to delete: its name, and its uid for a delete precondition. */
export interface ChildRef {
  name: string;
  uid?: string;
}

export function childRef(obj: HasMetadata): ChildRef {
  const uid = obj.metadata?.uid;
  return { name: obj.metadata?.name ?? '', ...(uid ? { uid } : {}) };
}

/** Being deleted: a deletionTimestamp is set. */
export function isTerminating(obj: HasMetadata): boolean {
  return Boolean(obj.metadata?.deletionTimestamp);
}
