/**
 * Mutation check of the verifier model on a real tree: in the success selftests
 * (progs/linked_list.c, rbtree.c, refcounted_kptr.c) delete one `bpf_obj_drop(` or
 * `bpf_spin_unlock(` statement at a time and count the mutants the model turns from accept
 * into reject (a model that accepted everything would kill none).
 *
 *   node dist/scripts/model-mutants.js TREE [--version X.Y.Z]
 */
import { loadModel, predictSelftests } from '../src/model-bpf/predict.js';
import { readGraphSelftests } from '../src/model-bpf/tree-input.js';
import { parseKernelVersion } from '../src/model-bpf/version-semantics.js';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const tree = args[0];
  if (!tree) throw new Error('usage: model-mutants TREE [--version X.Y.Z]');
  const vi = args.indexOf('--version');
  const { files, version, kfuncFlags } = readGraphSelftests(tree);
  const vs = vi >= 0 ? args[vi + 1]! : version;
  if (!vs) throw new Error('kernel version unknown: pass --version');
  const parser = await loadModel();
  const v = parseKernelVersion(vs);
  let total = 0;
  let killed = 0;
  const survivors: string[] = [];
  for (const target of files.filter((f) => /progs\/(linked_list|rbtree|refcounted_kptr)\.c$/.test(f.path))) {
    const others = files.filter((f) => f !== target && (!f.path.endsWith('.c') || f.path.includes('prog_tests/')));
    const base = predictSelftests(parser, { version: v, kfuncFlags, files: [...others, target] });
    const accepted = new Set(base.programs.filter((p) => p.predicted.verdict === 'accept').map((p) => p.name));
    const lines = target.text.split('\n');
    lines.forEach((l, i) => {
      if (!/^\s*(bpf_obj_drop|bpf_spin_unlock)\(/.test(l)) return;
      const mutated = lines.slice();
      mutated[i] = '';
      const r = predictSelftests(parser, { version: v, kfuncFlags, files: [...others, { path: target.path, text: mutated.join('\n') }] });
      total++;
      if (r.programs.some((p) => accepted.has(p.name) && p.predicted.verdict === 'reject')) killed++;
      else survivors.push(`${target.path}:${i + 1}: ${l.trim()}`);
    });
  }
  process.stdout.write(`v${vs}: ${total} mutants, ${killed} rejected by the model\n${survivors.map((s) => `  survived ${s}\n`).join('')}`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
});
