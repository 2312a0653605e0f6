import { defineSeriesRule } from '../../src/engine/rule-kit.js';
import type { Patch } from '../../src/model/patch.js';
import { filePath, type FileDiff } from '../../src/model/diff.js';
import { parseSubject } from '../../src/ingest/mail/parse-subject.js';
import { SELFTESTS, behaviourChanges, touchesSelftests } from '../selftests-missing/behaviour-change.js';

const STOP = new Set(['bpf', 'bpf-next', 'selftests', 'selftest', 'test', 'tests', 'testing', 'add', 'adds', 'added', 'update', 'updates', 'support', 'for', 'with', 'the', 'and', 'from', 'into', 'when', 'that', 'this', 'make', 'use', 'fix', 'fixes', 'new', 'more', 'some', 'allow', 'remove', 'check', 'checks', 'kfunc', 'kfuncs', 'verifier', 'libbpf']);

function words(title: string): Set<string> {
  return new Set(title.toLowerCase().split(/[^a-z0-9_-]+/).filter((w) => w.length >= 4 && !STOP.has(w)));
}

function titleOf(p: Patch): string {
  return parseSubject(p.subject).title.replace(/^[\w/ -]+:\s*/, '');
}

/** Text of the lines a patch changes in selftests (added and removed). */
function selftestChangedText(p: Patch): string {
  const out: string[] = [];
  for (const f of p.files) {
    if (!filePath(f).startsWith(SELFTESTS)) continue;
    for (const h of f.hunks) for (const l of h.lines) if (l.kind !== 'ctx') out.push(l.text);
  }
  return out.join('\n');
}

/** Message fragments a selftest would assert on: the literal runs (no format specifiers) of strings in changed lines. */
function messageFragments(p: Patch): string[] {
  const out = new Set<string>();
  for (const f of p.files) {
    if (filePath(f).startsWith(SELFTESTS)) continue;
    for (const h of f.hunks) {
      for (const l of h.lines) {
        if (l.kind === 'ctx') continue;
        for (const m of l.text.matchAll(/"((?:[^"\\]|\\.)*)"/g)) {
          for (const piece of m[1]!.replace(/\\n/g, '').split(/%[-+ #0-9.]*[a-zA-Z]+/)) {
            if (piece.trim().length >= 12) out.add(piece.trim());
          }
        }
      }
    }
  }
  return [...out];
}

/** Lines removed that do not come back (whitespace aside): an existing expectation changed, not only tests added. */
function changesText(f: FileDiff): boolean {
  const bag = new Map<string, number>();
  for (const h of f.hunks) {
    for (const l of h.lines) {
      if (l.kind === 'ctx') continue;
      const t = l.text.replace(/\s+/g, '');
      if (t === '' || t.startsWith('*') || t.startsWith('/*') || t.startsWith('//')) continue;
      bag.set(t, (bag.get(t) ?? 0) + (l.kind === 'add' ? 1 : -1));
    }
  }
  return [...bag.values()].some((n) => n < 0);
}

/** Test sources (programs, runners, verifier test tables), not the Makefile, configs or shared headers. */
const TEST_SOURCE = /\.c$/;

/** The later patch changes existing selftests (not only adds new ones, nor edits tests the series itself created). */
function changesExistingSelftests(p: Patch, createdEarlier: Set<string>): string[] {
  return p.files
    .filter((f) => filePath(f).startsWith(SELFTESTS) && TEST_SOURCE.test(filePath(f)) && f.status === 'modified' && !createdEarlier.has(filePath(f)) && changesText(f))
    .map(filePath);
}

const ANNOUNCES_LATER_TESTS = /\b(?:(?:following|next|subsequent|later)\s+(?:patch|commit)|patch\s+immediately\s+following)\b[^.]*\b(?:test|selftest)/i;
const REFERS_BACK = /\b(?:previous|preceding|prior|earlier|last)\s+(?:patch|commit)\b/i;

export const rule = defineSeriesRule({
  id: 'selftests-after-behaviour-change',
  description: 'A patch changes verifier behaviour or kfunc flags without touching selftests, and a later patch of the series updates existing selftests that exercise that behaviour, so the tests fail in between and the series does not bisect.',
  severity: 'warning',
  needs: [],
  source: 'Alexei Starovoitov on the 2-patch respin "bpf: Migrate release_on_unlock logic to non-owning ref semantics" / "selftests/bpf: Update linked_list tests for non-owning ref semantics" (shared/seed/thread/a-*); Documentation/process/submitting-patches.rst "Separate your changes" (each patch must build and run: git bisect)',
  messages: {
    later: 'This patch changes {{what}}, and patch {{later}} ("{{title}}") then changes existing selftests that exercise it ({{files}}). Do those selftests fail when the series is applied only up to this patch? If so, the series does not bisect: could the selftest changes be folded into this patch?',
  },
}, (ctx) => {
  const { series } = ctx;
  if (series.partialReroll || series.missing.length > 0) return;
  const ps = series.patches;
  for (let k = 0; k < ps.length; k++) {
    const pk = ps[k]!;
    if (touchesSelftests(pk)) continue;
    const changes = behaviourChanges(pk);
    if (changes.length === 0) continue;
    const kfuncs = changes.flatMap((c) => c.kfuncs);
    const fragments = messageFragments(pk);
    const kWords = words(titleOf(pk));
    const announces = ANNOUNCES_LATER_TESTS.test(pk.commitMessage);
    for (let j = k + 1; j < ps.length; j++) {
      const pj = ps[j]!;
      // a patch that changes behaviour itself and updates tests with it is the right shape
      if (behaviourChanges(pj).length > 0) continue;
      const createdBefore = new Set(ps.slice(0, j).flatMap((p) => p.files.filter((f) => f.status === 'added').map(filePath)));
      const files = changesExistingSelftests(pj, createdBefore);
      if (files.length === 0) continue;
      const text = selftestChangedText(pj);
      const shared = [...words(titleOf(pj))].filter((w) => kWords.has(w));
      const related =
        kfuncs.some((n) => text.includes(n)) ||
        fragments.some((f) => text.includes(f)) ||
        shared.length >= 2 ||
        (announces && j === k + 1) ||
        (REFERS_BACK.test(pj.commitMessage) && j === k + 1);
      if (!related) continue;
      const what = [changes.some((c) => c.what === 'verifier') ? 'verifier behaviour' : '', kfuncs.length ? `the flags of ${kfuncs.join(', ')}` : ''].filter(Boolean).join(' and ');
      const shown = files.map((f) => f.slice(SELFTESTS.length));
      ctx.report({ messageId: 'later', data: { what, later: pj.counter, title: parseSubject(pj.subject).title, files: shown.slice(0, 3).join(', ') + (shown.length > 3 ? ', ...' : '') }, patch: pk.counter, file: null });
      break;
    }
  }
});
