/**
 * verbose() / verifier_bug() calls that a patch adds to the verifier, with their format string
 * and the statement that follows them (the return of an error path).
 */
import type { Patch } from '../../model/patch.js';
import { formatLiteral, splitTopLevel } from './c-snippets.js';
import { hunkLines, nextCodeLine, statementFrom, type ScannedLine } from './patch-scan.js';

export interface VerifierCall {
  fn: 'verbose' | 'verifier_bug' | 'verifier_bug_if';
  file: string;
  /** new-side line of the call */
  line: number;
  /** the call line (or a line of its format string) is added by the patch */
  added: boolean;
  format: string | null;
  /** `return X;` right after the call (or after the `if (verifier_bug_if(...))`), X trimmed; null when something else follows */
  returns: string | null;
  /** the call is the condition of an if */
  inCondition: boolean;
}

const VERIFIER_FILES = /(^|\/)kernel\/bpf\/(verifier|btf|log|states|liveness|backtrack)\.c$|(^|\/)include\/linux\/bpf_verifier\.h$/;

export function isVerifierFile(path: string): boolean {
  return VERIFIER_FILES.test(path);
}

export function verifierCalls(patch: Patch): VerifierCall[] {
  const out: VerifierCall[] = [];
  for (const f of patch.files) {
    const file = f.newPath ?? '';
    if (!isVerifierFile(file)) continue;
    for (const h of f.hunks) {
      const lines = hunkLines(f, h).filter((l) => l.kind !== 'del');
      for (let i = 0; i < lines.length; i++) {
        const l = lines[i] as ScannedLine;
        const m = /\b(verbose|verifier_bug_if|verifier_bug)\s*\(/.exec(l.text);
        if (!m || /^\s*(\*|\/\/|#\s*define)/.test(l.text)) continue;
        const fn = m[1] as VerifierCall['fn'];
        const st = statementFrom(lines, i);
        const callText = st.text.slice(st.text.indexOf(m[0]));
        // the format argument: verbose(env, FMT, ...), verifier_bug(env, FMT, ...), verifier_bug_if(cond, env, FMT, ...)
        const args = callArgs(callText);
        const fmtArg = args[fn === 'verifier_bug_if' ? 2 : 1];
        const format = fmtArg && /^\s*"/.test(fmtArg) ? formatLiteral(fmtArg) : null;
        const span = lines.slice(i, st.endIndex + 1);
        const added = span.some((x) => x.kind === 'add' && (x === l || /"/.test(x.text)));
        const inCondition = /\bif\s*\(\s*(unlikely\s*\(\s*)?$/.test(l.text.slice(0, m.index)) || /\bif\s*\(\s*!?\s*$/.test(l.text.slice(0, m.index));
        const next = nextCodeLine(lines, st.endIndex);
        const rm = next ? /^\s*return\s+([^;]+);/.exec(next.text) : null;
        out.push({ fn, file, line: l.line, added, format, returns: rm ? (rm[1] as string).trim() : null, inCondition });
        i = st.endIndex;
      }
    }
  }
  return out;
}

/** The top-level arguments of the call starting at the first `(` of text (strings kept whole). */
export function callArgs(text: string): string[] {
  const open = text.indexOf('(');
  if (open < 0) return [];
  let depth = 0;
  let inStr = false;
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (inStr) {
      if (ch === '\\') i++;
      else if (ch === '"') inStr = false;
      continue;
    }
    if (ch === '"') inStr = true;
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return splitArgsKeepingStrings(text.slice(open + 1, i));
  }
  return splitArgsKeepingStrings(text.slice(open + 1));
}

function splitArgsKeepingStrings(s: string): string[] {
  // hide commas inside string literals from the splitter
  const hidden = s.replace(/"(?:[^"\\]|\\.)*"/g, (m) => m.replace(/,/g, '\u0001'));
  return splitTopLevel(hidden).map((a) => a.replace(/\u0001/g, ',').trim());
}
