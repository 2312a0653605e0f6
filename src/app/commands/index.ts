import type { Command } from 'commander';

type CommandModule = { register(program: Command): void };

/**
 * Every sub-command lives in its own file here and exports `register(program)`; this table
 * lists them in the order `--help` shows them. Only the command being run is loaded (a command's
 * imports, such as the daemon's, cost hundreds of milliseconds at start-up), all of them for help.
 */
const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  series: () => import('./series.js'),
  review: () => import('./review.js'),
  kfuncs: () => import('./kfuncs.js'),
  model: () => import('./model.js'),
  'b4-check': () => import('./b4-check.js'),
  serve: () => import('./serve.js'),
  backfill: () => import('./backfill.js'),
};

/** Registers the command named in argv (or every command when none is, or it is unknown). */
export async function registerCommands(program: Command, argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const named = argv.find((a) => !a.startsWith('-'));
  const wanted = named && named in COMMANDS ? [named] : Object.keys(COMMANDS);
  for (const mod of await Promise.all(wanted.map((n) => (COMMANDS[n] as () => Promise<CommandModule>)()))) mod.register(program);
}
