import type { Command } from './main.js';

export const generateCommand: Command = {
  summary: 'generate',
  async run() {
    process.stderr.write('copse generate: not available yet\n');
    return 1;
  },
};
