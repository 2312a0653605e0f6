/**
 * The verifier model around each patch of a series: run the model over the tree's graph
 * selftests at the base and after every patch (re-running only where its inputs changed: the
 * graph selftest files or the kfunc flags), then turn the runs into the flips and disagreements
 * the model rules report.
 */
import type { Series } from '../model/series.js';
import type { KernelVersion, TreeFacts } from '../model/kernel-facts.js';
import type { ModelDisagreement, ModelFlip, PatchModelView } from '../engine/rule-kit.js';
import type { CParser } from '../kernel/c-parser.js';
import { readBlobs, runGit, type KernelTree } from '../kernel/kernel-tree.js';
import type { SeriesFacts } from '../kernel/series-facts.js';
import { predictSelftests, type ModelResult } from '../model-bpf/predict.js';
import { describeSemantics, detectGraphSemantics, type DetectedSemantics } from '../model-bpf/detect-graph-semantics.js';
import { seriesModelFindings } from '../model-bpf/series-findings.js';
import { GRAPH } from '../model-bpf/tree-input.js';

const SELFTESTS = 'tools/testing/selftests/bpf/';

export interface SeriesModelViews {
  views: (PatchModelView | null)[];
  notRun: string[];
  /** How the model ran (e.g. which graph-ownership design it followed), in words. */
  notes: string[];
}

/** Does a patch touch what the model depends on or models? */
function touchesModel(paths: string[], flagsChanged: boolean): boolean {
  return flagsChanged || paths.some((p) =>
    p === 'kernel/bpf/verifier.c' || p === 'kernel/bpf/helpers.c' || p === 'include/linux/btf.h' ||
    (p.startsWith(SELFTESTS) && GRAPH.test(p.slice(SELFTESTS.length))));
}

function kfuncFlagsOf(facts: TreeFacts): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const k of facts.kfuncs) m.set(k.name, [...new Set([...(m.get(k.name) ?? []), ...k.flags])]);
  return m;
}

const isGraphPath = (p: string): boolean => p.startsWith(SELFTESTS) && GRAPH.test(p.slice(SELFTESTS.length));

/** The graph selftest files and the local headers they include, by path, at one tree state. */
interface GraphState {
  files: Map<string, string>;
  /** Included paths that do not exist at this state. */
  missing: Set<string>;
}

/**
 * The graph selftest files (and the local headers they include) at a commit. With `prev`, the
 * state before a patch, and `changed`, the paths the patch touched, only those paths are read
 * again (few patches touch a selftest, and every listing or read is a git round trip).
 */
async function graphFiles(tree: KernelTree, commit: string, prev?: GraphState, changed?: readonly string[]): Promise<GraphState> {
  const known = new Map<string, string | null>();
  let roots: string[];
  if (prev && changed) {
    for (const [p, t] of prev.files) known.set(p, t);
    for (const p of prev.missing) known.set(p, null);
    const reread = changed.filter((p) => known.has(p) || isGraphPath(p));
    for (const p of reread) known.delete(p);
    for (const [p, t] of await readBlobs(tree, commit, reread)) known.set(p, t);
    roots = [...known.keys()].filter((p) => isGraphPath(p) && known.get(p) !== null);
  } else {
    const ls = await runGit(['ls-tree', '-r', '--name-only', commit, '--', `${SELFTESTS}progs`, `${SELFTESTS}prog_tests`], { cwd: tree.gitDir, env: tree.env });
    roots = ls.stdout.toString('utf8').split('\n').filter(isGraphPath);
  }
  // the roots and, transitively, the local headers they include
  const files = new Map<string, string>();
  const missing = new Set<string>();
  const have = new Set<string>();
  let wanted = roots;
  while (wanted.length) {
    const unknown = wanted.filter((p) => !known.has(p));
    for (const [p, t] of await readBlobs(tree, commit, unknown)) known.set(p, t);
    const next: string[] = [];
    for (const path of wanted) {
      have.add(path);
      const text = known.get(path) ?? null;
      if (text === null) {
        missing.add(path);
        continue;
      }
      files.set(path, text);
      const dir = path.slice(0, path.lastIndexOf('/') + 1);
      for (const m of text.matchAll(/^\s*#\s*include\s+"([^"]+\.h)"/gm)) {
        const inc = dir + (m[1] as string);
        if (!have.has(inc) && !next.includes(inc)) next.push(inc);
      }
    }
    wanted = next;
  }
  return { files, missing };
}

const sortedFiles = (g: GraphState): { path: string; text: string }[] =>
  [...g.files].map(([path, text]) => ({ path, text })).sort((a, b) => a.path.localeCompare(b.path));

const verdictText = (v: { verdict: string; message: string }) => (v.message ? `${v.verdict} (${v.message.split('\n')[0]})` : v.verdict);

export async function modelViewsForSeries(tree: KernelTree, facts: SeriesFacts, series: Series, parser: CParser): Promise<SeriesModelViews> {
  const version: KernelVersion | null = facts.base.version;
  const patches = facts.perPatch;
  const relevant = patches.map((pf) => touchesModel(pf.changed, (pf.diff.flagsChanged.length + pf.diff.kfuncsAdded.length + pf.diff.kfuncsRemoved.length) > 0));
  if (!relevant.some(Boolean)) return { views: series.patches.map(() => null), notRun: ['verifier model: no patch touches the verifier, the kfunc flags or the graph selftests'], notes: [] };
  if (!version) return { views: series.patches.map(() => null), notRun: ['verifier model: the kernel version is unknown (no VERSION/PATCHLEVEL in the Makefile)'], notes: [] };

  // The model knows the verifier of the tree's version, plus the graph-ownership design it reads
  // from verifier.c itself (a series can move a tree to non-owning references). Any other change
  // to verifier.c is beyond it: from the first patch that changes verifier.c without changing
  // that design, its predictions say nothing about the new behaviour, so the model runs only over
  // the states before it.
  const VERIFIER = 'kernel/bpf/verifier.c';
  const semantics: DetectedSemantics[] = [detectGraphSemantics((await readBlobs(tree, facts.applied.base, [VERIFIER])).get(VERIFIER) ?? null)];
  for (const pf of patches) {
    const prev = semantics[semantics.length - 1] as DetectedSemantics;
    semantics.push(pf.changed.includes(VERIFIER) ? detectGraphSemantics((await readBlobs(tree, pf.commit, [VERIFIER])).get(VERIFIER) ?? null) : prev);
  }
  const sameSemantics = (a: DetectedSemantics, b: DetectedSemantics) => JSON.stringify(a) === JSON.stringify(b);
  const verifierChangedAt = patches.findIndex((pf, i) => pf.changed.includes(VERIFIER) && sameSemantics(semantics[i] as DetectedSemantics, semantics[i + 1] as DetectedSemantics));
  const notes: string[] = [];
  patches.forEach((pf, i) => {
    if (!sameSemantics(semantics[i] as DetectedSemantics, semantics[i + 1] as DetectedSemantics) && (verifierChangedAt < 0 || i < verifierChangedAt)) {
      notes.push(`verifier model: from patch ${pf.counter} on, the model follows the graph-ownership design the patched verifier.c implements: ${describeSemantics(semantics[i + 1] as DetectedSemantics)}`);
    }
  });
  const verifierNote = (): string => {
    const from = patches[verifierChangedAt]?.counter ?? verifierChangedAt + 1;
    return `verifier model: patch ${from} changes kernel/bpf/verifier.c in ways the model (Linux ${version.short} semantics) cannot know; model findings from that patch on are left out`;
  };
  const lastState = verifierChangedAt >= 0 ? verifierChangedAt : patches.length;
  if (!relevant.slice(0, lastState).some(Boolean)) return { views: series.patches.map(() => null), notRun: [verifierNote()], notes };

  // one model run per tree state, reused while the model's inputs do not change
  const runs: ModelResult[] = [];
  let prevInputs = '';
  const commits = [facts.applied.base, ...patches.map((p) => p.commit)].slice(0, lastState + 1);
  const states = [facts.base, ...patches.map((p) => p.facts)];
  let graph: GraphState | undefined;
  for (let i = 0; i < commits.length; i++) {
    graph = await graphFiles(tree, commits[i] as string, graph, i > 0 ? patches[i - 1]?.changed : undefined);
    const files = sortedFiles(graph);
    const flags = kfuncFlagsOf(states[i] as TreeFacts);
    const sem = semantics[i] as DetectedSemantics;
    const inputs = JSON.stringify([files.map((f) => [f.path, f.text.length, f.text]), [...flags], sem]);
    if (i > 0 && inputs === prevInputs) {
      runs.push(runs[i - 1] as ModelResult);
      continue;
    }
    prevInputs = inputs;
    runs.push(predictSelftests(parser, { version, kfuncFlags: flags, files, semantics: sem }));
  }
  if ((runs[0]?.programs.length ?? 0) === 0 && runs.every((r) => r.programs.length === 0)) {
    return { views: series.patches.map(() => null), notRun: ['verifier model: the tree has no graph selftests (linked_list, rbtree, refcounted_kptr)'], notes: [] };
  }

  const newKfuncs = patches.map((pf) => pf.diff.kfuncsAdded.map((k) => k.name));
  const findings = seriesModelFindings(runs, newKfuncs);
  // a flip is also settled by the later patch that deletes the selftest (its expectation goes with it)
  const fixedByCounter = (fixedBy: number | undefined, program: string, file: string, i: number): number | null => {
    if (fixedBy !== undefined) return patches[fixedBy - 1]?.counter ?? null;
    for (let j = i + 2; j < runs.length; j++) {
      if (!(runs[j] as ModelResult).programs.some((p) => p.name === program && p.file === file)) return patches[j - 1]?.counter ?? null;
    }
    return null;
  };
  const views: (PatchModelView | null)[] = series.patches.map((_, i) => {
    if (!relevant[i]) return null;
    if (verifierChangedAt >= 0 && i >= verifierChangedAt) return null;
    const flips: ModelFlip[] = [];
    const disagreements: ModelDisagreement[] = [];
    for (const f of findings.filter((x) => x.patch === i + 1)) {
      const line = runs[i + 1]?.programs.find((p) => p.name === f.program && p.file === f.file)?.line ?? null;
      if (f.kind === 'flip-not-updated') {
        flips.push({
          program: f.program, file: f.file, line,
          before: verdictText(f.before ?? { verdict: 'absent', message: '' }), after: verdictText(f.predicted),
          expectedBefore: verdictText(f.expected), expectedAfter: verdictText(f.expected),
          fixedBy: fixedByCounter(f.fixedBy, f.program, f.file, i),
          message: f.predicted.message || null,
        });
      } else {
        disagreements.push({
          program: f.program, file: f.file, line,
          expected: f.expected.verdict, predicted: f.predicted.verdict,
          reason: f.predicted.verdict === 'reject'
            ? `the model stops at "${f.predicted.message.split('\n')[0] ?? ''}"${f.kfunc ? ` (it calls ${f.kfunc}, which this patch adds)` : ''}`
            : `the model finds no error on any path, where the annotation expects "${f.expected.message || 'a rejection'}"`,
        });
      }
    }
    return { flips, disagreements };
  });
  const unsupported = (runs[runs.length - 1] as ModelResult).programs.filter((p) => p.predicted.verdict === 'unsupported').length;
  const notRun = unsupported ? [`verifier model: ${unsupported} graph selftest programs use constructs the model does not support (bpf-review model --tree lists them)`] : [];
  if (verifierChangedAt >= 0) notRun.push(verifierNote());
  return { views, notRun, notes };
}
