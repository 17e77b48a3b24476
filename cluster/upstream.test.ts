import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './paths.js';
import { GO_MINIMUM, GO_MISSING_MESSAGE, goTooOldMessage, goVersionAtLeast, MODULES, parseGoVersion } from './upstream.js';

describe('Go toolchain version', () => {
  it.each([
    ['go version go1.26.8 linux/amd64', [1, 26, 8]],
    ['go version go1.26 linux/arm64', [1, 26, 0]],
    ['go version go1.27rc1 linux/amd64', [1, 27, 0]],
    ['go version devel +abc linux/amd64', undefined],
    ['', undefined],
  ])('parses %j', (output, want) => {
    expect(parseGoVersion(output)).toEqual(want);
  });

  it.each([
    [[1, 26, 0], true],
    [[1, 26, 8], true],
    [[1, 27, 0], true],
    [[2, 0, 0], true],
    [[1, 25, 9], false],
    [[1, 24, 30], false],
    [[0, 99, 99], false],
  ] as [[number, number, number], boolean][])('%j is at least 1.26.0: %s', (have, ok) => {
    expect(goVersionAtLeast(have, '1.26.0')).toBe(ok);
  });

  it('the minimum is the highest `go` directive of the pinned build modules', () => {
    const directives = MODULES.map((m) => {
      const mod = readFileSync(join(repoRoot(), 'cluster', 'upstream', m.dir, 'go.mod'), 'utf8');
      return /^go (\S+)$/m.exec(mod)?.[1];
    });
    expect(directives).toEqual(MODULES.map(() => GO_MINIMUM));
  });

  it('refuses an older Go with a message naming the minimum and the Go it found', () => {
    expect(goTooOldMessage('/usr/bin/go', 'go version go1.24.4 linux/amd64\n')).toBe(
      'copse: the pinned Kubernetes binaries need Go 1.26.0 or newer to build, but /usr/bin/go is go version go1.24.4 linux/amd64.\n' +
        '  Install Go 1.26.0+ (https://go.dev/doc/install), or set GO=/path/to/go.',
    );
    expect(goTooOldMessage('go', 'go version go1.26.8 linux/amd64')).toBeUndefined();
    expect(GO_MISSING_MESSAGE).toContain('Install Go 1.26.0 or newer');
  });

  it('the README and CI state the same minimum', () => {
    const readme = readFileSync(join(repoRoot(), 'README.md'), 'utf8');
    expect(readme).toContain(`Go ≥ ${GO_MINIMUM}`);
    expect(readme).not.toMatch(/Go (≥ )?1\.2[0-5]/);
    const ci = readFileSync(join(repoRoot(), '.ci', 'run'), 'utf8');
    expect(ci).toContain(`GO_MINIMUM=${GO_MINIMUM}`);
    expect(ci).not.toMatch(/1\.24/);
  });
});
