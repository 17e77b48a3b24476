import type { Command } from './main.js';

export const installCommand: Command = {
  summary: 'install',
  async run() {
    process.stderr.write('copse install: not available yet\n');
    return 1;
  },
};
