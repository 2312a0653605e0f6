/**
 * `bpf-review kfuncs --tree DIR [--series SOURCE] [--format text|json]`: the kfunc table of a
 * kernel tree (name, file, line, flags, program types, prototype) and the KF_* definitions;
 * with --series, the series is applied (never touching the checkout) and the before/after
 * difference is shown, per patch and for the whole series, or the diff-only facts when it does
 * not apply. Exit 0, or 2 when it could not run.
 */
import type { Command } from 'commander';
import { InputError, SourceUnreadableError } from '../../model/errors.js';
import type { FactsDiff, TreeFacts } from '../../model/kernel-facts.js';
import type { Series } from '../../model/series.js';
import { ingest } from '../../ingest/ingest.js';
import { loadCParser } from '../../kernel/c-parser.js';
import { extractFacts } from '../../kernel/extract-facts.js';
import { openKernelTree, readTreeFiles } from '../../kernel/kernel-tree.js';
import { extractSeriesFacts, type SeriesFacts } from '../../kernel/series-facts.js';
import { EXIT_CANNOT_RUN, EXIT_OK } from '../exit-codes.js';


export interface KfuncsIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

export interface KfuncsReport {
  tree: string;
  /** The commit the table describes (the series base when --series is given). */
  commit: string;
  version: string | null;
  /** `uses`: how many kfunc rows carry the flag. */
  flags: { name: string; bit: number | null; comment: string; file: string; line: number; uses: number }[];
  kfuncs: { name: string; file: string; line: number; flags: string[]; set: string | null; progTypes: string[]; conditions: string[]; prototype: string | null; viaMacro?: string }[];
  series?: {
    title: string;
    base: string;
    baseSource: 'base-commit' | 'head';
    baseNote: string;
    mode: 'tree' | 'diff-only';
    reason: string | null;
    patches: { counter: number; subject: string; applied: boolean; skipped: boolean; error: { message: string; file: string | null; hunk: string | null; git: string } | null; diff: FactsDiff | null }[];
    diff: FactsDiff | null;
    diffOnly: SeriesFacts['diffOnly'];
  };
}

function table(facts: TreeFacts): Pick<KfuncsReport, 'version' | 'flags' | 'kfuncs'> {
  return {
    version: facts.version?.short ?? null,
    flags: facts.flags.map((f) => ({ name: f.name, bit: f.bit, comment: f.comment, file: f.file, line: f.line, uses: facts.kfuncs.filter((k) => k.flags.includes(f.name)).length })),
    kfuncs: facts.kfuncs.map((k) => ({
      name: k.name, file: k.file, line: k.line, flags: k.flags, set: k.set, progTypes: k.progTypes, conditions: k.conditions, prototype: k.prototype,
      ...(k.viaMacro ? { viaMacro: k.viaMacro } : {}),
    })),
  };
}

async function readSeries(source: string): Promise<Series> {
  const r = await ingest([source]);
  const withPatches = r.series.filter((s) => s.patches.some((p) => p.files.length > 0));
  const s = withPatches[0];
  if (!s) throw new SourceUnreadableError(`${source}: no patch series found`, source);
  return s;
}

/** Build the report (IO: git and the mail source). */
export async function collectKfuncs(opts: { tree: string; series?: string }): Promise<KfuncsReport> {
  const parser = await loadCParser();
  const tree = await openKernelTree(opts.tree);
  try {
    if (!opts.series) {
      const facts = extractFacts(await readTreeFiles(tree, tree.head), parser);
      return { tree: opts.tree, commit: tree.head, ...table(facts) };
    }
    const series = await readSeries(opts.series);
    const patches = series.patches
      .filter((p) => p.files.length > 0)
      .map((p) => ({ counter: p.counter, diffText: p.diffText, subject: p.subject, files: p.files }));
    const sf = await extractSeriesFacts(tree, patches, series.baseCommit, parser);
    const subjects = new Map(patches.map((p) => [p.counter, p.subject]));
    return {
      tree: opts.tree,
      commit: sf.applied.base,
      ...table(sf.base),
      series: {
        title: series.title,
        base: sf.applied.base,
        baseSource: sf.applied.baseSource,
        baseNote: sf.applied.baseNote,
        mode: sf.applied.mode,
        reason: sf.applied.reason,
        patches: sf.applied.patches.map((p) => ({
          counter: p.counter,
          subject: subjects.get(p.counter) ?? '',
          applied: p.commit !== null,
          skipped: p.skipped,
          error: p.error ? { message: p.error.message, file: p.error.file, hunk: p.error.hunk, git: p.error.gitOutput } : null,
          diff: sf.perPatch.find((x) => x.counter === p.counter)?.diff ?? null,
        })),
        diff: sf.diff,
        diffOnly: sf.diffOnly,
      },
    };
  } finally {
    await tree.close();
  }
}

function diffLines(d: FactsDiff, indent: string): string[] {
  const out: string[] = [];
  for (const f of d.flagDefsAdded) out.push(`${indent}+ flag ${f.name} = ${f.value}  (${f.file}:${f.line})`);
  for (const f of d.flagDefsRemoved) out.push(`${indent}- flag ${f.name} = ${f.value}  (${f.file}:${f.line})`);
  for (const f of d.flagDefsRenumbered) out.push(`${indent}~ flag ${f.name}: bit ${f.before} -> ${f.after}  (${f.loc.file}:${f.loc.line})`);
  for (const k of d.kfuncsAdded) out.push(`${indent}+ kfunc ${k.name} [${k.flags.join(' | ') || 'no flags'}] in ${k.set ?? '(no set)'}  (${k.file}:${k.line})`);
  for (const k of d.kfuncsRemoved) out.push(`${indent}- kfunc ${k.name} [${k.flags.join(' | ') || 'no flags'}] in ${k.set ?? '(no set)'}  (${k.file}:${k.line})`);
  for (const c of d.flagsChanged) out.push(`${indent}~ kfunc ${c.name}: [${c.before.join(' | ') || 'no flags'}] -> [${c.after.join(' | ') || 'no flags'}]  (${c.loc.file}:${c.loc.line})`);
  for (const m of d.structMembersAdded) out.push(`${indent}+ member ${m.struct}.${m.member.name} (${m.member.type})  (${m.member.file}:${m.member.line})`);
  for (const m of d.structMembersRemoved ?? []) out.push(`${indent}- member ${m.struct}.${m.member.name} (${m.member.type})`);
  for (const p of d.selftestsAdded) out.push(`${indent}+ selftest ${p.name} (${p.file}:${p.line})`);
  for (const p of d.selftestsRemoved) out.push(`${indent}- selftest ${p.name} (${p.file})`);
  for (const c of d.selftestsChanged) out.push(`${indent}~ selftest ${c.after.name}: expectation changed (${c.after.file}:${c.after.line})`);
  for (const x of d.kfuncsDocAdded ?? []) out.push(`${indent}+ kfuncs.rst section "${x.title}" (line ${x.line})`);
  for (const x of d.kfuncsDocRemoved ?? []) out.push(`${indent}- kfuncs.rst section "${x.title}"`);
  if (out.length === 0) out.push(`${indent}(no change in the facts)`);
  return out;
}

export function renderKfuncsText(r: KfuncsReport): string {
  const out: string[] = [];
  out.push(`tree ${r.tree} at ${r.commit.slice(0, 12)}, Linux ${r.version ?? '(version unknown)'}`);
  out.push('');
  out.push(`KF_* flags (${r.flags.length}):`);
  for (const f of r.flags) out.push(`  ${String(f.bit ?? '?').padStart(2)}  ${f.name.padEnd(20)} ${String(f.uses).padStart(4)} rows  ${f.comment}`);
  out.push('');
  out.push(`kfuncs (${r.kfuncs.length} BTF_ID_FLAGS rows):`);
  for (const k of r.kfuncs) {
    out.push(`  ${k.name}  [${k.flags.join(' | ') || 'no flags'}]  ${k.file}:${k.line}  set ${k.set ?? '(none)'}${k.conditions.length ? `  if ${k.conditions.join(' && ')}` : ''}${k.viaMacro ? `  via ${k.viaMacro}` : ''}`);
    out.push(`      prog types: ${k.progTypes.join(', ') || '(none found)'}`);
    out.push(`      ${k.prototype ?? '(definition not found)'}`);
  }
  const s = r.series;
  if (s) {
    out.push('');
    out.push(`series: ${s.title}`);
    out.push(`  ${s.baseNote}`);
    for (const p of s.patches) {
      const state = p.applied ? 'applied' : p.skipped ? 'not tried (an earlier patch failed)' : `DOES NOT APPLY: ${p.error?.message ?? ''}`;
      out.push(`  patch ${p.counter}: ${p.subject}  -- ${state}`);
      if (p.diff) out.push(...diffLines(p.diff, '      '));
    }
    if (s.diff) {
      out.push('  whole series:');
      out.push(...diffLines(s.diff, '      '));
    }
    if (s.diffOnly) {
      out.push(`  diff-only mode: ${s.reason ?? ''}`);
      const d = s.diffOnly;
      out.push(...diffLines({
        kfuncsAdded: d.kfuncsAdded, kfuncsRemoved: d.kfuncsRemoved, flagsChanged: d.flagsChanged, flagDefsAdded: d.flagDefsAdded,
        flagDefsRemoved: d.flagDefsRemoved, flagDefsRenumbered: d.flagDefsRenumbered, structMembersAdded: d.structMembersAdded,
        structMembersRemoved: d.structMembersRemoved, selftestsAdded: [], selftestsChanged: [], selftestsRemoved: [],
      }, '      '));
      out.push('  not run without a tree:');
      for (const c of d.notRun) out.push(`      ${c.check}: ${c.reason}`);
    }
  }
  return out.join('\n') + '\n';
}

export async function runKfuncs(opts: { tree: string; series?: string; format?: string }, io: KfuncsIo): Promise<number> {
  const format = opts.format ?? 'text';
  if (format !== 'text' && format !== 'json') {
    io.stderr(`bpf-review kfuncs: --format must be text or json, not ${format}\n`);
    return EXIT_CANNOT_RUN;
  }
  try {
    const report = await collectKfuncs(opts);
    io.stdout(format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderKfuncsText(report));
    return EXIT_OK;
  } catch (e) {
    if (e instanceof InputError) {
      io.stderr(`bpf-review kfuncs: ${e.message}\n`);
      return EXIT_CANNOT_RUN;
    }
    throw e;
  }
}

export function register(program: Command): void {
  program
    .command('kfuncs')
    .description('the kfunc table of a kernel tree (flags, program types, prototypes) and, with --series, what a series changes in it')
    .requiredOption('--tree <dir>', 'kernel tree: a git checkout (used read-only) or a plain directory')
    .option('--series <source>', 'a patch series (mbox, .eml, maildir) to apply patch by patch')
    .option('--format <format>', 'text or json', 'text')
    .action(async (opts: { tree: string; series?: string; format?: string }) => {
      const code = await runKfuncs(opts, { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) });
      process.exitCode = code;
    });
}
