// The samples loader never lets a missing fixture pass quietly: CI fails, elsewhere it says so.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { groveSamplesPresent, groveSamplesRoot, podCliqueSetDocs } from './grove-samples.js';

const dir = mkdtempSync(join(tmpdir(), 'copse-grove-samples-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const missing = join(dir, 'not-there');

describe('the Grove samples loader', () => {
  it('under CI=true, a missing directory throws with its path', () => {
    expect(() => groveSamplesPresent({ suite: 'a suite', suites: 2, env: { CI: 'true', COPSE_GROVE_SAMPLES: missing } })).toThrow(
      `a suite: the Grove samples are missing: ${missing} does not exist (CI=true, so this is a failure; set COPSE_GROVE_SAMPLES to their location)`,
    );
    expect(() => groveSamplesPresent({ suite: 's', suites: 1, sub: 'samples', env: { CI: 'true', COPSE_GROVE_SAMPLES: dir } })).toThrow(join(dir, 'samples'));
  });

  it('elsewhere, warns once naming the path and the number of suites skipped', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      expect(groveSamplesPresent({ suite: 'a suite', suites: 2, env: { COPSE_GROVE_SAMPLES: missing } })).toBe(false);
      expect(warn.mock.calls).toEqual([[`a suite: SKIPPING 2 suites: the Grove samples are missing at ${missing} (set COPSE_GROVE_SAMPLES)`]]);
    } finally {
      warn.mockRestore();
    }
  });

  it('reads the PodCliqueSets under the override, in sorted file order', () => {
    mkdirSync(join(dir, 'samples', 'b'), { recursive: true });
    writeFileSync(join(dir, 'samples', 'b', 'two.yaml'), 'kind: PodCliqueSet\nmetadata: {name: two}\n---\nkind: ConfigMap\n');
    writeFileSync(join(dir, 'samples', 'a.yml'), 'kind: PodCliqueSet\nmetadata: {name: one}\n');
    const env = { CI: 'true', COPSE_GROVE_SAMPLES: dir };
    expect(groveSamplesRoot(env)).toBe(dir);
    expect(groveSamplesPresent({ suite: 's', suites: 1, sub: 'samples', env })).toBe(true);
    expect(podCliqueSetDocs('samples', env).map((d) => `${d.file} ${String((d.doc['metadata'] as { name: string }).name)}`)).toEqual([
      'samples/a.yml one',
      'samples/b/two.yaml two',
    ]);
  });
});
