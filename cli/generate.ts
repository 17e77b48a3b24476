// `copse generate`: rewrite every file derived from the schemas and the webhook table.
import { repoRoot } from '../cluster/paths.js';
import type { Command } from './main.js';
import { writeManifests } from './manifests.js';

export const generateCommand: Command = {
  summary: 'regenerate types and manifests',
  async run() {
    const changed = writeManifests(repoRoot());
    process.stdout.write(changed.length ? `Updated:\n${changed.map((c) => `  ${c}`).join('\n')}\n` : 'Everything is up to date\n');
    return 0;
  },
};
