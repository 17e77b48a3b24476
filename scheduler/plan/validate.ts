// Structural checks on a planning unit. Capacity never fails here: only input the planner cannot
// interpret, reported with the path of the field.
import { PlanInputError } from './errors.js';
import type { GangInput, PackConstraint, PlanUnit, PodGroupInput } from './model.js';

function checkName(value: unknown, field: string): void {
  if (typeof value !== 'string' || value === '') throw new PlanInputError(field, 'must be a non-empty string');
}

function checkPack(pack: PackConstraint | undefined, field: string): void {
  if (pack === undefined) return;
  if (pack.required !== undefined) checkName(pack.required, `${field}.required`);
  if (pack.preferred !== undefined) checkName(pack.preferred, `${field}.preferred`);
}

function checkPodGroup(pg: PodGroupInput, field: string, podNames: Set<string>): void {
  checkName(pg.name, `${field}.name`);
  if (!Number.isInteger(pg.minReplicas) || pg.minReplicas < 0) {
    throw new PlanInputError(`${field}.minReplicas`, `must be a non-negative integer, got ${String(pg.minReplicas)}`);
  }
  checkPack(pg.pack, `${field}.pack`);
  if (!Array.isArray(pg.pods)) throw new PlanInputError(`${field}.pods`, 'must be a list');
  pg.pods.forEach((pod, k) => {
    checkName(pod.name, `${field}.pods[${k}].name`);
    if (podNames.has(pod.name)) throw new PlanInputError(`${field}.pods[${k}].name`, `pod ${pod.name} appears twice in the unit`);
    podNames.add(pod.name);
    if (typeof pod.spec !== 'object' || pod.spec === null || !Array.isArray(pod.spec.containers)) {
      throw new PlanInputError(`${field}.pods[${k}].spec.containers`, 'must be a list');
    }
  });
}

function checkGroupConfigs(gang: GangInput, field: string): void {
  const groups = new Set(gang.podGroups.map((pg) => pg.name));
  const owner = new Map<string, string>();
  const names = new Set<string>();
  (gang.groupConfigs ?? []).forEach((gc, j) => {
    const f = `${field}.groupConfigs[${j}]`;
    checkName(gc.name, `${f}.name`);
    if (names.has(gc.name)) throw new PlanInputError(`${f}.name`, `group config ${gc.name} appears twice`);
    names.add(gc.name);
    checkPack(gc.pack, `${f}.pack`);
    gc.podGroupNames.forEach((pgName, k) => {
      if (!groups.has(pgName)) throw new PlanInputError(`${f}.podGroupNames[${k}]`, `gang ${gang.name} has no pod group ${pgName}`);
      const other = owner.get(pgName);
      if (other !== undefined) throw new PlanInputError(`${f}.podGroupNames[${k}]`, `pod group ${pgName} is already in group config ${other}`);
      owner.set(pgName, gc.name);
    });
  });
}

function checkGang(gang: GangInput, field: string, podNames: Set<string>): void {
  checkName(gang.name, `${field}.name`);
  checkPack(gang.pack, `${field}.pack`);
  if (!Array.isArray(gang.podGroups)) throw new PlanInputError(`${field}.podGroups`, 'must be a list');
  const groupNames = new Set<string>();
  gang.podGroups.forEach((pg, j) => {
    checkPodGroup(pg, `${field}.podGroups[${j}]`, podNames);
    if (groupNames.has(pg.name)) throw new PlanInputError(`${field}.podGroups[${j}].name`, `pod group ${pg.name} appears twice`);
    groupNames.add(pg.name);
  });
  checkGroupConfigs(gang, field);
}

/** Throws PlanInputError naming the first malformed field. */
export function validateUnit(unit: PlanUnit): void {
  checkName(unit.name, 'unit.name');
  checkPack(unit.pack, 'unit.pack');
  if (unit.spread !== undefined) {
    checkName(unit.spread.key, 'unit.spread.key');
    if (typeof unit.spread.required !== 'boolean') throw new PlanInputError('unit.spread.required', 'must be true or false');
    if (!Array.isArray(unit.spread.usedDomains)) throw new PlanInputError('unit.spread.usedDomains', 'must be a list');
  }
  if (!Array.isArray(unit.gangs) || unit.gangs.length === 0) throw new PlanInputError('unit.gangs', 'must list at least one gang');
  const gangNames = new Set<string>();
  const podNames = new Set<string>();
  unit.gangs.forEach((g, i) => {
    checkGang(g, `unit.gangs[${i}]`, podNames);
    if (gangNames.has(g.name)) throw new PlanInputError(`unit.gangs[${i}].name`, `gang ${g.name} appears twice`);
    gangNames.add(g.name);
  });
}
