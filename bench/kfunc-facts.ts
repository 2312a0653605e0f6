/**
 * Benchmark of the kfunc facts extraction.
 *
 *   npx tsc -p . && node dist/bench/kfunc-facts.js [KERNEL_TREE]   (or BPF_REVIEW_KERNEL_TREE=...)
 *
 * KERNEL_TREE: a kernel git checkout or bare repository (e.g. a fetched mirror); without one the
 * shipped example tree is used. Prints: candidate discovery (git grep) and blob reading, full
 * extraction (with and without selftests), and the incremental extraction for a typical series
 * (btf.h, helpers.c, verifier.c, a selftest program and its prog_tests table touched).
 * Targets: full extraction < 2 s, a series < 200 ms.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCParser } from '../src/kernel/c-parser.js';
import { extractFacts, extractFactsIncremental } from '../src/kernel/extract-facts.js';
import { listCandidates, openKernelTree, readBlobs } from '../src/kernel/kernel-tree.js';
import { extractSeriesFacts } from '../src/kernel/series-facts.js';
import { mapTreeFiles } from '../src/kernel/tree-files.js';

const here = dirname(fileURLToPath(import.meta.url));
/** bench/ in the sources, dist/bench/ when built */
const projectRoot = here.split('/').includes('dist') ? resolve(here, '..', '..') : resolve(here, '..');
const treeDir = process.argv[2] ?? process.env.BPF_REVIEW_KERNEL_TREE ?? join(projectRoot, 'examples', 'tree');

function ms(t0: number): number {
  return Math.round((performance.now() - t0) * 10) / 10;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

/** A typical series, written over the tree's own files: a new flag, a reflagged kfunc, a new state member, a selftest. */
function typicalSeries(read: (p: string) => string | null): Map<string, string | null> {
  const changed = new Map<string, string | null>();
  const btf = read('include/linux/btf.h');
  if (btf) changed.set('include/linux/btf.h', btf.replace(/(#define KF_RCU\b[^\n]*\n)/, '$1#define KF_BENCH_NEW\t(1 << 30) /* benchmark flag */\n'));
  const helpers = read('kernel/bpf/helpers.c');
  if (helpers) changed.set('kernel/bpf/helpers.c', helpers.replace(/BTF_ID_FLAGS\(func, (bpf_list_push_front\w*)\)/, 'BTF_ID_FLAGS(func, $1, KF_RELEASE)'));
  const vh = read('include/linux/bpf_verifier.h');
  if (vh) changed.set('include/linux/bpf_verifier.h', vh.replace(/(\bu32 ref_obj_id;)/, '$1\n\tu32 bench_new_id;'));
  const verifier = read('kernel/bpf/verifier.c');
  if (verifier) changed.set('kernel/bpf/verifier.c', verifier.replace(/\n(static bool regsafe\()/, '\n/* benchmark edit */\n$1'));
  const prog = 'tools/testing/selftests/bpf/progs/linked_list_fail.c';
  const progText = read(prog);
  if (progText) changed.set(prog, `${progText}\nSEC("?tc")\nint bench_new_prog(void *ctx)\n{\n\treturn 0;\n}\n`);
  const table = 'tools/testing/selftests/bpf/prog_tests/linked_list.c';
  const tableText = read(table);
  if (tableText) changed.set(table, tableText.replace(/(linked_list_fail_tests\[\] = \{\n)/, '$1\t{ "bench_new_prog", "benchmark message" },\n'));
  return changed;
}

async function main(): Promise<void> {
  const parser = await loadCParser();
  const tree = await openKernelTree(treeDir);
  try {
    let t0 = performance.now();
    const paths = await listCandidates(tree, tree.head);
    const tList = ms(t0);
    t0 = performance.now();
    const blobs = await readBlobs(tree, tree.head, paths);
    const tRead = ms(t0);
    const m = new Map<string, string>();
    for (const [p, t] of blobs) if (t !== null) m.set(p, t);
    const files = mapTreeFiles(m);

    const runs = process.env.BENCH_RUNS ? Number(process.env.BENCH_RUNS) : 3;
    const full: number[] = [];
    const noSelftests: number[] = [];
    let facts = extractFacts(files, parser); // warm-up
    for (let i = 0; i < runs; i++) {
      t0 = performance.now();
      facts = extractFacts(files, parser);
      full.push(ms(t0));
      t0 = performance.now();
      extractFacts(files, parser, { skipSelftests: true });
      noSelftests.push(ms(t0));
    }
    const changed = typicalSeries((p) => files.read(p));
    const inc: number[] = [];
    for (let i = 0; i < Math.max(runs, 5); i++) {
      t0 = performance.now();
      extractFactsIncremental(facts, changed, parser, { context: files });
      inc.push(ms(t0));
    }
    const incNoSelftests: number[] = [];
    for (let i = 0; i < Math.max(runs, 5); i++) {
      t0 = performance.now();
      extractFactsIncremental(facts, changed, parser, { context: files, skipSelftests: true });
      incNoSelftests.push(ms(t0));
    }
    t0 = performance.now();
    await readBlobs(tree, tree.head, [...changed.keys()]);
    const tReadChanged = ms(t0);

    // the whole series flow on the shipped example: apply with git, facts after each patch
    let seriesFlow = '';
    if (tree.imported && existsSync(join(treeDir, '..', 'series', 'kf-release-non-own.mbox'))) {
      const mbox = readFileSync(join(treeDir, '..', 'series', 'kf-release-non-own.mbox'), 'utf8');
      const patches = mbox.split(/^(?=From [0-9a-f]{40} )/m).map((msg, i) => ({ counter: i, msg })).filter(({ msg }) => msg.includes('\ndiff --git '))
        .map(({ counter, msg }) => ({ counter, diffText: msg.slice(msg.indexOf('\ndiff --git ') + 1, msg.lastIndexOf('\n-- \n') + 1), files: [] }));
      const base = /^base-commit: (\w+)/m.exec(mbox)?.[1] ?? null;
      t0 = performance.now();
      const sf = await extractSeriesFacts(tree, patches, base, parser);
      seriesFlow = `example series (${patches.length} patches): apply + facts at the base and after each patch ${ms(t0)} ms (mode ${sf.applied.mode})`;
    }
    const bytes = [...m.values()].reduce((n, t) => n + t.length, 0);
    const lines = [
      `tree: ${treeDir} (${tree.imported ? 'plain directory, imported' : 'git'}) at ${tree.head.slice(0, 12)}, Linux ${facts.version?.short ?? '?'}`,
      `candidates: ${paths.length} files, ${(bytes / 1e6).toFixed(1)} MB; git grep + ls-tree ${tList} ms; cat-file --batch ${tRead} ms`,
      `facts: ${facts.kfuncs.length} kfunc rows, ${facts.flags.length} KF_* flags, ${facts.definitions.length} definitions, ${facts.structs.length} structs, ${facts.verifierFunctions.length} verifier functions, ${facts.selftests.length} selftest programs, ${facts.expectedFailures.length} table rows`,
      `full extraction (median of ${runs}): ${median(full)} ms with selftests, ${median(noSelftests)} ms without  [target < 2000 ms: ${median(full) < 2000 ? 'met' : 'NOT met'}]`,
      `typical series (${changed.size} files touched: ${[...changed.keys()].join(', ')}):`,
      `  incremental extraction (median of ${inc.length}): ${median(inc)} ms (${median(incNoSelftests)} ms without the selftest programs); reading the touched blobs ${tReadChanged} ms  [target < 200 ms: ${median(inc) + tReadChanged < 200 ? 'met' : 'NOT met'}]`,
    ];
    if (seriesFlow) lines.push(seriesFlow);
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await tree.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
