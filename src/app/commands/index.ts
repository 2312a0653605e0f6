import type { Command } from 'commander';

/**
 * Every sub-command lives in its own file here and exports `register(program)`.
 * Add one import and one call per command.
 */
export function registerCommands(program: Command): void {
  void program;
}
