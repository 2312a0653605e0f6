/**
 * `bpf-review model --tree DIR [--version X.Y.Z] [--format text|json] [--explain NAME] [FILES...]`:
 * the verifier model over the graph selftests of a kernel tree (linked_list, rbtree,
 * refcounted_kptr): per program the expected verdict and message (annotations / prog_tests
 * tables), the predicted ones, and whether they agree; totals. `--explain NAME` prints the path
 * the model followed, step by step, up to the failing step, like a verifier log.
 * Exit 0 when every verdict agrees, 1 when some disagree, 2 when it could not run.
 */
import type { Command } from 'commander';
import { loadModel, predictSelftests, totalsOf, type ModelResult } from '../../model-bpf/predict.js';
import { readGraphSelftests } from '../../model-bpf/tree-input.js';
import { parseKernelVersion } from '../../model-bpf/version-semantics.js';

export interface ModelIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

export interface ModelOptions {
  tree: string;
  version?: string;
  format?: string;
  explain?: string;
  files?: string[];
}

/** Program-visible JSON shape of the command. */
export function modelJson(res: ModelResult): unknown {
  return {
    version: res.version,
    programs: res.programs.map((p) => ({
      name: p.name,
      file: p.file,
      line: p.line,
      section: p.section,
      expected: { verdict: p.expected.verdict, message: p.expected.message, source: p.expected.source },
      predicted: { verdict: p.predicted.verdict, message: p.predicted.message, ...(p.predicted.unsupported ? { unsupported: p.predicted.unsupported } : {}) },
      agree: p.agree,
      messageAgree: p.messageAgree,
      ...(p.trail ? { explain: p.trail } : {}),
    })),
    totals: res.totals,
  };
}

export function renderModelText(res: ModelResult, explain: boolean): string {
  const lines: string[] = [];
  const q = (s: string): string => JSON.stringify(s);
  for (const p of res.programs) {
    const mark = p.agree ? (p.messageAgree ? 'ok  ' : 'MSG ') : 'FAIL';
    lines.push(`${mark} ${p.file}:${p.line} ${p.name}`);
    lines.push(`     expected  ${p.expected.verdict}${p.expected.message ? ` ${q(p.expected.message)}` : ''} (${p.expected.source})`);
    lines.push(`     predicted ${p.predicted.verdict}${p.predicted.message ? ` ${q(p.predicted.message)}` : ''}`);
    if (explain) {
      for (const l of p.trail ?? []) lines.push(`       ${l}`);
      if (p.errorLine !== undefined) lines.push(`     failing step at line ${p.errorLine}`);
    }
  }
  const t = res.totals;
  const pct = (a: number, b: number): string => (b ? `${((100 * a) / b).toFixed(1)}%` : '-');
  const unsupported = res.programs.filter((p) => p.predicted.verdict === 'unsupported');
  lines.push(
    `v${res.version}: ${t.programs} programs; verdict agrees ${t.verdictAgree} (${pct(t.verdictAgree, t.programs)}); message agrees ${t.messageAgree} (${pct(t.messageAgree, t.programs)}); reject messages ${t.rejectMessageAgree}/${t.expectedRejects}; unsupported ${t.unsupported}`,
  );
  for (const u of unsupported) lines.push(`  unsupported: ${u.name}: ${u.predicted.unsupported ?? ''}`);
  return `${lines.join('\n')}\n`;
}

export async function runModel(opts: ModelOptions, io: ModelIo): Promise<number> {
  let input;
  try {
    input = readGraphSelftests(opts.tree);
  } catch (e) {
    io.stderr(`bpf-review model: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  const vs = opts.version ?? input.version;
  if (!vs) {
    io.stderr('bpf-review model: kernel version unknown (no Makefile): pass --version\n');
    return 2;
  }
  let version;
  try {
    version = parseKernelVersion(vs);
  } catch (e) {
    io.stderr(`bpf-review model: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  const parser = await loadModel();
  let res = predictSelftests(parser, {
    version,
    kfuncFlags: input.kfuncFlags,
    files: input.files,
    ...(opts.explain ? { programs: [opts.explain], explain: true } : {}),
  });
  if (opts.files?.length) {
    const wanted = opts.files.map((f) => f.replace(/^\.\//, ''));
    const programs = res.programs.filter((p) => wanted.some((w) => p.file === w || p.file.endsWith(`/${w}`) || w.endsWith(`/${p.file}`)));
    res = { ...res, programs, totals: totalsOf(programs) };
  }
  if (opts.explain && res.programs.length === 0) {
    io.stderr(`bpf-review model: no graph selftest program named ${opts.explain}\n`);
    return 2;
  }
  if (opts.format === 'json') io.stdout(`${JSON.stringify(modelJson(res), null, 2)}\n`);
  else io.stdout(renderModelText(res, !!opts.explain));
  return res.totals.verdictAgree === res.totals.programs ? 0 : 1;
}

export function register(program: Command): void {
  program
    .command('model')
    .description('predict what the BPF verifier says about the graph selftests (linked_list, rbtree, refcounted_kptr) of a kernel tree')
    .requiredOption('--tree <dir>', 'kernel tree: a checkout, the bpf selftests directory, or a bare git directory')
    .option('--version <x.y.z>', 'kernel version (default: from the tree Makefile)')
    .option('--format <format>', 'text or json', 'text')
    .option('--explain <name>', 'show the path and the failing step of one program, like a verifier log')
    .argument('[files...]', 'only programs of these progs files (paths in the tree or relative to the selftests dir)')
    .action(async (files: string[], o: { tree: string; version?: string; format?: string; explain?: string }) => {
      const code = await runModel(
        { tree: o.tree, files, ...(o.version ? { version: o.version } : {}), ...(o.format ? { format: o.format } : {}), ...(o.explain ? { explain: o.explain } : {}) },
        { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) },
      );
      process.exitCode = code;
    });
}
