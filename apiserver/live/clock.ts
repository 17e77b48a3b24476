// resourceVersions of the live views. One counter for all three resources (as etcd has one revision
// for everything), prefixed with a random epoch of six digits chosen when the process starts. A
// version from another process (a restarted server, another replica behind the Service) therefore
// never parses as ours, and a watch from it gets 410 Expired, so the client relists instead of
// silently missing events. Versions stay decimal strings that grow numerically, in case a client
// compares them (none should: they are opaque).
import { randomInt } from 'node:crypto';

export class ResourceVersionClock {
  readonly epoch: string;
  private counter = 0;

  constructor(epoch?: string) {
    this.epoch = epoch ?? String(randomInt(100_000, 1_000_000));
    if (!/^[1-9]\d{5}$/.test(this.epoch)) throw new Error(`resourceVersion epoch must be six digits, got ${JSON.stringify(this.epoch)}`);
  }

  /** The version of the latest change (0 before the first). */
  get current(): number {
    return this.counter;
  }

  next(): number {
    return ++this.counter;
  }

  format(n: number): string {
    return `${this.epoch}${n}`;
  }

  /** Our counter value for a client's resourceVersion, or undefined when it is not one of ours. */
  parse(rv: string): number | undefined {
    if (rv.length <= 6 || !rv.startsWith(this.epoch) || !/^\d+$/.test(rv)) return undefined;
    const n = Number(rv.slice(6));
    return Number.isSafeInteger(n) && !(rv.length > 7 && rv[6] === '0') ? n : undefined;
  }
}
