// The reconcilers' unit-test harness: the server's controllers registered on a Manager whose
// informers are fed from memory (memory-client.ts), synced, and shut down after each test. A test
// calls one reconciler directly and looks at the writes it asked for.
import { afterEach } from 'vitest';
import { controllerConfig, parseServeOptions } from '../../cli/serve.js';
import { type CopseControllers, registerControllers } from '../../controllers/index.js';
import { Manager } from '../../controllers/runtime/manager.js';
import type { ObjectLike } from '../../kube/dynamic.js';
import { createLogger } from '../../kube/log.js';
import { type Write, memoryClient } from './memory-client.js';

export const silentLog = createLogger('silent');

/** What the client was asked to do (see memoryClient). */
export interface Recorded {
  writes: Write[];
  patches: unknown[];
  statuses: ObjectLike[];
  applied: ObjectLike[];
}

export interface Harness extends Recorded {
  manager: Manager;
  controllers: CopseControllers;
}

/**
 * Call at the top of a `describe`: returns `start(objects)`, which registers the controllers over
 * `objects` (by plural resource name) and resolves once their caches are synced. Arrays passed in
 * `into` receive the recordings; fresh ones are made otherwise. Every started manager is shut down
 * after each test. `opts.native` gives the controllers the native backend (gangs looked up through it).
 */
export function controllerHarness(opts: { native?: Parameters<typeof controllerConfig>[1] } = {}): (objects: ReadonlyMap<string, readonly ObjectLike[]>, into?: Partial<Recorded>) => Promise<Harness> {
  const started: Manager[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((m) => m.informers.shutdown()));
  });
  return async (objects, into = {}) => {
    const rec: Recorded = { writes: into.writes ?? [], patches: into.patches ?? [], statuses: into.statuses ?? [], applied: into.applied ?? [] };
    const manager = new Manager({ client: memoryClient(objects, rec.writes, rec.patches, rec.statuses, rec.applied), log: silentLog });
    started.push(manager);
    const controllers = registerControllers(manager, controllerConfig(parseServeOptions([], {}), opts.native), silentLog);
    manager.informers.start();
    await manager.informers.waitForSync();
    return { manager, controllers, ...rec };
  };
}
