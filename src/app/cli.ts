import { Command } from 'commander';
import { registerCommands } from './commands/index.js';
import { EXIT_CANNOT_RUN } from './exit-codes.js';


const program = new Command();
program
  .name('bpf-review')
  .description('Patch-review bot for the BPF mailing list: reads patch series, applies them to a kernel tree, checks kfunc flags, verifier-state and reference-ownership rules, and says what a BPF maintainer would say.')
  .version('0.1.0')
  .showHelpAfterError()
  // usage errors (unknown command or option) mean the run could not happen: exit 2, as documented
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : EXIT_CANNOT_RUN));

registerCommands(program)
  .then(() => program.parseAsync(process.argv))
  .catch((err: unknown) => {
  const msg = err instanceof Error ? err.message : String(err);
  process.stderr.write(`bpf-review: ${msg}\n`);
  process.exit(EXIT_CANNOT_RUN);
});
