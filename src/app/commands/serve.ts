/**
 * `bpf-review serve --config FILE`: run the daemon (follow the sources, review, mail through the
 * outbox, serve the dashboard and /healthz) until SIGTERM or SIGINT. Exit 2 when the config does
 * not validate (the message names the key).
 */
import type { Command } from 'commander';
import { InputError } from '../../model/errors.js';
import { loadServeConfig } from '../config.js';
import { startService, type ServiceRole } from '../serve.js';

export function register(program: Command): void {
  program
    .command('serve')
    .description('run the review daemon: follow the list, review series when complete, reply through the outbox, serve the dashboard')
    .requiredOption('-c, --config <file>', 'YAML configuration (see examples/serve.yml)')
    .option('--role <role>', 'with store.postgres: all (follow, plan and review), ingest (follow and plan), worker (review jobs only)', 'all')
    .action(async (opts: { config: string; role: string }) => {
      if (!['all', 'ingest', 'worker'].includes(opts.role)) {
        process.stderr.write(`bpf-review serve: --role must be all, ingest or worker, not ${opts.role}\n`);
        process.exit(2);
      }
      let config;
      try {
        config = loadServeConfig(opts.config);
      } catch (err) {
        if (err instanceof InputError) {
          process.stderr.write(`bpf-review serve: ${err.message}\n`);
          process.exit(2);
        }
        throw err;
      }
      let svc;
      try {
        svc = await startService(config, { role: opts.role as ServiceRole });
      } catch (err) {
        if (err instanceof InputError) {
          process.stderr.write(`bpf-review serve: ${err.message}\n`);
          process.exit(2);
        }
        throw err;
      }
      if (svc.url) process.stderr.write(`bpf-review: dashboard at ${svc.url}\n`);
      await new Promise<void>((resolve) => {
        const done = (): void => resolve();
        process.once('SIGTERM', done);
        process.once('SIGINT', done);
      });
      await svc.stop();
    });
}
