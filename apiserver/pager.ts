// Chunked lists (`?limit=N&continue=TOKEN`), as kube-apiserver serves them. kubectl asks for 500
// rows at a time, so a 5,000-node topology list is eleven requests of ~250 KB instead of one of
// 2.6 MB, and each page's latency through the aggregation layer stays that of a small response.
//
// Consistency: kube-apiserver continues a list at the resourceVersion of its first page. Live views
// keep no history of whole lists, so the first page keeps the list it was cut from (references to
// the versioned objects, not copies) for a while; a continue token names that snapshot and the last
// object served. While the snapshot is held the remainder is exactly the rest of that list. Once it
// is gone (expired, evicted, or the server restarted) the answer is kube-apiserver's: 410 Expired,
// whose Status carries a token to continue from the current state instead (an inconsistent
// remainder the client must ask for explicitly).
import { randomBytes } from 'node:crypto';
import type { Versioned } from './live/collection.js';
import { badRequest, expired, type ApiError } from './status.js';

export const CONTINUE_EXPIRED_MESSAGE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

/** What a continue token carries (base64url JSON; opaque to clients). */
interface Token {
  v: 1;
  /** The snapshot; absent in the inconsistent-remainder token of a 410. */
  s?: string;
  /** resourceVersion of the first page, served on every later page of a consistent list. */
  rv: string;
  /** Sort key of the last object served: the remainder starts after it. */
  after: string;
  /** Which list (resource, namespace, selectors): a token is only valid for the list it came from. */
  list: string;
}

interface Snapshot {
  items: readonly Versioned[];
  rv: string;
  list: string;
  expiresAt: number;
}

export interface Page {
  items: readonly Versioned[];
  resourceVersion: string;
  /** Set when more items remain. */
  continue?: string;
  /** How many items remain after this page (only when the list has no selector, as kube-apiserver). */
  remainingItemCount?: number;
}

export interface PageRequest {
  /** Identifies the list: resource, namespace and selectors as sent. */
  list: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  /** Whether a label or field selector narrows the list (remainingItemCount is left out then). */
  selected: boolean;
}

export interface PagerOptions {
  /** How long a first page's list is held for its continuations (kube-apiserver: etcd compaction, 5 min). */
  ttlMs?: number;
  /** At most this many lists are held; the oldest goes first. */
  maxSnapshots?: number;
  now?: () => number;
}

function encode(t: Token): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

function decode(raw: string): Token {
  let t: unknown;
  try {
    t = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw badRequest('invalid continue token: not a token this server issued');
  }
  const o = t as Partial<Token> | null;
  if (!o || o.v !== 1 || typeof o.rv !== 'string' || typeof o.after !== 'string' || typeof o.list !== 'string' || (o.s !== undefined && typeof o.s !== 'string')) {
    throw badRequest('invalid continue token: not a token this server issued');
  }
  return o as Token;
}

/** First index in `items` (sorted by sortKey) whose key sorts after `after`. */
function startAfter(items: readonly Versioned[], after: string): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((items[mid] as Versioned).sortKey <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class Pager {
  private readonly snapshots = new Map<string, Snapshot>();
  private readonly ttlMs: number;
  private readonly max: number;
  private readonly now: () => number;

  constructor(opts: PagerOptions = {}) {
    this.ttlMs = opts.ttlMs ?? 5 * 60_000;
    this.max = opts.maxSnapshots ?? 128;
    this.now = opts.now ?? Date.now;
  }

  /** How many lists are held now (for tests and metrics). */
  held(): number {
    this.expire();
    return this.snapshots.size;
  }

  /**
   * One page of `current()` (the filtered list now, sorted by sortKey, at `currentRv`), or of the
   * snapshot a continue token names. Throws the ApiError kube-apiserver would answer.
   */
  page(req: PageRequest, current: () => readonly Versioned[], currentRv: string): Page {
    this.expire();
    const limit = req.limit !== undefined && req.limit > 0 ? req.limit : undefined;
    if (req.continue === undefined || req.continue === '') {
      const items = current();
      if (limit === undefined || items.length <= limit) return { items, resourceVersion: currentRv };
      const id = this.hold(items, currentRv, req.list);
      return this.cut(items, 0, limit, { v: 1, s: id, rv: currentRv, list: req.list, after: '' }, req.selected);
    }
    if (req.resourceVersion !== undefined && req.resourceVersion !== '' && req.resourceVersion !== '0') {
      throw badRequest('specifying resource version is not allowed when using continue');
    }
    const t = decode(req.continue);
    if (t.list !== req.list) throw badRequest('invalid continue token: it belongs to another list (resource, namespace or selectors differ)');
    if (t.s === undefined) {
      // The inconsistent remainder a 410 offered: from the current state, after the last object served.
      const items = current();
      return this.cut(items, startAfter(items, t.after), limit, { v: 1, rv: currentRv, list: req.list, after: '' }, req.selected, currentRv);
    }
    const snap = this.snapshots.get(t.s);
    if (!snap || snap.list !== req.list) throw this.expiredWithRemainder(t);
    return this.cut(snap.items, startAfter(snap.items, t.after), limit, { ...t }, req.selected, snap.rv);
  }

  private cut(items: readonly Versioned[], from: number, limit: number | undefined, next: Token, selected: boolean, rv = next.rv): Page {
    const end = limit === undefined ? items.length : Math.min(items.length, from + limit);
    const page: Page = { items: items.slice(from, end), resourceVersion: rv };
    // The snapshot stays until it expires: a client may retry its last page.
    if (end >= items.length) return page;
    const last = items[end - 1] as Versioned;
    return {
      ...page,
      continue: encode({ ...next, after: last.sortKey }),
      ...(selected ? {} : { remainingItemCount: items.length - end }),
    };
  }

  private expiredWithRemainder(t: Token): ApiError {
    return expired(CONTINUE_EXPIRED_MESSAGE, encode({ v: 1, rv: t.rv, list: t.list, after: t.after }));
  }

  private hold(items: readonly Versioned[], rv: string, list: string): string {
    while (this.snapshots.size >= this.max) {
      const oldest = this.snapshots.keys().next().value;
      if (oldest === undefined) break;
      this.snapshots.delete(oldest);
    }
    const id = randomBytes(9).toString('base64url');
    this.snapshots.set(id, { items, rv, list, expiresAt: this.now() + this.ttlMs });
    return id;
  }

  private expire(): void {
    const t = this.now();
    // Insertion order is expiry order (one TTL for all).
    for (const [id, s] of this.snapshots) {
      if (s.expiresAt > t) break;
      this.snapshots.delete(id);
    }
  }
}
