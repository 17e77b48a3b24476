// Delegated authorization: every resource request is checked with a SubjectAccessReview against
// kube-apiserver, as the generic apiserver's delegating authorizer does (k8s-wire §1.5). Decisions,
// allow and deny alike, are cached for 10 s by the full request attributes; concurrent identical
// misses share one review. `system:masters` is allowed without a review (the generic server's
// AlwaysAllowGroups). A review that fails is an error (500), never an allow and never cached.
import type { SubjectAccessReview } from '../api/core/wire.js';
import type { DynamicClient } from '../kube/dynamic.js';
import { RESOURCES } from '../kube/resources.js';
import type { UserInfo } from './authn.js';
import { GROUP, VERSION } from './resources.js';

export const ALWAYS_ALLOW_GROUP = 'system:masters';

export interface Attributes {
  user: UserInfo;
  verb: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export interface Decision {
  allowed: boolean;
  /** The authorizer's reason (appended to the Forbidden message). */
  reason?: string;
}

export function subjectAccessReview(a: Attributes): SubjectAccessReview {
  return {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SubjectAccessReview',
    spec: {
      user: a.user.name,
      ...(a.user.uid ? { uid: a.user.uid } : {}),
      groups: a.user.groups,
      ...(Object.keys(a.user.extra).length > 0 ? { extra: a.user.extra } : {}),
      resourceAttributes: {
        verb: a.verb,
        group: GROUP,
        version: VERSION,
        resource: a.resource,
        subresource: a.subresource ?? '',
        namespace: a.namespace ?? '',
        name: a.name ?? '',
      },
    },
  };
}

export type Review = (sar: SubjectAccessReview) => Promise<SubjectAccessReview>;

/** POST the review through copse's client (copse's own identity needs system:auth-delegator). */
export function reviewWith(client: DynamicClient): Review {
  return (sar) => client.create(RESOURCES.subjectAccessReviews, sar);
}

export interface AuthorizerOptions {
  ttlMs?: number;
  maxEntries?: number;
  now?: () => number;
}

export class Authorizer {
  private readonly cache = new Map<string, { decision: Decision; expires: number }>();
  private readonly inflight = new Map<string, Promise<Decision>>();
  private readonly ttl: number;
  private readonly max: number;
  private readonly now: () => number;
  reviews = 0;

  constructor(
    private readonly review: Review,
    opts: AuthorizerOptions = {},
  ) {
    this.ttl = opts.ttlMs ?? 10_000;
    this.max = opts.maxEntries ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  async authorize(a: Attributes): Promise<Decision> {
    if (a.user.groups.includes(ALWAYS_ALLOW_GROUP)) return { allowed: true };
    const key = JSON.stringify(subjectAccessReview(a).spec);
    const hit = this.cache.get(key);
    const now = this.now();
    if (hit && hit.expires > now) return hit.decision;
    if (hit) this.cache.delete(key);
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const p = this.ask(a, key).finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  private async ask(a: Attributes, key: string): Promise<Decision> {
    this.reviews++;
    const res = await this.review(subjectAccessReview(a));
    const st = res.status;
    const decision: Decision = { allowed: st?.allowed === true && st.denied !== true, ...(st?.reason ? { reason: st.reason } : {}) };
    if (this.cache.size >= this.max) {
      // Drop the oldest entries (Map iterates in insertion order).
      for (const k of [...this.cache.keys()].slice(0, Math.ceil(this.max / 10))) this.cache.delete(k);
    }
    this.cache.set(key, { decision, expires: this.now() + this.ttl });
    return decision;
  }
}
