/**
 * Small kernel-like trees for tree-mode rule tests, written from the facts in
 * docs/bpf-semantics.md (flag bits per version, in-tree kfunc shapes), and helpers that
 * turn "insert these lines after that one" into a hunk that applies to the tree.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { flagsAt } from '../../../src/engine/bpf-knowledge/kf-registry.js';
import { projectRoot } from '../../support/shared-data.js';
import type { FileSpec } from './make-patch.js';

export type Tree = Record<string, string>;

export interface KfuncSpec {
  /** The definition's signature ("struct task_struct *bpf_task_acquire(struct task_struct *p)"). */
  sig: string;
  /** The flags text of BTF_ID_FLAGS ("KF_ACQUIRE | KF_RET_NULL"), '' for none. */
  flags: string;
}

const V = (s: string) => {
  const [a, b] = s.split('.').map(Number);
  return { version: a ?? 0, patchlevel: b ?? 0, sublevel: 0, short: s };
};

export function defaultKfuncs(version: string): KfuncSpec[] {
  const names = new Set(flagsAt(V(version)).map((f) => f.name));
  const out: KfuncSpec[] = [
    { sig: 'void *bpf_obj_new_impl(u64 local_type_id__k, void *meta__ign)', flags: 'KF_ACQUIRE | KF_RET_NULL' },
    { sig: 'void bpf_obj_drop_impl(void *p__alloc, void *meta__ign)', flags: 'KF_RELEASE' },
    { sig: 'void bpf_list_push_front(struct bpf_list_head *head, struct bpf_list_node *node)', flags: '' },
    { sig: 'struct bpf_list_node *bpf_list_pop_front(struct bpf_list_head *head)', flags: 'KF_ACQUIRE | KF_RET_NULL' },
    { sig: 'void bpf_task_release(struct task_struct *p)', flags: 'KF_RELEASE' },
  ];
  if (names.has('KF_TRUSTED_ARGS')) out.push({ sig: 'struct task_struct *bpf_task_acquire(struct task_struct *p)', flags: 'KF_ACQUIRE | KF_TRUSTED_ARGS' });
  if (names.has('KF_RCU')) out.push({ sig: 'struct cgroup *bpf_cgroup_acquire(struct cgroup *cgrp)', flags: 'KF_ACQUIRE | KF_RCU | KF_RET_NULL' });
  if (names.has('KF_ITER_NEXT')) {
    out.push({ sig: 'int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end)', flags: 'KF_ITER_NEW' });
    out.push({ sig: 'int *bpf_iter_num_next(struct bpf_iter_num *it)', flags: 'KF_ITER_NEXT | KF_RET_NULL' });
    out.push({ sig: 'void bpf_iter_num_destroy(struct bpf_iter_num *it)', flags: 'KF_ITER_DESTROY' });
  }
  return out;
}

export function btfH(version: string, extra: string[] = []): string {
  const defs = flagsAt(V(version)).map((f) => `#define ${f.name}${" ".repeat(Math.max(1, 17 - f.name.length))}(1 << ${f.bit}) /* ${f.name.toLowerCase().replace(/^kf_/, 'kfunc ').replace(/_/g, ' ')} */`);
  return ['/* SPDX-License-Identifier: GPL-2.0 */', '#ifndef _LINUX_BTF_H', '#define _LINUX_BTF_H 1', '',
    '/* These need to be macros, as the expressions are used in assembler input */', ...defs, ...extra, '',
    '#endif', ''].join('\n');
}

export function helpersC(version: string, kfuncs: KfuncSpec[]): string {
  const v = V(version);
  const annotated = v.version > 6 || v.patchlevel >= 3;
  const defsMarkers = v.version > 6 || v.patchlevel >= 8;
  const kfuncsSet = v.version > 6 || v.patchlevel >= 9;
  const start = kfuncsSet ? 'BTF_KFUNCS_START' : 'BTF_SET8_START';
  const end = kfuncsSet ? 'BTF_KFUNCS_END' : 'BTF_SET8_END';
  const lines = ['// SPDX-License-Identifier: GPL-2.0-only', '#include <linux/bpf.h>', '#include <linux/btf.h>', '#include <linux/btf_ids.h>', ''];
  if (defsMarkers) lines.push('__bpf_kfunc_start_defs();', '');
  for (const k of kfuncs) {
    const isVoid = /^void\s/.test(k.sig);
    lines.push(`${annotated ? '__bpf_kfunc ' : ''}${k.sig}`, '{', isVoid ? '\treturn;' : '\treturn 0;', '}', '');
  }
  if (defsMarkers) lines.push('__bpf_kfunc_end_defs();', '');
  lines.push(`${start}(generic_btf_ids)`);
  for (const k of kfuncs) {
    const name = /(\w+)\s*\(/.exec(k.sig)?.[1] ?? 'unknown';
    lines.push(k.flags ? `BTF_ID_FLAGS(func, ${name}, ${k.flags})` : `BTF_ID_FLAGS(func, ${name})`);
  }
  lines.push(`${end}(generic_btf_ids)`, '',
    'static const struct btf_kfunc_id_set generic_kfunc_set = {', '\t.owner = THIS_MODULE,', '\t.set   = &generic_btf_ids,', '};', '',
    'static int __init kfunc_init(void)', '{', '\treturn register_btf_kfunc_id_set(BPF_PROG_TYPE_TRACING, &generic_kfunc_set);', '}', 'late_initcall(kfunc_init);', '');
  return lines.join('\n');
}

export function kfuncsRst(flags: string[]): string {
  const out = ['=============================', 'BPF Kernel Functions (kfuncs)', '=============================', '', '2.4 kfunc flags', '---------------', ''];
  for (const f of flags) out.push(`2.4.x ${f} flag`, '-'.repeat(`2.4.x ${f} flag`.length), '', `The ${f} flag is used to mark kfuncs that ...`, '');
  return out.join('\n');
}

/** A kernel-like tree at `version` with helpers.c kfuncs, btf.h flags and kfuncs.rst sections. */
export function kernelTree(version: string, kfuncs: KfuncSpec[] = defaultKfuncs(version), extra: Tree = {}): Tree {
  const [a, b] = version.split('.');
  const docFlags = flagsAt(V(version)).map((f) => f.name).filter((n) => !/ITER|FASTCALL|ARENA/.test(n));
  return {
    Makefile: `# SPDX-License-Identifier: GPL-2.0\nVERSION = ${a}\nPATCHLEVEL = ${b}\nSUBLEVEL = 0\nEXTRAVERSION =\nNAME = Test\n`,
    'include/linux/btf.h': btfH(version),
    'kernel/bpf/helpers.c': helpersC(version, kfuncs),
    'Documentation/bpf/kfuncs.rst': kfuncsRst(docFlags),
    ...extra,
  };
}

/** The seed fixture tree (test/fixtures/seed-tree), read from disk. */
export function seedLikeTree(): Tree {
  const root = join(projectRoot, 'test', 'fixtures', 'seed-tree');
  const out: Tree = {};
  const walk = (dir: string) => {
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(root, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(root);
  return out;
}

function findLine(text: string, anchor: string | RegExp): number {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => (typeof anchor === 'string' ? l.includes(anchor) : anchor.test(l)));
  if (i < 0) throw new Error(`anchor not found: ${String(anchor)}`);
  return i + 1;
}

/**
 * A hunk for `file` of `tree`: after the (first) line matching `anchor`, remove `remove` lines
 * and add `add`, with up to 2 lines of context each side.
 */
export function edit(tree: Tree, file: string, anchor: string | RegExp, add: string[], remove = 0): FileSpec {
  const text = tree[file];
  if (text === undefined) throw new Error(`no ${file} in tree`);
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const at = findLine(text, anchor); // 1-based, the anchor line
  const before = lines.slice(Math.max(0, at - 2), at);
  const removed = lines.slice(at, at + remove);
  const after = lines.slice(at + remove, at + remove + 2);
  const start = at - before.length + 1;
  return { file, hunks: [{ at: start, lines: [...before.map((l) => ' ' + l), ...removed.map((l) => '-' + l), ...add.map((l) => '+' + l), ...after.map((l) => ' ' + l)] }] };
}

/** The new-side line number of the first added line of a one-hunk edit. */
export function firstAddedLine(spec: FileSpec): number {
  const h = spec.hunks[0];
  if (!h) throw new Error('no hunk');
  const idx = h.lines.findIndex((l) => l.startsWith('+'));
  return h.at + h.lines.slice(0, idx).filter((l) => !l.startsWith('-')).length;
}

/** Several edits of one file as one FileSpec (hunks in file order). */
export function edits(tree: Tree, file: string, list: { anchor: string | RegExp; add: string[]; remove?: number }[]): FileSpec {
  const hunks = list.map((e) => edit(tree, file, e.anchor, e.add, e.remove ?? 0).hunks[0]!).sort((a, b) => a.at - b.at);
  return { file, hunks };
}

/** New-side line of the n-th ('+') line of a multi-hunk FileSpec (0-based over all added lines). */
export function addedLineNo(spec: FileSpec, n: number): number {
  let delta = 0;
  let k = 0;
  for (const h of spec.hunks) {
    let newLine = h.at + delta;
    for (const l of h.lines) {
      if (l.startsWith('-')) continue;
      if (l.startsWith('+')) {
        if (k === n) return newLine;
        k++;
      }
      newLine++;
    }
    delta += h.lines.filter((l) => l.startsWith('+')).length - h.lines.filter((l) => l.startsWith('-')).length;
  }
  throw new Error('no such added line');
}
