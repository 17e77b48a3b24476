// Bodies for get and list in each representation (object JSON, Table, PartialObjectMetadata), and
// the watch stream, over a live collection. Objects are serialized once per version (Versioned.json)
// and lists are assembled from those strings, so a list of thousands of objects costs a string join.
import type { Writable } from 'node:stream';
import type { ViewObject } from '../api/views/meta.js';
import type { ResourceVersionClock } from './live/clock.js';
import type { Change, LiveCollection, Versioned } from './live/collection.js';
import type { Representation } from './negotiate.js';
import type { ResourceRequest } from './requestinfo.js';
import { GROUP_VERSION, type ServedResource } from './resources.js';
import type { Page, Pager } from './pager.js';
import { expired, notFound } from './status.js';
import { age, rowCellsJson, rowFragments, TABLES, type TableSpec } from './table.js';

export interface Body {
  code: number;
  json: string;
}

function matches(v: Versioned, r: ResourceRequest): boolean {
  const m = v.object.metadata;
  if (r.namespace !== undefined && m.namespace !== r.namespace) return false;
  if (r.name !== undefined && m.name !== r.name) return false;
  return r.query.labelSelector.matches(m.labels) && r.query.fieldSelector.matches(v.object);
}

function partialJson(metadata: ViewObject['metadata']): string {
  return `{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":${JSON.stringify(metadata)}}`;
}

/** The object's PartialObjectMetadata, serialized once per version. */
function partialOf(v: Versioned): string {
  return (v.partial ??= partialJson(v.object.metadata));
}

/**
 * AGE cells as JSON, one per creation time: a list's rows mostly share a few creation times, and
 * humanDuration is computed once for each within one response.
 */
function ageCells(now: number): (created: string | undefined) => string {
  const seen = new Map<string | undefined, string>();
  return (created) => {
    let j = seen.get(created);
    if (j === undefined) seen.set(created, (j = JSON.stringify(age(created, now))));
    return j;
  };
}

function rowJson(table: TableSpec, v: Versioned, r: ResourceRequest, ageOf: (created: string | undefined) => string): string {
  v.row ??= rowFragments(table, (v.cells ??= table.cells(v.object)));
  const cells = rowCellsJson(table, v.row, ageOf(v.object.metadata.creationTimestamp));
  const include = r.query.includeObject;
  if (include === 'None') return `{"cells":${cells}}`;
  return `{"cells":${cells},"object":${include === 'Object' ? v.json : partialOf(v)}}`;
}

function rowsJson(table: TableSpec, rows: readonly Versioned[], r: ResourceRequest, now: number): string {
  const ageOf = ageCells(now);
  const out = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = rowJson(table, rows[i] as Versioned, r, ageOf);
  return out.join(',');
}

/** ListMeta as JSON: the resourceVersion, and where a list is cut, how to go on. */
function listMetaJson(rv: string, page?: Pick<Page, 'continue' | 'remainingItemCount'>): string {
  const more = page?.continue !== undefined ? `,"continue":${JSON.stringify(page.continue)}` : '';
  const left = page?.remainingItemCount !== undefined ? `,"remainingItemCount":${page.remainingItemCount}` : '';
  return `{"resourceVersion":${JSON.stringify(rv)}${more}${left}}`;
}

function tableJson(resource: ServedResource, rows: readonly Versioned[], r: ResourceRequest, rv: string, now: number, withColumns = true, page?: Page): string {
  const table = TABLES[resource.name];
  const columns = withColumns ? JSON.stringify(table.columns) : '[]';
  return `{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":${listMetaJson(rv, page)},"columnDefinitions":${columns},"rows":[${rowsJson(table, rows, r, now)}]}`;
}

/** GET of one object (or of its status subresource, which is the same object). */
export function getBody(c: LiveCollection, r: ResourceRequest, repr: Representation, now: number): Body {
  const name = r.name ?? '';
  const key = r.namespace !== undefined ? `${r.namespace}/${name}` : name;
  const v = c.get(key);
  if (!v) throw notFound(r.resource.name, name);
  if (repr === 'table') return { code: 200, json: tableJson(r.resource, [v], r, v.object.metadata.resourceVersion ?? '', now) };
  if (repr === 'partial') return { code: 200, json: partialOf(v) };
  return { code: 200, json: v.json };
}

/** The list a request names (for its continue tokens): resource, namespace and selectors as sent. */
function listIdentity(r: ResourceRequest): string {
  return `${r.resource.name}|${r.namespace ?? ''}|${r.query.selectors}`;
}

/** A list, or one page of it when the request has a limit or a continue token (pager.ts). */
export function listBody(c: LiveCollection, clock: ResourceVersionClock, r: ResourceRequest, repr: Representation, now: number, pager: Pager): Body {
  const selected = !r.query.labelSelector.empty || !r.query.fieldSelector.empty;
  const page = pager.page(
    {
      list: listIdentity(r),
      selected,
      ...(r.query.limit !== undefined ? { limit: r.query.limit } : {}),
      ...(r.query.continue !== undefined ? { continue: r.query.continue } : {}),
      ...(r.query.resourceVersion !== undefined ? { resourceVersion: r.query.resourceVersion } : {}),
    },
    () => c.list().filter((v) => matches(v, r)),
    clock.format(clock.current),
  );
  const { items, resourceVersion: rv } = page;
  if (repr === 'table') return { code: 200, json: tableJson(r.resource, items, r, rv, now, true, page) };
  if (repr === 'partial') {
    return { code: 200, json: `{"kind":"PartialObjectMetadataList","apiVersion":"meta.k8s.io/v1","metadata":${listMetaJson(rv, page)},"items":[${items.map(partialOf).join(',')}]}` };
  }
  return { code: 200, json: `{"kind":${JSON.stringify(r.resource.listKind)},"apiVersion":"${GROUP_VERSION}","metadata":${listMetaJson(rv, page)},"items":[${items.map((v) => v.json).join(',')}]}` };
}

// ------------------------------------------------------------------------------------------------
// watch

export interface WatchOptions {
  collection: LiveCollection;
  clock: ResourceVersionClock;
  request: ResourceRequest;
  repr: Representation;
  out: Writable;
  now: () => number;
  /** Default server-side timeout when the client sets none. */
  defaultTimeoutSeconds: number;
  bookmarkIntervalMs: number;
  /** A client this far behind (bytes buffered) is disconnected; it will re-watch. */
  maxBufferedBytes: number;
  onEnd?: (reason: string) => void;
}

/** A change as the watcher sees it: filtered by its selectors, with objects moving in and out. */
export function visibleEvent(ch: Change, r: ResourceRequest): { type: 'ADDED' | 'MODIFIED' | 'DELETED'; v: Versioned } | undefined {
  const now = ch.type !== 'DELETED' && matches(ch.current, r);
  const before = ch.previous !== undefined && matches(ch.previous, r);
  if (ch.type === 'DELETED') return before ? { type: 'DELETED', v: ch.current } : undefined;
  if (now) return { type: before ? 'MODIFIED' : 'ADDED', v: ch.current };
  if (!before || !ch.previous) return undefined;
  // It stopped matching: a DELETED carrying its last matching content at the new version.
  const object = { ...ch.previous.object, metadata: { ...ch.previous.object.metadata, resourceVersion: ch.current.object.metadata.resourceVersion } };
  // Without the previous version's PartialObjectMetadata, which carries its resourceVersion.
  const { partial: _stale, ...previous } = ch.previous;
  return { type: 'DELETED', v: { ...previous, rv: ch.rv, object, json: JSON.stringify(object) } };
}

export interface WatchHandle {
  /** Why the stream ended, once it has. */
  readonly ended: Promise<string>;
  stop(reason: string): void;
}

/**
 * Stream a watch to `out` (the status line and headers already written). Unset, "" and "0" start with
 * a synthetic ADDED for every matching object; a version of ours continues after it; a version that
 * is not ours or was forgotten gets an ERROR event with a 410 Expired Status (the client relists).
 */
export function startWatch(o: WatchOptions): WatchHandle {
  const { collection, clock, request: r } = o;
  let firstTable = true;
  let stopped = false;
  let resolveEnded: (reason: string) => void = () => undefined;
  const ended = new Promise<string>((res) => (resolveEnded = res));

  const write = (type: string, v: Versioned): void => {
    const object = o.repr === 'table' ? tableJson(r.resource, [v], r, v.object.metadata.resourceVersion ?? '', o.now(), firstTable) : v.json;
    if (o.repr === 'table') firstTable = false;
    o.out.write(`{"type":"${type}","object":${object}}\n`);
    if (o.out.writableLength > o.maxBufferedBytes) stop('client too slow');
  };

  const rv = r.query.resourceVersion ?? '';
  let replay: Versioned[] | Change[];
  if (rv === '' || rv === '0') {
    replay = collection.list().filter((v) => matches(v, r));
  } else {
    const since = clock.parse(rv);
    const changes = since === undefined || since > clock.current ? undefined : collection.changesSince(since);
    if (!changes) {
      o.out.write(`{"type":"ERROR","object":${JSON.stringify(expired(`too old resource version: ${rv} (current: ${clock.format(clock.current)})`).status)}}\n`);
      o.out.end();
      resolveEnded('expired');
      o.onEnd?.('expired');
      return { ended, stop: () => undefined };
    }
    replay = changes;
  }
  // Subscribing in the same tick as the replay was taken: no change can fall between the two.
  const unsubscribe = collection.subscribe((changes) => {
    for (const ch of changes) {
      if (stopped) return;
      const e = visibleEvent(ch, r);
      if (e) write(e.type, e.v);
    }
  });
  for (const item of replay) {
    if (stopped) break;
    if ('type' in item && 'current' in item) {
      const e = visibleEvent(item, r);
      if (e) write(e.type, e.v);
    } else write('ADDED', item);
  }

  const bookmark = r.query.allowWatchBookmarks
    ? setInterval(() => {
        o.out.write(`{"type":"BOOKMARK","object":{"kind":${JSON.stringify(r.resource.kind)},"apiVersion":"${GROUP_VERSION}","metadata":{"resourceVersion":${JSON.stringify(clock.format(clock.current))}}}}\n`);
      }, o.bookmarkIntervalMs)
    : undefined;
  bookmark?.unref();
  const seconds = r.query.timeoutSeconds ?? o.defaultTimeoutSeconds;
  const timeout = setTimeout(() => stop('timeout'), seconds * 1000);
  timeout.unref();

  function stop(reason: string): void {
    if (stopped) return;
    stopped = true;
    unsubscribe();
    clearTimeout(timeout);
    if (bookmark) clearInterval(bookmark);
    o.out.end();
    resolveEnded(reason);
    o.onEnd?.(reason);
  }
  o.out.once('close', () => stop('client closed'));
  return { ended, stop };
}
