import { loadCParser, type CParser } from '../kernel/c-parser.js';
import { isProgTestsFile, isProgsFile, scanPrograms, scanTables } from '../kernel/selftests.js';
import type { KernelVersion, SelftestProgram } from '../model/kernel-facts.js';
import { TypeRegistry } from './ctypes.js';
import { runProgram } from './interpreter.js';
import { Preprocessor, fileSetResolver } from './preprocess.js';
import { buildUnit } from './unit.js';
import { versionSemantics, type VersionSemantics } from './version-semantics.js';

export type PredictedVerdict = 'accept' | 'reject' | 'unsupported';

export interface ModelProgramResult {
  name: string;
  /** path of the progs file in the tree */
  file: string;
  line: number;
  section: string;
  expected: { verdict: 'accept' | 'reject'; message: string; messages: string[]; source: 'annotation' | 'table' | 'default' };
  predicted: { verdict: PredictedVerdict; message: string; unsupported?: string };
  agree: boolean;
  messageAgree: boolean;
  /** explain lines (only with explain: true) */
  trail?: string[];
  /** line of the failing step */
  errorLine?: number;
  /** exploration size: paths that reached the program exit, statement states executed */
  stats?: { paths: number; steps: number };
  /** functions (static subprograms, helpers, kfuncs) the program called on the explored paths */
  calls?: string[];
}

export interface ModelTotals {
  programs: number;
  verdictAgree: number;
  messageAgree: number;
  unsupported: number;
  /** programs whose expectation is a reject (messages are scored on these) */
  expectedRejects: number;
  /** reject programs whose first error message matches */
  rejectMessageAgree: number;
}

export interface ModelResult {
  version: string;
  programs: ModelProgramResult[];
  totals: ModelTotals;
}

export interface PredictInput {
  version: KernelVersion;
  /** name → KF_* flags, from the tree's BTF_ID_FLAGS tables (missing entries fall back to the version defaults) */
  kfuncFlags: Map<string, string[]>;
  files: { path: string; text: string }[];
  /** only these program names */
  programs?: string[];
  explain?: boolean;
  /**
   * Behaviour switches read from the tree itself (e.g. a series that moves the graph kfuncs to
   * non-owning references before the Makefile version says so), over the version's defaults.
   */
  semantics?: Partial<Pick<VersionSemantics, 'releaseOnUnlock' | 'nonOwningRefs'>>;
}

/** Load the tree-sitter parser once; the rest of the model is synchronous. */
export async function loadModel(): Promise<CParser> {
  return loadCParser();
}

/**
 * Does `message` (the predicted first error, possibly several log lines) contain the expected
 * text? Plain substring, or POSIX-ERE-like regex inside `{{...}}` as in the selftests.
 */
export function messageMatches(expected: string, message: string): boolean {
  if (!expected.includes('{{')) return message.includes(expected);
  let re = '';
  const parts = expected.split(/(\{\{.*?\}\})/);
  for (const p of parts) {
    if (p.startsWith('{{') && p.endsWith('}}')) re += p.slice(2, -2);
    else re += p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  try {
    return new RegExp(re).test(message);
  } catch {
    return false;
  }
}

/** All expected messages, in order (test_loader matches several __msg in sequence). */
export function messagesMatch(expected: string[], message: string): boolean {
  let rest = message;
  for (const e of expected) {
    if (!messageMatches(e, rest)) return false;
    if (!e.includes('{{')) rest = rest.slice(rest.indexOf(e) + e.length);
  }
  return true;
}

export function predictSelftests(parser: CParser, input: PredictInput): ModelResult {
  const sem: VersionSemantics = { ...versionSemantics(input.version), ...input.semantics };
  const resolver = fileSetResolver(input.files);
  // expected-failure tables of prog_tests
  const rows = new Map<string, string>();
  for (const f of input.files) {
    if (!isProgTestsFile(f.path)) continue;
    const pre = new Preprocessor(resolver).run(f.path, f.text);
    for (const r of scanTables(f.path, pre.text)) if (!rows.has(r.program)) rows.set(r.program, r.message);
  }
  const wanted = input.programs ? new Set(input.programs) : null;
  const results: ModelProgramResult[] = [];
  for (const f of input.files) {
    if (!isProgsFile(f.path)) continue;
    const pre = new Preprocessor(resolver).run(f.path, f.text);
    const progs = scanPrograms(f.path, pre.text).filter((p) => !wanted || wanted.has(p.name));
    if (!progs.length) continue;
    const reg = new TypeRegistry(sem);
    const unit = buildUnit(parser, [...pre.includes, { path: f.path, text: pre.text }], reg);
    for (const p of progs) {
      const expected = expectationOf(p, rows.get(p.name));
      const fn = unit.functions.get(p.name);
      let predicted: ModelProgramResult['predicted'];
      let trail: string[] | undefined;
      let errorLine: number | undefined;
      let stats: { paths: number; steps: number } | undefined;
      let calls: string[] | undefined;
      if (!fn) {
        predicted = { verdict: 'unsupported', message: 'unsupported: program body not found after parsing', unsupported: 'program body not found after parsing' };
      } else {
        const r = runProgram(fn, { unit, reg, sem, kfuncFlags: input.kfuncFlags, section: p.section, explain: !!input.explain });
        predicted =
          r.verdict === 'unsupported'
            ? { verdict: 'unsupported', message: r.message, unsupported: r.message.replace(/^unsupported: /, '') }
            : { verdict: r.verdict, message: r.message };
        if (input.explain) trail = r.trail;
        stats = { paths: r.paths, steps: r.steps };
        calls = r.calls;
        if (r.verdict !== 'accept') errorLine = r.line;
      }
      const agree = predicted.verdict === expected.verdict;
      const messageAgree = agree && (expected.verdict === 'accept' || messagesMatch(expected.messages, predicted.message));
      results.push({
        name: p.name,
        file: f.path,
        line: p.line,
        section: p.section,
        expected,
        predicted,
        agree,
        messageAgree,
        ...(trail ? { trail } : {}),
        ...(errorLine !== undefined ? { errorLine } : {}),
        ...(stats ? { stats } : {}),
        ...(calls ? { calls } : {}),
      });
    }
  }
  return { version: input.version.short, programs: results, totals: totalsOf(results) };
}

function expectationOf(p: SelftestProgram, tableMsg: string | undefined): ModelProgramResult['expected'] {
  if (p.expected) {
    return { verdict: p.expected.verdict, message: p.expected.messages.join('\n'), messages: p.expected.messages, source: p.expected.source };
  }
  if (tableMsg !== undefined) return { verdict: 'reject', message: tableMsg, messages: [tableMsg], source: 'table' };
  // no annotation and not in a failure table: the prog_tests runner loads it and expects success
  return { verdict: 'accept', message: '', messages: [], source: 'default' };
}

export function totalsOf(results: ModelProgramResult[]): ModelTotals {
  const rejects = results.filter((r) => r.expected.verdict === 'reject');
  return {
    programs: results.length,
    verdictAgree: results.filter((r) => r.agree).length,
    messageAgree: results.filter((r) => r.messageAgree).length,
    unsupported: results.filter((r) => r.predicted.verdict === 'unsupported').length,
    expectedRejects: rejects.length,
    rejectMessageAgree: rejects.filter((r) => r.messageAgree).length,
  };
}

export interface ModelFlip {
  name: string;
  file: string;
  before: { verdict: PredictedVerdict; message: string } | null;
  after: { verdict: PredictedVerdict; message: string } | null;
  expectedBefore: { verdict: string; message: string } | null;
  expectedAfter: { verdict: string; message: string } | null;
  /** the predicted verdict changed */
  verdictFlipped: boolean;
  /** the expectation (annotation/table) changed too */
  expectationChanged: boolean;
  /** after the change the model disagrees with the expectation */
  disagreesAfter: boolean;
}

/** Programs whose predicted outcome differs between two runs (e.g. tree before and after a patch). */
export function compareModelRuns(before: ModelResult, after: ModelResult): ModelFlip[] {
  const key = (p: ModelProgramResult): string => `${p.file}::${p.name}`;
  const b = new Map(before.programs.map((p) => [key(p), p]));
  const a = new Map(after.programs.map((p) => [key(p), p]));
  const flips: ModelFlip[] = [];
  for (const k of new Set([...b.keys(), ...a.keys()])) {
    const x = b.get(k);
    const y = a.get(k);
    const verdictFlipped = !!x && !!y && x.predicted.verdict !== y.predicted.verdict;
    const msgChanged = !!x && !!y && x.predicted.message !== y.predicted.message;
    const expectationChanged = !x || !y || x.expected.verdict !== y.expected.verdict || x.expected.message !== y.expected.message;
    if (!verdictFlipped && !msgChanged && !expectationChanged) continue;
    const p = (y ?? x)!;
    flips.push({
      name: p.name,
      file: p.file,
      before: x ? { verdict: x.predicted.verdict, message: x.predicted.message } : null,
      after: y ? { verdict: y.predicted.verdict, message: y.predicted.message } : null,
      expectedBefore: x ? { verdict: x.expected.verdict, message: x.expected.message } : null,
      expectedAfter: y ? { verdict: y.expected.verdict, message: y.expected.message } : null,
      verdictFlipped,
      expectationChanged,
      disagreesAfter: !!y && !y.agree,
    });
  }
  return flips;
}
