// Turns the events a pure status pass asks for into Kubernetes Events on the object.
import type { StatusEvent } from '../api/status/index.js';
import type { ObjectLike } from '../kube/dynamic.js';
import type { EventRecorder } from './runtime/events.js';

const API_VERSION: Record<string, string> = {
  PodCliqueSet: 'grove.io/v1alpha1',
  PodClique: 'grove.io/v1alpha1',
  PodCliqueScalingGroup: 'grove.io/v1alpha1',
  PodGang: 'scheduler.grove.io/v1alpha1',
};

export function recordStatusEvents(recorder: EventRecorder, obj: ObjectLike, kind: keyof typeof API_VERSION, events: readonly StatusEvent[]): void {
  if (events.length === 0) return;
  const involved = { ...obj, apiVersion: API_VERSION[kind], kind };
  for (const e of events) recorder.record(involved, e.type, e.reason, e.message);
}
