/**
 * Benchmark: every graph selftest program of a real kernel tree through the verifier model.
 *
 *   node dist/bench/verifier-model.js TREE [--version X.Y.Z] [--runs N]
 *
 * Prints the time of each run (parse + interpret, parser already loaded) and the best one.
 */
import { loadModel, predictSelftests } from '../src/model-bpf/predict.js';
import { parseKernelVersion } from '../src/model-bpf/version-semantics.js';
import { readGraphSelftests } from '../src/model-bpf/tree-input.js';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const tree = args[0];
  if (!tree) {
    process.stderr.write('usage: verifier-model TREE [--version X.Y.Z] [--runs N]\n');
    process.exit(2);
  }
  const vi = args.indexOf('--version');
  const ri = args.indexOf('--runs');
  const runs = ri >= 0 ? Number(args[ri + 1]) : 5;
  const { files, version, kfuncFlags } = readGraphSelftests(tree);
  const vs = vi >= 0 ? args[vi + 1]! : version;
  if (!vs) throw new Error('kernel version unknown: pass --version');
  const parser = await loadModel();
  const times: number[] = [];
  const cpu: number[] = [];
  let programs = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const r = predictSelftests(parser, { version: parseKernelVersion(vs), kfuncFlags, files });
    const c = process.cpuUsage(c0);
    times.push(performance.now() - t0);
    cpu.push((c.user + c.system) / 1000);
    programs = r.totals.programs;
  }
  const fmt = (xs: number[]): string => xs.map((t) => t.toFixed(0)).join(' ');
  process.stdout.write(
    `verifier model v${vs}: ${programs} programs from ${files.length} files; wall ${fmt(times)} ms (best ${Math.min(...times).toFixed(0)}); cpu ${fmt(cpu)} ms (best ${Math.min(...cpu).toFixed(0)}); target < 1000 ms\n`,
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(2);
});
