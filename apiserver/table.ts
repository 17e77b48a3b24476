// Table output (meta.k8s.io/v1 Table, k8s-wire §1.9): the columns `kubectl get` prints for each
// resource, so the answer is visible without -o yaml. Pure: cells are computed from a view object
// and the time (for AGE). Priority-1 columns appear only with -o wide.
import type { PlacementView, PodCliqueSetView, TopologyDomainView } from '../api/views/index.js';
import { GPU, humanAmount, parseAmount, type ViewResource } from '../api/views/index.js';
import { scheduledCause } from '../api/status/podgang.js';
import type { ResourceName } from './resources.js';

export interface ColumnDefinition {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
}

export type Cell = string | number | boolean;

/** Go's duration.HumanDuration (apimachinery pkg/util/duration), as kubectl prints AGE. */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < -1) return '<invalid>';
  if (s < 0) return '0s';
  if (s < 60 * 2) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 60 * 3) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  if (h < 24 * 8) return h % 24 === 0 ? `${Math.floor(h / 24)}d` : `${Math.floor(h / 24)}d${h % 24}h`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24)}d`;
  if (h < 24 * 365 * 8) {
    const dy = Math.floor(h / 24) % 365;
    return dy === 0 ? `${Math.floor(h / 24 / 365)}y` : `${Math.floor(h / 24 / 365)}y${dy}d`;
  }
  return `${Math.floor(h / 24 / 365)}y`;
}

export function age(created: string | undefined, now: number): string {
  const t = created ? Date.parse(created) : Number.NaN;
  return Number.isNaN(t) ? '<unknown>' : humanDuration(now - t);
}

function col(name: string, description: string, type: ColumnDefinition['type'] = 'string', priority = 0, format = ''): ColumnDefinition {
  return { name, type, format, description, priority };
}

const NAME = col('Name', 'Name of the object (the PodCliqueSet, PodClique or domain it describes).', 'string', 0, 'name');
const AGE = col('Age', 'Time since the source object was created.');

function truncate(s: string, max = 80): string {
  return s.length <= max ? s : `${s.slice(0, max - 3)}...`;
}

function ratio(a: number, b: number): string {
  return `${a}/${b}`;
}

// ------------------------------------------------------------------------------------------------
// podcliquesets

const PCS_COLUMNS = [
  NAME,
  col('Replicas', 'spec.replicas of the PodCliqueSet.', 'integer'),
  col('Phase', 'The least advanced gang phase: Pending, Starting (placed) or Running (ready).'),
  col('Gangs', 'Gangs that are ready, of all gangs.'),
  col('Pods', 'Pods that are ready, of all active pods.'),
  col('Breached', 'Pod groups below their minimum (placed or ready).', 'integer'),
  AGE,
  col('Placed', 'Gangs whose every pod group has its minimum bound to nodes, of all gangs.', 'string', 1),
  col('Waiting', 'PodCliques whose pods wait for startsAfter parents.', 'integer', 1),
  col('Updated', 'Pods running their target template, of all pods; * while a rolling update runs.', 'string', 1),
  col('Reason', 'Why the first gang that is not ready is not: the scheduler\u2019s reason when it is not placed.', 'string', 1),
];

function pcsReason(v: PodCliqueSetView): string {
  for (const r of v.status.replicas) {
    for (const g of r.gangs) {
      // The short pod groups are in the other columns; the cause is what the column is for.
      if (g.pending) return truncate(`${g.name}: ${g.pending.reason}: ${scheduledCause(g.pending.message)}`, 160);
      if (g.notReady) return truncate(`${g.name}: ${g.notReady}`, 160);
    }
  }
  return '';
}

function pcsCells(v: PodCliqueSetView): Cell[] {
  const s = v.status.summary;
  const u = v.status.update;
  return [
    v.metadata.name,
    v.spec.replicas,
    v.status.phase,
    ratio(s.gangsReady, s.gangs),
    ratio(s.podsReady, s.pods),
    s.podGroupsBreached,
    ratio(s.gangsPlaced, s.gangs),
    s.podCliquesWaiting,
    `${ratio(u.updatedPods, u.pods)}${u.inProgress ? '*' : ''}`,
    pcsReason(v),
  ];
}

// ------------------------------------------------------------------------------------------------
// placements

const PLACEMENT_COLUMNS = [
  NAME,
  col('PodCliqueSet', 'The PodCliqueSet.'),
  col('Replica', 'PodCliqueSet replica index.', 'integer'),
  col('Role', 'spec.roleName of the PodClique.'),
  col('Placed', 'Pods bound to nodes, of all active pods.'),
  col('Nodes', 'Nodes the pods are on.', 'integer'),
  col('Domain', 'The narrowest topology domain (below host) holding every placed pod, or how many the pods span at the broadest level.'),
  col('Pack', 'Pack constraints met, of all that cover these pods (Violated or Unknown named).'),
  AGE,
  col('Gang', 'The PodGang.', 'string', 1),
  col('Node Names', 'The nodes, in order.', 'string', 1),
];

function placementDomain(v: PlacementView): string {
  const levels = v.status.levels.filter((l) => l.key !== 'kubernetes.io/hostname');
  if (v.status.placed === 0 || levels.length === 0) return '';
  for (let i = levels.length - 1; i >= 0; i--) {
    const l = levels[i];
    if (l && l.values.length === 1) return `${l.level}=${l.values[0]}`;
  }
  const broadest = levels[0];
  return broadest ? `${broadest.values.length} ${broadest.level}s` : '';
}

function packCell(v: PlacementView): string {
  const c = v.status.constraints;
  if (c.length === 0) return '-';
  const met = c.filter((x) => x.state === 'Met').length;
  const bad = c.filter((x) => x.state !== 'Met').map((x) => `${x.level} ${x.type} ${x.state}`);
  return bad.length === 0 ? `${met}/${c.length} Met` : `${met}/${c.length} Met (${bad.join(', ')})`;
}

function placementCells(v: PlacementView): Cell[] {
  return [
    v.metadata.name,
    v.spec.podCliqueSet,
    v.spec.replica ?? 0,
    v.spec.role,
    ratio(v.status.placed, v.status.pods),
    v.status.nodes.length,
    placementDomain(v),
    packCell(v),
    v.spec.podGang ?? '',
    truncate(v.status.nodes.map((n) => n.name).join(',')),
  ];
}

// ------------------------------------------------------------------------------------------------
// topologydomains

const TOPOLOGY_COLUMNS = [
  NAME,
  col('Level', 'Topology level.'),
  col('Nodes', 'Nodes in the domain.', 'integer'),
  col('GPU Free', 'Free nvidia.com/gpu on schedulable nodes, of allocatable.'),
  col('GPU Max/Node', 'The most nvidia.com/gpu any one node has free.', 'integer'),
  col('CPU Free', 'Free CPU cores on schedulable nodes, of allocatable.'),
  col('Memory Free', 'Free memory on schedulable nodes, of allocatable.'),
  col('Pods', 'Pods holding resources in the domain.', 'integer'),
  col('Gangs', 'Gangs with pods in the domain.', 'integer'),
  col('Schedulable', 'Nodes that are Ready and not cordoned.', 'integer', 1),
  col('Gang Names', 'The gangs, as namespace/name.', 'string', 1),
];

function amount(r: ViewResource, q: string): number {
  return parseAmount(r, q) ?? 0;
}

function freeOf(v: TopologyDomainView, r: ViewResource): string {
  return `${humanAmount(r, amount(r, v.status.free[r]))}/${humanAmount(r, amount(r, v.status.allocatable[r]))}`;
}

function topologyCells(v: TopologyDomainView): Cell[] {
  return [
    v.metadata.name,
    v.spec.level,
    v.status.nodes,
    freeOf(v, GPU),
    amount(GPU, v.status.largestNodeFree[GPU]),
    freeOf(v, 'cpu'),
    freeOf(v, 'memory'),
    v.status.pods,
    v.status.gangs.length,
    v.status.schedulableNodes,
    truncate(v.status.gangs.join(',')),
  ];
}

// ------------------------------------------------------------------------------------------------

export interface TableSpec {
  columns: readonly ColumnDefinition[];
  /** Index of AGE among the columns (cells() leaves it out), or -1. */
  ageIndex: number;
  /** Every cell but AGE, in column order. */
  cells(obj: unknown): Cell[];
}

function spec<T>(columns: ColumnDefinition[], cells: (v: T) => Cell[]): TableSpec {
  return { columns, ageIndex: columns.indexOf(AGE), cells: (o) => cells(o as T) };
}

export const TABLES: Readonly<Record<ResourceName, TableSpec>> = {
  podcliquesets: spec(PCS_COLUMNS, pcsCells),
  placements: spec(PLACEMENT_COLUMNS, placementCells),
  topologydomains: spec(TOPOLOGY_COLUMNS, topologyCells),
};

/** All cells of a row, AGE inserted where its column is. */
export function rowCells(table: TableSpec, cellsWithoutAge: readonly Cell[], created: string | undefined, now: number): Cell[] {
  if (table.ageIndex < 0) return [...cellsWithoutAge];
  return [...cellsWithoutAge.slice(0, table.ageIndex), age(created, now), ...cellsWithoutAge.slice(table.ageIndex)];
}

/**
 * A row's cells as JSON around the AGE cell, so a row is served by concatenation: `[before,AGE,after]`
 * (either side may be empty). Only AGE depends on the time; the rest changes with the object.
 */
export interface RowFragments {
  before: string;
  after: string;
}

export function rowFragments(table: TableSpec, cellsWithoutAge: readonly Cell[]): RowFragments {
  const json = (cells: readonly Cell[]) => cells.map((c) => JSON.stringify(c)).join(',');
  if (table.ageIndex < 0) return { before: json(cellsWithoutAge), after: '' };
  return { before: json(cellsWithoutAge.slice(0, table.ageIndex)), after: json(cellsWithoutAge.slice(table.ageIndex)) };
}

/** The cells array of a row from its fragments and the AGE cell's JSON (unused without an AGE column). */
export function rowCellsJson(table: TableSpec, f: RowFragments, ageJson: string): string {
  if (table.ageIndex < 0) return `[${f.before}]`;
  return `[${f.before}${f.before ? ',' : ''}${ageJson}${f.after ? ',' : ''}${f.after}]`;
}
