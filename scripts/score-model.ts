/**
 * Score the verifier model on the graph selftests of a real kernel tree.
 *
 *   node dist/scripts/score-model.js TREE [--version 6.3.8] [--json] [--explain NAME]
 *
 * TREE is a checked-out tree, a directory holding tools/testing/selftests/bpf (or the bpf
 * selftests directory itself), or a bare git directory (read with `git show HEAD:path`).
 * Prints per-program disagreements and the verdict / message agreement figures.
 */
import { loadModel, predictSelftests, totalsOf } from '../src/model-bpf/predict.js';
import { parseKernelVersion } from '../src/model-bpf/version-semantics.js';
import { DATA_SET, readGraphSelftests } from '../src/model-bpf/tree-input.js';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const tree = args.find((a) => !a.startsWith('--') && args[args.indexOf(a) - 1] !== '--version' && args[args.indexOf(a) - 1] !== '--explain');
  if (!tree) {
    process.stderr.write('usage: score-model TREE [--version X.Y.Z] [--json] [--explain NAME]\n');
    process.exit(2);
  }
  const vi = args.indexOf('--version');
  const ei = args.indexOf('--explain');
  const { files, version, kfuncFlags } = readGraphSelftests(tree);
  const vs = vi >= 0 ? args[vi + 1]! : version;
  if (!vs) throw new Error('kernel version unknown: pass --version');
  const parser = await loadModel();
  const t0 = performance.now();
  const res = predictSelftests(parser, {
    version: parseKernelVersion(vs),
    kfuncFlags,
    files,
    ...(ei >= 0 ? { programs: [args[ei + 1]!], explain: true } : {}),
  });
  const ms = performance.now() - t0;
  if (args.includes('--json')) {
    process.stdout.write(`${JSON.stringify(res, null, 2)}\n`);
    return;
  }
  for (const p of res.programs) {
    if (ei >= 0) {
      process.stdout.write(`${p.name}: expected ${p.expected.verdict} ${JSON.stringify(p.expected.message)}\n`);
      process.stdout.write(`  predicted ${p.predicted.verdict} ${JSON.stringify(p.predicted.message)}\n`);
      for (const l of p.trail ?? []) process.stdout.write(`    ${l}\n`);
      continue;
    }
    if (p.agree && p.messageAgree) continue;
    process.stdout.write(
      `${p.agree ? 'MSG ' : 'VERD'} ${p.file}:${p.line} ${p.name}\n    expected ${p.expected.verdict} ${JSON.stringify(p.expected.message)}\n    predicted ${p.predicted.verdict} ${JSON.stringify(p.predicted.message)}\n`,
    );
  }
  const pct = (a: number, b: number): string => (b ? ((100 * a) / b).toFixed(1) : '-');
  const line = (label: string, t: ReturnType<typeof totalsOf>): string =>
    `v${vs} ${label}: ${t.programs} programs, verdict ${t.verdictAgree}/${t.programs} (${pct(t.verdictAgree, t.programs)}%), message ${t.messageAgree}/${t.programs} (${pct(t.messageAgree, t.programs)}%), reject messages ${t.rejectMessageAgree}/${t.expectedRejects} (${pct(t.rejectMessageAgree, t.expectedRejects)}%), unsupported ${t.unsupported}\n`;
  const core = res.programs.filter((p) => DATA_SET.test(p.file));
  process.stdout.write(line('data set (selftest-expectations files)', totalsOf(core)));
  process.stdout.write(line('all graph selftests', res.totals));
  process.stdout.write(`model time ${ms.toFixed(0)} ms\n`);
}

if (process.argv[1] && /score-model\.(js|ts)$/.test(process.argv[1])) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(2);
  });
}
