/**
 * Noise on real threads: runs every rule of the pack, diff-only, over the real bpf-next
 * threads in ../shared/corpus/bpf-list-threads, the merged version of the seed series
 * (../shared/seed/thread/c-*) and the clean example series, and prints every finding so each
 * one can be judged by reading the patch.
 *
 *   npx tsc -p . && node dist/scripts/noise-report.js [--info] [--json] [--shared DIR] [MBOX...]
 *
 * With MBOX arguments, reviews those instead of the default set.
 * Prints errors and warnings (and info with --info), one block per series, then a count per
 * rule. Exit code 0 whatever it finds: this is a measurement, not a gate.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ingest } from '../src/ingest/ingest.js';
import { runRules } from '../src/engine/run-rules.js';
import { factsExtractors, hasFactsExtractors } from '../src/engine/tree-facts-adapter.js';
import { allRules } from '../rules/index.js';
import type { Finding, Severity } from '../src/model/diagnostic.js';
import type { Series } from '../src/model/series.js';
import type { TreeFacts } from '../src/model/kernel-facts.js';

const here = dirname(fileURLToPath(import.meta.url));

/** The project root, from dist/scripts or scripts/. */
function projectRoot(): string {
  let dir = here;
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'rules'))) return dir;
    dir = resolve(dir, '..');
  }
  return resolve(here, '..', '..');
}

/** Registers the kernel layer's facts extractors if it provides a module that does (found by what it calls). */
async function registerKernelFacts(root: string): Promise<boolean> {
  if (hasFactsExtractors()) return true;
  for (const dir of [join(here, '..', 'src', 'kernel'), join(root, 'dist', 'src', 'kernel')]) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.js') && !x.endsWith('.test.js'))) {
      if (!readFileSync(join(dir, f), 'utf8').includes('registerFactsExtractors(')) continue;
      const mod = (await import(pathToFileURL(join(dir, f)).href)) as Record<string, unknown>;
      for (const [name, fn] of Object.entries(mod)) {
        if (!hasFactsExtractors() && typeof fn === 'function' && /^register/i.test(name)) {
          const r = (fn as () => unknown)();
          if (r instanceof Promise) await r;
        }
      }
      if (hasFactsExtractors()) return true;
    }
  }
  return hasFactsExtractors();
}

export interface NoiseSource {
  label: string;
  path: string;
}

export function noiseSources(shared: string, root: string): NoiseSource[] {
  const out: NoiseSource[] = [];
  const threads = join(shared, 'corpus', 'bpf-list-threads');
  if (existsSync(threads)) {
    for (const d of readdirSync(threads).sort()) {
      const p = join(threads, d, 'thread.mboxrd');
      if (existsSync(p)) out.push({ label: `corpus/bpf-list-threads/${d}`, path: p });
    }
  }
  const seed = join(shared, 'seed', 'thread');
  if (existsSync(seed)) {
    for (const d of readdirSync(seed).filter((x) => x.startsWith('c-')).sort()) {
      const p = join(seed, d, 'thread.mboxrd');
      if (existsSync(p)) out.push({ label: `seed/thread/${d}`, path: p });
    }
  }
  const clean = join(root, 'examples', 'series', 'clean-fix.mbox');
  if (existsSync(clean)) out.push({ label: 'examples/series/clean-fix.mbox', path: clean });
  return out;
}

export interface SeriesNoise {
  source: string;
  series: Series;
  findings: Finding[];
}

export async function reviewSource(src: NoiseSource, diffOnlyFacts: boolean): Promise<SeriesNoise[]> {
  const res = await ingest([src.path]);
  const out: SeriesNoise[] = [];
  for (const series of res.series) {
    if (series.patches.length === 0) continue;
    const diffFacts: Partial<TreeFacts>[] = series.patches.map((p) => (diffOnlyFacts ? factsExtractors().fromDiff(p.files) : {}));
    const review = runRules(allRules, {
      series, version: null, mode: 'diff-only',
      trees: series.patches.map(() => null), models: series.patches.map(() => null), diffFacts,
    });
    out.push({ source: src.label, series, findings: review.findings });
  }
  return out;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const root = projectRoot();
  const si = args.indexOf('--shared');
  const shared = si >= 0 ? resolve(args[si + 1]!) : process.env.BPF_REVIEW_SHARED ?? resolve(root, '..', 'shared');
  const withInfo = args.includes('--info');
  const shown = (s: Severity) => s !== 'info' || withInfo;
  const facts = await registerKernelFacts(root);
  const all: SeriesNoise[] = [];
  const paths = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--shared');
  const sources = paths.length ? paths.map((p) => ({ label: p, path: resolve(p) })) : noiseSources(shared, root);
  for (const src of sources) all.push(...(await reviewSource(src, facts)));

  if (args.includes('--json')) {
    process.stdout.write(JSON.stringify(all.map((s) => ({ source: s.source, subject: s.series.subject, findings: s.findings.filter((f) => shown(f.severity)) })), null, 2) + '\n');
    return;
  }
  const w = (s: string) => process.stdout.write(s + '\n');
  w(`# noise report: ${all.length} series, ${allRules.length} rules, diff-only${facts ? ' (kernel diff facts registered)' : ' (no kernel facts extractors registered: diffFacts empty)'}`);
  const perRule = new Map<string, Record<Severity, number>>();
  for (const s of all) {
    const list = s.findings.filter((f) => shown(f.severity));
    for (const f of s.findings) {
      const c = perRule.get(f.ruleId) ?? { error: 0, warning: 0, info: 0 };
      c[f.severity]++;
      perRule.set(f.ruleId, c);
    }
    w('');
    w(`## ${s.source}: ${s.series.subject} (${s.series.patches.length} patches${s.series.cover ? ' + cover' : ''})`);
    if (list.length === 0) { w('   (nothing)'); continue; }
    for (const f of list) {
      const p = s.series.patches.find((x) => x.counter === f.patch);
      const where = f.file ? `${f.file}:${f.line ?? '-'}` : '(mail)';
      w(`- [${f.severity}] ${f.ruleId}${f.kind ? '/' + f.kind : ''}  patch ${f.patch} "${p?.subject ?? s.series.subject}"  ${where}`);
      w(`    ${f.message}`);
    }
  }
  w('');
  w('## per rule (error / warning / info)');
  for (const [rule, c] of [...perRule.entries()].sort((a, b) => a[0].localeCompare(b[0]))) w(`${rule}\t${c.error}\t${c.warning}\t${c.info}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`noise-report: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(2);
});
