import { seriesDefaults, type Series } from '../model/series.js';
import type { Patch, PatchBody } from '../model/patch.js';
import type { Finding, SeriesReview } from '../model/diagnostic.js';
import type { KernelVersion, TreeFacts } from '../model/kernel-facts.js';
import { parsePatchBody } from '../ingest/diff/parse-patch-body.js';
import { parseSubject } from '../ingest/mail/parse-subject.js';
import type { PatchModelView, PatchTreeView, Rule } from './rule-kit.js';
import { runRules } from './run-rules.js';
import { applyFileDiffs } from './apply-file-diffs.js';
import { factsExtractors, hasFactsExtractors } from './tree-facts-adapter.js';

export interface CasePatch {
  /** Exact subject; default "[PATCH bpf-next i/N] <title>" */
  subject?: string;
  /** The mail body: commit message, trailers, ---, diffstat, diff (a bare diff is fine too). */
  body: string;
  from?: { name: string; address: string };
}

export interface RuleCase {
  name: string;
  patches: (string | CasePatch)[];
  /** A cover letter (0/N) subject and body; absent = no cover. */
  cover?: { subject: string; body?: string };
  /** Base tree files: when given, the case runs in tree mode with facts before/after each patch. */
  tree?: Record<string, string>;
  /** "6.2"; default from the tree's Makefile facts, else none. */
  version?: string;
  models?: (PatchModelView | null)[];
}

export interface ExpectedFinding {
  /** The rule's message key (RuleMeta.messages). */
  kind?: string;
  /** Substring the finding's message must contain. */
  message?: string;
  patch?: number;
  file?: string | null;
  line?: number | null;
  severity?: Finding['severity'];
}

function toVersion(v: string): KernelVersion {
  const [a, b] = v.split('.').map((n) => Number(n));
  return { version: a ?? 0, patchlevel: b ?? 0, sublevel: 0, short: `${a}.${b}` };
}

/** Builds a Series from a case: patches parsed with the real patch parser. */
export function seriesFromCase(c: RuleCase): Series {
  const total = c.patches.length;
  const patches: Patch[] = c.patches.map((p, i) => {
    const cp: CasePatch = typeof p === 'string' ? { body: p } : p;
    const subject = cp.subject ?? `[PATCH bpf-next ${i + 1}/${total}] bpf: case ${c.name} part ${i + 1}`;
    const parsed = parsePatchBody(cp.body);
    if (!parsed.ok) throw new Error(`case '${c.name}' patch ${i + 1}: ${parsed.error.message}`);
    const body: PatchBody = parsed.value;
    return {
      ...body,
      counter: total === 1 && !c.cover ? 1 : i + 1,
      messageId: `case-${i + 1}@test.invalid`,
      subject,
      author: cp.from ?? { name: 'Pat Author', address: 'pat@example.org' },
      date: '2023-01-01T00:00:00.000Z',
      replies: [],
    };
  });
  const first = c.cover?.subject ?? patches[0]?.subject ?? '';
  const ps = parseSubject(first);
  return {
    id: c.cover ? 'cover@test.invalid' : patches[0]?.messageId ?? 'none',
    subject: first,
    title: ps.title,
    revision: ps.revision,
    total,
    tree: ps.tree,
    rfc: ps.rfc,
    resend: ps.resend,
    author: patches[0]?.author ?? null,
    date: '2023-01-01T00:00:00.000Z',
    cover: c.cover ? { messageId: 'cover@test.invalid', subject: c.cover.subject, body: c.cover.body ?? '', baseCommit: null, changeId: null } : null,
    patches,
    ...seriesDefaults(),
  };
}

/** Reviews a case with the given rules, exactly as the runner does for a real series. */
export function reviewCase(rules: Rule[], c: RuleCase): SeriesReview {
  const series = seriesFromCase(c);
  const trees: (PatchTreeView | null)[] = [];
  let version: KernelVersion | null = c.version ? toVersion(c.version) : null;
  if (c.tree) {
    if (!hasFactsExtractors()) throw new Error('tree cases need the kernel facts extractors registered (await registerKernelFacts() from src/kernel/register-facts.ts in the test)');
    let files = new Map(Object.entries(c.tree));
    let facts: TreeFacts = factsExtractors().fromFiles(files);
    version = version ?? facts.version;
    for (const p of series.patches) {
      const before = files;
      const beforeFacts = facts;
      const after = applyFileDiffs(before, p.files, p.messageId);
      const afterFacts = factsExtractors().fromFiles(after);
      trees.push({
        before: beforeFacts, after: afterFacts, diff: factsExtractors().diff(beforeFacts, afterFacts),
        readBefore: (path) => before.get(path) ?? null,
        readAfter: (path) => after.get(path) ?? null,
      });
      files = after;
      facts = afterFacts;
    }
  } else {
    for (let i = 0; i < series.patches.length; i++) trees.push(null);
  }
  const diffFacts = series.patches.map((p) => (hasFactsExtractors() ? factsExtractors().fromDiff(p.files) : {}));
  return runRules(rules, {
    series, version, mode: c.tree ? 'tree' : 'diff-only', trees,
    models: c.models ?? series.patches.map(() => null), diffFacts,
  });
}

/** Asserts a finding list matches expectations (every expected one present, nothing else from this rule). */
export function matchFindings(rule: Rule, findings: Finding[], expected: ExpectedFinding[]): string | null {
  const mine = findings.filter((f) => f.ruleId === rule.meta.id);
  const crashes = findings.filter((f) => f.ruleId === 'internal-error');
  if (crashes.length) return `rule crashed: ${crashes.map((c) => c.message).join('; ')}`;
  const unmatched = [...mine];
  for (const e of expected) {
    const i = unmatched.findIndex((f) =>
      (e.kind === undefined || f.kind === e.kind) &&
      (e.message === undefined || f.message.includes(e.message)) &&
      (e.patch === undefined || f.patch === e.patch) &&
      (e.file === undefined || f.file === e.file) &&
      (e.line === undefined || f.line === e.line) &&
      (e.severity === undefined || f.severity === e.severity));
    if (i < 0) return `expected a finding ${JSON.stringify(e)}; got ${JSON.stringify(mine.map((f) => ({ file: f.file, line: f.line, patch: f.patch, message: f.message })), null, 1)}`;
    unmatched.splice(i, 1);
  }
  if (unmatched.length) return `unexpected findings: ${JSON.stringify(unmatched.map((f) => ({ file: f.file, line: f.line, message: f.message })), null, 1)}`;
  return null;
}
