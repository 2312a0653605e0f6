/**
 * Patches that add a kfunc (definition + BTF_ID_FLAGS line) for the kfunc-flag rule tests,
 * in diff-only form (context of our own) and in tree form (hunks computed against a kernelTree()).
 */
import { patchBody, type FileSpec } from './make-patch.js';
import type { Tree } from './trees.js';
import './register-facts.js';

export const HELPERS = 'kernel/bpf/helpers.c';

export interface KfuncAdd {
  /** "struct foo *bpf_foo(struct foo *f)" */
  sig: string;
  /** "KF_ACQUIRE | KF_RET_NULL" or '' */
  flags: string;
  annotate?: boolean;
  static?: boolean;
}

const nameOf = (sig: string) => /(\w+)\s*\(/.exec(sig)?.[1] ?? 'x';
const regLine = (k: KfuncAdd) => (k.flags ? `BTF_ID_FLAGS(func, ${nameOf(k.sig)}, ${k.flags})` : `BTF_ID_FLAGS(func, ${nameOf(k.sig)})`);
const defLines = (k: KfuncAdd) => [`${k.annotate === false ? '' : '__bpf_kfunc '}${k.static ? 'static ' : ''}${k.sig}`, '{', /^void\s/.test(k.sig) ? '\treturn;' : '\treturn 0;', '}', ''];

/**
 * Diff-only: hunk 1 adds the definitions after line 100 context, hunk 2 the registrations inside a
 * set at line 300. Registration lines are 304, 305, ... in the new file (plus the definitions' length).
 */
export function kfuncDiff(ks: KfuncAdd[], message = 'bpf: add kfuncs'): { body: string; reg: number[]; def: number[] } {
  const defs = ks.flatMap(defLines);
  const spec: FileSpec = {
    file: HELPERS,
    hunks: [
      { at: 100, lines: [' }', ' ', ...defs.map((l) => '+' + l), ' static int helper_after(void)'] },
      { at: 300, lines: [' BTF_SET8_START(generic_btf_ids)', ' BTF_ID_FLAGS(func, bpf_other_kfunc)', ...ks.map((k) => '+' + regLine(k)), ' BTF_SET8_END(generic_btf_ids)'] },
    ],
  };
  const def: number[] = [];
  let at = 102;
  for (const k of ks) {
    def.push(at);
    at += defLines(k).length;
  }
  const reg = ks.map((_, i) => 300 + defs.length + 2 + i);
  return { body: patchBody(message, [spec]), reg, def };
}

/** Only the registration lines (the definitions are already in the tree, or not needed). */
export function regDiff(lines: string[], message = 'bpf: register kfuncs'): { body: string; reg: number[] } {
  const spec: FileSpec = { file: HELPERS, hunks: [{ at: 300, lines: [' BTF_SET8_START(generic_btf_ids)', ' BTF_ID_FLAGS(func, bpf_other_kfunc)', ...lines.map((l) => '+' + l), ' BTF_SET8_END(generic_btf_ids)'] }] };
  return { body: patchBody(message, [spec]), reg: lines.map((_, i) => 302 + i) };
}

/** Tree form: definitions after the last existing definition, registrations after bpf_task_release's. */
export function kfuncTreeEdit(tree: Tree, ks: KfuncAdd[]): { body: string; reg: number[]; def: number[] } {
  const text = tree[HELPERS] as string;
  const lines = text.split('\n');
  const lastBrace = lines.reduce((acc, l, i) => (l === '}' && lines[i - 1] !== undefined && /return/.test(lines[i - 1] as string) ? i : acc), -1);
  const defAnchor = lastBrace + 1; // 1-based line of that '}'
  const defs = ks.flatMap(defLines);
  const defSpec: FileSpec = { file: HELPERS, hunks: [{ at: defAnchor - 1, lines: [' ' + (lines[defAnchor - 2] ?? ''), ' ' + (lines[defAnchor - 1] ?? ''), ...['', ...defs.slice(0, -1)].map((l) => '+' + l), ' ' + (lines[defAnchor] ?? '')] }] };
  const regAnchor = lines.findIndex((l) => l.startsWith('BTF_ID_FLAGS(func, bpf_task_release')) + 1;
  const regHunk = { at: regAnchor - 1, lines: [' ' + (lines[regAnchor - 2] ?? ''), ' ' + (lines[regAnchor - 1] ?? ''), ...ks.map((k) => '+' + regLine(k)), ' ' + (lines[regAnchor] ?? '')] };
  const spec: FileSpec = { file: HELPERS, hunks: [...(defSpec.hunks), regHunk] };
  const def: number[] = [];
  let at = defAnchor + 2;
  for (const k of ks) {
    def.push(at);
    at += defLines(k).length;
  }
  const reg = ks.map((_, i) => regAnchor + defs.length + 1 + i);
  return { body: patchBody('bpf: add kfuncs', [spec]), reg, def };
}

