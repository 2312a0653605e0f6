import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CParser } from '../kernel/c-parser.js';
import { compareModelRuns, loadModel, messageMatches, messagesMatch, predictSelftests, type ModelResult } from './predict.js';
import { parseKernelVersion } from './version-semantics.js';

const here = dirname(fileURLToPath(import.meta.url));
const HEADER = readFileSync(join(here, 'fixtures', 'graph.h'), 'utf8');

let parser: CParser;
beforeAll(async () => {
  parser = await loadModel();
});

function runFile(version: string, text: string, flags = new Map<string, string[]>(), extra: { path: string; text: string }[] = []): ModelResult {
  return predictSelftests(parser, {
    version: parseKernelVersion(version),
    kfuncFlags: flags,
    files: [{ path: 'progs/graph.h', text: HEADER }, { path: 'progs/t.c', text: `#include "graph.h"\n${text}` }, ...extra],
    explain: true,
  });
}

/** One tc program with this body; its predicted verdict and message. */
function prog(version: string, body: string, opts: { section?: string; flags?: Map<string, string[]>; before?: string } = {}): { verdict: string; message: string } {
  const r = runFile(version, `${opts.before ?? ''}\nSEC("${opts.section ?? '?tc'}")\nint prog(void *ctx)\n{\n${body}\n}\n`, opts.flags);
  const p = r.programs.find((x) => x.name === 'prog');
  if (!p) throw new Error('program not found');
  return { verdict: p.predicted.verdict, message: p.predicted.message };
}

const NEW_BOX = `struct box *b = bpf_obj_new(typeof(*b));\n if (!b) return 0;`;
const NEW_ITEM = `struct item *it = bpf_obj_new(typeof(*it));\n if (!it) return 0;`;

describe('bpf_obj_new / bpf_obj_drop', () => {
  it('accepts new + NULL check + drop', () => {
    expect(prog('6.3.8', `${NEW_BOX}\n bpf_obj_drop(b);\n return 0;`)).toEqual({ verdict: 'accept', message: '' });
  });
  it('rejects a leaked object with its reference id', () => {
    const r = prog('6.3.8', `${NEW_BOX}\n return 0;`);
    expect(r.verdict).toBe('reject');
    expect(r.message).toMatch(/^Unreleased reference id=2 alloc_insn=\d+$/);
  });
  it('adds the leak suffix from v6.13', () => {
    expect(prog('6.13.0', `${NEW_BOX}\n return 0;`).message).toMatch(/Unreleased reference id=2 alloc_insn=\d+\nBPF_EXIT would lead to reference leak/);
  });
  it('rejects a non-struct type with the version text', () => {
    expect(prog('6.3.8', 'bpf_obj_new(union { int a; long b; });\n return 0;').message).toBe('bpf_obj_new type ID argument must be of a struct');
    expect(prog('6.8.0', 'bpf_obj_new(union { int a; long b; });\n return 0;').message).toBe('bpf_obj_new/bpf_percpu_obj_new type ID argument must be of a struct');
  });
  it('rejects an out-of-range local type id', () => {
    expect(prog('6.3.8', 'bpf_obj_new_impl(~0UL, NULL);\n return 0;').message).toBe('local type ID argument must be in range [0, U32_MAX]');
  });
  it('dereferencing the unchecked result is an access to ptr_or_null_', () => {
    expect(prog('6.3.8', 'return bpf_obj_new(struct box)->val;').message).toBe("R0 invalid mem access 'ptr_or_null_'");
  });
  it('use after drop reads a scalar', () => {
    expect(prog('6.3.8', `${NEW_BOX}\n bpf_obj_drop(b);\n return b->val;`).message).toMatch(/invalid mem access 'scalar'$/);
  });
  it('drop needs offset zero', () => {
    expect(prog('6.3.8', `void *p = bpf_obj_new(struct box);\n if (!p) return 0;\n bpf_obj_drop(p + 8);\n return 0;`).message).toBe('R1 must have zero offset when passed to release func');
    expect(prog('6.8.0', `void *p = bpf_obj_new(struct box);\n if (!p) return 0;\n bpf_obj_drop(p + 8);\n return 0;`).message).toBe(
      'R1 must have zero offset when passed to release func or trusted arg to kfunc',
    );
  });
  it('drop of a non-allocated pointer', () => {
    expect(prog('6.3.8', `struct mval *v = bpf_map_lookup_elem(&amap, &(int){0});\n if (!v) return 0;\n bpf_obj_drop(v);\n return 0;`).message).toBe(
      'arg#0 expected pointer to allocated object',
    );
  });
  it('direct access to special fields is disallowed', () => {
    expect(prog('6.3.8', `${NEW_BOX}\n *(int *)&b->guard = 0;\n bpf_obj_drop(b);\n return 0;`).message).toBe('direct access to bpf_spin_lock is disallowed');
    expect(prog('6.3.8', `${NEW_BOX}\n int x = *(int *)&b->link;\n bpf_obj_drop(b);\n return x;`).message).toBe('direct access to bpf_list_node is disallowed');
  });
});

describe('bpf_spin_lock / bpf_spin_unlock', () => {
  it('exit with the lock held, per version', () => {
    expect(prog('6.3.8', 'bpf_spin_lock(&xlock);\n return 0;').message).toBe('bpf_spin_unlock is missing');
    expect(prog('6.13.0', 'bpf_spin_lock(&xlock);\n return 0;').message).toBe('BPF_EXIT instruction cannot be used inside bpf_spin_lock-ed region');
    expect(prog('7.1.5', 'bpf_spin_lock(&xlock);\n return 0;').message).toBe('BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region');
  });
  it('two locks, unlock without lock, unlock of another lock', () => {
    expect(prog('6.3.8', 'bpf_spin_lock(&xlock);\n bpf_spin_lock(&ylock);\n return 0;').message).toBe('Locking two bpf_spin_locks are not allowed');
    expect(prog('6.3.8', 'bpf_spin_unlock(&xlock);\n return 0;').message).toBe('bpf_spin_unlock without taking a lock');
    expect(prog('6.3.8', 'bpf_spin_lock(&xlock);\n bpf_spin_unlock(&ylock);\n return 0;').message).toBe('bpf_spin_unlock of different lock');
  });
  it('calls while holding a lock', () => {
    expect(prog('6.3.8', 'bpf_spin_lock(&xlock);\n bpf_map_lookup_elem(&amap, &(int){0});\n bpf_spin_unlock(&xlock);\n return 0;').message).toBe(
      'function calls are not allowed while holding a lock',
    );
    const sub = 'static __noinline int sub(void) { return 1; }';
    expect(prog('6.8.0', 'bpf_spin_lock(&xlock);\n sub();\n bpf_spin_unlock(&xlock);\n return 0;', { before: sub }).message).toBe(
      'function calls are not allowed while holding a lock',
    );
    expect(prog('7.1.5', 'bpf_spin_lock(&xlock);\n sub();\n bpf_spin_unlock(&xlock);\n return 0;', { before: sub }).verdict).toBe('accept');
  });
  it('the lock offset has to match the bpf_spin_lock field', () => {
    expect(prog('6.8.0', `${NEW_BOX}\n bpf_spin_lock((void *)&b->val);\n return 0;`).message).toBe("off 44 doesn't point to 'struct bpf_spin_lock' that is at 40");
  });
});

describe('list push / pop', () => {
  const pushUnderLock = `${NEW_BOX}\n bpf_spin_lock(&xlock);\n bpf_list_push_front(&xhead, &b->link);\n`;
  it('push under the lock and pop with a NULL check is accepted', () => {
    const body = `${pushUnderLock} bpf_spin_unlock(&xlock);
 bpf_spin_lock(&xlock);
 struct bpf_list_node *n = bpf_list_pop_back(&xhead);
 bpf_spin_unlock(&xlock);
 if (!n) return 1;
 bpf_obj_drop(container_of(n, struct box, link));
 return 0;`;
    expect(prog('6.2.12', body).verdict).toBe('accept');
    expect(prog('6.3.8', body).verdict).toBe('accept');
    expect(prog('7.1.5', body).verdict).toBe('accept');
  });
  it('a popped node must be released', () => {
    expect(prog('6.3.8', 'bpf_spin_lock(&xlock);\n struct bpf_list_node *n = bpf_list_pop_front(&xhead);\n bpf_spin_unlock(&xlock);\n return 0;').message).toMatch(
      /^Unreleased reference id=2 /,
    );
  });
  it('push without the lock names the lock offset of the section', () => {
    // xhead is used first, so clang lays it out first: xhead at 0, xlock at 16
    const r = prog('6.3.8', `${NEW_BOX}\n bpf_list_push_front(&xhead, &b->link);\n bpf_spin_lock(&xlock);\n bpf_spin_unlock(&xlock);\n return 0;`);
    expect(r.message).toBe('bpf_spin_lock at off=16 must be held for bpf_list_head');
  });
  it('push under a lock of another allocation', () => {
    const r = prog('6.3.8', `${NEW_BOX}\n bpf_spin_lock(&ylock);\n bpf_list_push_front(&xhead, &b->link);\n bpf_spin_unlock(&ylock);\n return 0;`);
    expect(r.message).toMatch(/^held lock and object are not in the same allocation\nbpf_spin_lock at off=\d+ must be held for bpf_list_head$/);
  });
  it('v6.2: the pushed node is untrusted (read only) until unlock', () => {
    const body = `${pushUnderLock} b->val = 1;\n bpf_spin_unlock(&xlock);\n return 0;`;
    expect(prog('6.2.12', body).message).toBe('only read is supported');
    expect(prog('6.3.8', body).verdict).toBe('accept');
  });
  it('using the node after unlock is a scalar access (v6.2 release_on_unlock, v6.3 non-owning invalidation)', () => {
    const body = `${pushUnderLock} bpf_spin_unlock(&xlock);\n return b->val;`;
    expect(prog('6.2.12', body).message).toMatch(/invalid mem access 'scalar'$/);
    expect(prog('6.3.8', body).message).toMatch(/invalid mem access 'scalar'$/);
    expect(prog('6.3.8', `${pushUnderLock} int x = b->val;\n bpf_spin_unlock(&xlock);\n return x;`).verdict).toBe('accept');
  });
  it('a second push of the same node', () => {
    const body = `${pushUnderLock} bpf_list_push_back(&xhead, &b->link);\n bpf_spin_unlock(&xlock);\n return 0;`;
    expect(prog('6.2.12', body).message).toBe('arg#1 expected pointer to allocated object');
    expect(prog('6.3.8', body).message).toBe('arg#1 expected pointer to allocated object');
  });
  it('node checks: not found, wrong struct, wrong offset', () => {
    const lock = (x: string): string => `bpf_spin_lock(&xlock);\n ${x}\n bpf_spin_unlock(&xlock);\n`;
    expect(prog('6.3.8', `${NEW_BOX}\n ${lock('bpf_list_push_front(&xhead, (void *)&b->link + 1);')} return 0;`).message).toBe('bpf_list_node not found at offset=1');
    expect(prog('6.3.8', `${NEW_ITEM}\n ${lock('bpf_list_push_front(&xhead, &it->link);')} return 0;`).message).toBe(
      'operation on bpf_list_head expects arg#1 bpf_list_node at offset=0 in struct box, but arg is at offset=0 in struct item',
    );
    expect(prog('6.3.8', `${NEW_BOX}\n ${lock('bpf_list_push_front(&xhead, &b->link2);')} return 0;`).message).toBe('arg#1 offset=40, but expected bpf_list_node at offset=0 in struct box');
    // node sizes grew in v6.4 (owner field): link2 moves from 40 to 48
    expect(prog('6.8.0', `${NEW_BOX}\n ${lock('bpf_list_push_front(&xhead, &b->link2);')} return 0;`).message).toBe('arg#1 offset=48, but expected bpf_list_node at offset=0 in struct box');
  });
  it('head checks: not found, variable offset, not a map value', () => {
    // xlock is used first here, so the section is laid out xlock@0, xhead@8
    expect(prog('6.3.8', `bpf_spin_lock(&xlock);\n bpf_list_pop_front((void *)&xhead + 1);\n bpf_spin_unlock(&xlock);\n return 0;`).message).toBe(
      'bpf_list_head not found at offset=9',
    );
    expect(
      prog('6.3.8', `bpf_spin_lock(&xlock);\n bpf_list_pop_front((void *)&xhead + ((struct __sk_buff *)ctx)->len);\n bpf_spin_unlock(&xlock);\n return 0;`).message,
    ).toBe("R1 doesn't have constant offset. bpf_list_head has to be at the constant offset");
    expect(prog('6.3.8', `${NEW_BOX}\n bpf_spin_lock(&b->guard);\n bpf_list_pop_front((void *)&b->items + ((struct __sk_buff *)ctx)->len);\n bpf_spin_unlock(&b->guard);\n bpf_obj_drop(b);\n return 0;`).message).toBe(
      'variable ptr_ access var_off=(0x0; 0xffffffff) disallowed',
    );
  });
  it('a list in an allocated object uses that object’s lock', () => {
    const body = `${NEW_BOX}\n struct item *it = bpf_obj_new(typeof(*it));\n if (!it) { bpf_obj_drop(b); return 0; }\n bpf_spin_lock(&b->guard);\n bpf_list_push_front(&b->items, &it->link);\n bpf_spin_unlock(&b->guard);\n bpf_obj_drop(b);\n return 0;`;
    expect(prog('6.3.8', body).verdict).toBe('accept');
    expect(prog('6.3.8', body.replace('bpf_spin_lock(&b->guard)', 'bpf_spin_lock(&xlock)').replace('bpf_spin_unlock(&b->guard)', 'bpf_spin_unlock(&xlock)')).message).toBe(
      'held lock and object are not in the same allocation\nbpf_spin_lock at off=32 must be held for bpf_list_head',
    );
  });
  it('tracing programs cannot use a section holding a list head', () => {
    expect(prog('6.2.12', 'bpf_list_push_front(&xhead, NULL);\n return 0;', { section: '?kprobe/x' }).message).toBe('tracing progs cannot use bpf_list_head yet');
    expect(prog('6.3.8', 'bpf_list_push_front(&xhead, NULL);\n return 0;', { section: '?tp/x' }).message).toBe('tracing progs cannot use bpf_{list_head,rb_root} yet');
  });
});

describe('rbtree', () => {
  const add = `struct tnode *n = bpf_obj_new(typeof(*n));\n if (!n) return 0;\n bpf_spin_lock(&xlock);\n bpf_rbtree_add(&xroot, &n->rb, tless);\n`;
  it('add then first/remove with checks is accepted', () => {
    const body = `${add} struct bpf_rb_node *r = bpf_rbtree_first(&xroot);
 if (!r) { bpf_spin_unlock(&xlock); return 0; }
 r = bpf_rbtree_remove(&xroot, r);
 bpf_spin_unlock(&xlock);
 if (!r) return 0;
 bpf_obj_drop(container_of(r, struct tnode, rb));
 return 0;`;
    expect(prog('6.8.0', body).verdict).toBe('accept');
  });
  it('v6.3: remove returns a non-NULL owning ref (flags KF_ACQUIRE); v6.4+: maybe NULL', () => {
    const body = `${add} struct bpf_rb_node *r = bpf_rbtree_first(&xroot);
 if (!r) { bpf_spin_unlock(&xlock); return 0; }
 r = bpf_rbtree_remove(&xroot, r);
 bpf_spin_unlock(&xlock);
 bpf_obj_drop(container_of(r, struct tnode, rb));
 return 0;`;
    expect(prog('6.3.8', body).verdict).toBe('accept');
    expect(prog('6.8.0', body).message).toBe('Possibly NULL pointer passed to trusted arg0');
    // the flags come from the tree's table: a table without KF_RET_NULL behaves like v6.3
    expect(prog('6.8.0', body, { flags: new Map([['bpf_rbtree_remove', ['KF_ACQUIRE']]]) }).verdict).toBe('accept');
  });
  it('v6.3: remove invalidates every non-owning ref; v6.4+: it does not', () => {
    const body = `${add} struct bpf_rb_node *r = bpf_rbtree_first(&xroot);
 if (!r) { bpf_spin_unlock(&xlock); return 0; }
 struct bpf_rb_node *o = bpf_rbtree_remove(&xroot, r);
 long k = n->key;
 bpf_spin_unlock(&xlock);
 if (o) bpf_obj_drop(container_of(o, struct tnode, rb));
 return k;`;
    expect(prog('6.3.8', body).message).toMatch(/invalid mem access 'scalar'$/);
    expect(prog('6.8.0', body).verdict).toBe('accept');
  });
  it('remove needs a non-owning ref (v6.3–v6.15) or also an owning one (v6.16+)', () => {
    const body = `struct tnode *m = bpf_obj_new(typeof(*m));\n if (!m) return 0;\n bpf_spin_lock(&xlock);
 struct bpf_rb_node *r = bpf_rbtree_remove(&xroot, &m->rb);
 bpf_spin_unlock(&xlock);
 bpf_obj_drop(m);
 if (r) bpf_obj_drop(container_of(r, struct tnode, rb));
 return 0;`;
    expect(prog('6.3.8', body).message).toBe('rbtree_remove node input must be non-owning ref');
    expect(prog('7.1.5', body).verdict).toBe('accept');
    const escape = `${add} bpf_spin_unlock(&xlock);\n bpf_spin_lock(&xlock);\n bpf_rbtree_remove(&xroot, &n->rb);\n bpf_spin_unlock(&xlock);\n return 0;`;
    expect(prog('6.8.0', escape).message).toBe('rbtree_remove node input must be non-owning ref');
    expect(prog('7.1.5', escape).message).toBe('bpf_rbtree_remove can only take non-owning or refcounted bpf_rb_node pointer');
  });
  it('the less() callback is verified with non-owning args', () => {
    const cb = (inner: string): string => `static bool bad(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	struct tnode *x = container_of(a, struct tnode, rb);
	${inner}
	return x->key < 3;
}`;
    const body = `struct tnode *n = bpf_obj_new(typeof(*n));\n if (!n) return 0;\n bpf_spin_lock(&xlock);\n bpf_rbtree_add(&xroot, &n->rb, bad);\n bpf_spin_unlock(&xlock);\n return 0;`;
    expect(prog('6.3.8', body, { before: cb('bpf_spin_unlock(&xlock);') }).message).toBe("can't spin_{lock,unlock} in rbtree cb");
    expect(prog('6.3.8', body, { before: cb('bpf_rbtree_remove(&xroot, &x->rb);') }).message).toBe('rbtree_remove not allowed in rbtree cb');
    expect(prog('6.3.8', body, { before: cb('bpf_rbtree_add(&xroot, &x->rb, tless);') }).message).toBe('arg#1 expected pointer to allocated object');
    expect(prog('6.8.0', body, { before: cb('bpf_rcu_read_lock();') }).message).toBe('Calling bpf_rcu_read_lock in unnecessary rbtree callback');
    expect(prog('6.3.8', body, { before: cb('') }).verdict).toBe('accept');
  });
  it('unchecked remove result passed on: modified ptr_or_null_ (v6.8) / NULL to trusted arg (v7)', () => {
    const body = `bpf_spin_lock(&xlock);
 struct bpf_rb_node *r = bpf_rbtree_first(&xroot);
 if (!r) { bpf_spin_unlock(&xlock); return 0; }
 r = bpf_rbtree_remove(&xroot, r);
 bpf_spin_unlock(&xlock);
 bpf_spin_lock(&xlock);
 bpf_rbtree_add(&xroot, r, tless);
 bpf_spin_unlock(&xlock);
 return 0;`;
    expect(prog('6.8.0', body).message).toBe('dereference of modified ptr_or_null_ ptr R2 off=16 disallowed');
    expect(prog('7.1.5', body).message).toBe('Possibly NULL pointer passed to trusted arg1');
  });
});

describe('bpf_refcount_acquire', () => {
  const add = `struct rnode *n = bpf_obj_new(typeof(*n));\n if (!n) return 0;\n bpf_spin_lock(&xlock);\n bpf_rbtree_add(&rroot, &n->rb, rless);\n`;
  it('acquire on a non-owning ref gives a maybe-NULL owning ref that must be released', () => {
    expect(prog('6.8.0', `${add} struct rnode *m = bpf_refcount_acquire(n);\n bpf_spin_unlock(&xlock);\n if (m) bpf_obj_drop(m);\n return 0;`).verdict).toBe('accept');
    expect(prog('6.8.0', `${add} struct rnode *m = bpf_refcount_acquire(n);\n bpf_spin_unlock(&xlock);\n return 0;`).message).toMatch(/^Unreleased reference id=4 alloc_insn=\d+$/);
  });
  it('maybe-NULL argument, missing bpf_refcount field', () => {
    expect(prog('6.8.0', `struct rnode *n = bpf_obj_new(typeof(*n));\n struct rnode *m = bpf_refcount_acquire(n);\n return 0;`).message).toBe(
      'Possibly NULL pointer passed to trusted arg0',
    );
    expect(prog('6.8.0', `${NEW_BOX}\n struct box *m = bpf_refcount_acquire(b);\n return 0;`).message).toBe("arg#0 doesn't point to a type with bpf_refcount field");
    expect(prog('6.8.0', `struct mval *v = bpf_map_lookup_elem(&amap, &(int){0});\n if (!v) return 0;\n bpf_refcount_acquire(v);\n return 0;`).message).toBe(
      'arg#0 is neither owning or non-owning ref',
    );
  });
});

describe('alloc_insn: approximate BPF instruction index of the acquiring call', () => {
  it('counts argument set-up (ld_imm64 = 2), implicit _impl args, hoisted r0 and saves to callee-saved registers', () => {
    const body = `struct rnode *n = bpf_obj_new(typeof(*n));
 if (!n)
   return 1;
 bpf_spin_lock(&xlock);
 bpf_rbtree_add(&rroot, &n->rb, rless);
 struct rnode *m = bpf_refcount_acquire(n);
 bpf_spin_unlock(&xlock);
 if (!m)
   return 2;
 m->key = 2;
 return 0;`;
    // 0-1 ld type id, 2 r2=0, 3 call, 4 r6=r0, 5 r0=1, 6 jump, 7-8 ld xlock, 9 call,
    // 10-11 ld rroot, 12-13 r2=r6+8, 14-15 ld rless, 16-17 meta/off, 18 call, 19 r1=r6, 20 r2=0, 21 call
    expect(prog('6.8.0', body).message).toBe('Unreleased reference id=4 alloc_insn=21');
  });
});

describe('kfunc flags from the tree table', () => {
  const before = 'extern struct task_struct *my_acquire(void) __ksym;\nextern void my_release(struct task_struct *p) __ksym;';
  const flags = new Map([
    ['my_acquire', ['KF_ACQUIRE', 'KF_RET_NULL']],
    ['my_release', ['KF_RELEASE']],
  ]);
  it('acquire/release pair by flags', () => {
    expect(prog('6.8.0', 'struct task_struct *t = my_acquire();\n if (!t) return 0;\n my_release(t);\n return 0;', { before, flags }).verdict).toBe('accept');
    expect(prog('6.8.0', 'struct task_struct *t = my_acquire();\n if (!t) return 0;\n return 0;', { before, flags }).message).toMatch(/^Unreleased reference/);
  });
  it('a release kfunc without a referenced argument', () => {
    expect(prog('6.8.0', 'my_release(NULL);\n return 0;', { before, flags: new Map([['my_release', ['KF_RELEASE']]]) }).message).toBe('Possibly NULL pointer passed to trusted arg0');
    expect(prog('6.3.8', 'my_release(NULL);\n return 0;', { before, flags: new Map([['my_release', ['KF_RELEASE']]]) }).message).toBe(
      'release kernel function my_release expects refcounted PTR_TO_BTF_ID',
    );
  });
  it('dropping KF_ACQUIRE makes the leak disappear (a patch changing flags changes the model)', () => {
    const body = 'struct task_struct *t = my_acquire();\n if (!t) return 0;\n return 0;';
    expect(prog('6.8.0', body, { before, flags: new Map([['my_acquire', ['KF_RET_NULL']]]) }).verdict).toBe('accept');
  });
});

describe('programs, expectations, unsupported constructs', () => {
  it('reads __failure/__msg and scores messages (substring and {{regex}})', () => {
    const r = runFile(
      '6.3.8',
      `SEC("?tc")\n__failure __msg("Unreleased reference id={{[0-9]+}}")\nint leak(void *ctx)\n{\n ${NEW_BOX}\n return 0;\n}\n
SEC("tc")\n__success\nint fine(void *ctx)\n{\n return 0;\n}\n`,
    );
    expect(r.programs.map((p) => [p.name, p.expected.verdict, p.agree, p.messageAgree])).toEqual([
      ['leak', 'reject', true, true],
      ['fine', 'accept', true, true],
    ]);
    expect(r.totals).toMatchObject({ programs: 2, verdictAgree: 2, messageAgree: 2 });
  });
  it('takes expectations from a prog_tests table', () => {
    const table = `static struct { const char *prog_name; const char *err_msg; } t_fail[] = {\n\t{ "leak", "Unreleased reference" },\n};\n`;
    const r = runFile('6.3.8', `SEC("?tc")\nint leak(void *ctx)\n{\n ${NEW_BOX}\n return 0;\n}\n`, new Map(), [{ path: 'prog_tests/t.c', text: table }]);
    expect(r.programs[0]!.expected).toMatchObject({ verdict: 'reject', source: 'table', message: 'Unreleased reference' });
    expect(r.programs[0]!.agree).toBe(true);
  });
  it('says unsupported instead of guessing', () => {
    const r = prog('6.3.8', 'switch (1) { case 1: return 0; }\n return 1;');
    expect(r.verdict).toBe('unsupported');
    expect(r.message).toBe('unsupported: statement switch_statement');
    expect(prog('6.3.8', 'return some_unknown_helper(1);').message).toBe('unsupported: call to some_unknown_helper');
  });
  it('unrolls constant loops and tracks the loop counter in conditions', () => {
    const body = `struct box *arr[4];
 int i;
 for (i = 0; i < 4; i++) {
   arr[i] = bpf_obj_new(typeof(**arr));
   if (!arr[i]) return 0;
   if (i < 4) bpf_obj_drop(arr[i]);
 }
 return 0;`;
    expect(prog('6.3.8', body).verdict).toBe('accept');
    // the last one is not dropped: ids 7 (NULL check) and 8 (reference) belong to the 4th allocation
    expect(prog('6.3.8', body.replace('if (i < 4)', 'if (i < 3)')).message).toMatch(/^Unreleased reference id=8 /);
  });
  it('an allocation loop that leaks earlier objects when a later one fails is rejected', () => {
    const body = `struct box *arr[2];\n int i;\n for (i = 0; i < 2; i++) {\n arr[i] = bpf_obj_new(typeof(**arr));\n if (!arr[i]) return 0;\n }\n bpf_obj_drop(arr[0]);\n bpf_obj_drop(arr[1]);\n return 0;`;
    expect(prog('6.3.8', body).message).toMatch(/^Unreleased reference id=2 /);
  });
  it('goto to a label of the function body', () => {
    const body = `${NEW_BOX}\n if (b->val) goto out;\n bpf_obj_drop(b);\n return 0;\nout:\n bpf_obj_drop(b);\n return 1;`;
    expect(prog('6.3.8', body).verdict).toBe('accept');
  });
  it('--explain trail shows the path up to the failing step', () => {
    const r = runFile('6.3.8', `SEC("?tc")\nint p(void *ctx)\n{\n ${NEW_BOX}\n bpf_obj_drop(b);\n return b->val;\n}\n`);
    const trail = r.programs[0]!.trail!;
    expect(trail.some((l) => /bpf_obj_new -> OWN\?\(box/.test(l))).toBe(true);
    expect(trail.some((l) => /bpf_obj_drop: ref 2 released/.test(l))).toBe(true);
    expect(trail[trail.length - 1]).toMatch(/error: R1 invalid mem access 'scalar'/);
  });
});

describe('compareModelRuns', () => {
  it('reports a flip whose expectation did not change', () => {
    const src = `SEC("?tc")\n__failure __msg("only read is supported")\nint w(void *ctx)\n{\n ${NEW_BOX}\n bpf_spin_lock(&xlock);\n bpf_list_push_front(&xhead, &b->link);\n b->val = 1;\n bpf_spin_unlock(&xlock);\n return 0;\n}\n`;
    const before = runFile('6.2.12', src);
    const after = runFile('6.3.8', src);
    expect(before.programs[0]!.agree).toBe(true);
    const flips = compareModelRuns(before, after);
    expect(flips).toHaveLength(1);
    expect(flips[0]).toMatchObject({ name: 'w', verdictFlipped: true, expectationChanged: false, disagreesAfter: true });
    expect(compareModelRuns(before, before)).toEqual([]);
  });
});

describe('message matching', () => {
  it('substring, regex and ordered multiple messages', () => {
    expect(messageMatches('id=4 alloc_insn={{[0-9]+}}', 'Unreleased reference id=4 alloc_insn=21')).toBe(true);
    expect(messageMatches('id=4 alloc_insn={{[0-9]+}}', 'Unreleased reference id=5 alloc_insn=21')).toBe(false);
    expect(messageMatches('off=(0x0; 0xffffffff)', 'variable ptr_ access var_off=(0x0; 0xffffffff) disallowed')).toBe(true);
    expect(messagesMatch(['a', 'c'], 'a b c')).toBe(true);
    expect(messagesMatch(['c', 'a'], 'a b c')).toBe(false);
  });
});
