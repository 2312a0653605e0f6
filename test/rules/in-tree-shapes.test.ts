/**
 * Low noise on good code: kfunc registrations in the shapes they have upstream (bpf-semantics.md
 * §4.2 table, §3.1 bpf_ct_insert_entry, the iterators), added as new kfuncs, raise nothing from
 * any kfunc rule at the version they belong to.
 */
import { describe, expect, it } from 'vitest';
import { reviewCase } from '../../src/engine/rule-tester.js';
import { allRules } from '../../rules/index.js';
import { kfuncDiff, type KfuncAdd } from './support/kfunc-patches.js';

const kfuncRules = allRules.filter((r) => /^kfunc-/.test(r.meta.id));

const SHAPES: Record<string, KfuncAdd[]> = {
  '6.2': [
    { sig: 'void *bpf_obj_new_impl(u64 local_type_id__k, void *meta__ign)', flags: 'KF_ACQUIRE | KF_RET_NULL', annotate: false },
    { sig: 'void bpf_obj_drop_impl(void *p__alloc, void *meta__ign)', flags: 'KF_RELEASE', annotate: false },
    { sig: 'void bpf_list_push_front(struct bpf_list_head *head, struct bpf_list_node *node)', flags: '', annotate: false },
    { sig: 'struct bpf_list_node *bpf_list_pop_front(struct bpf_list_head *head)', flags: 'KF_ACQUIRE | KF_RET_NULL', annotate: false },
    { sig: 'struct task_struct *bpf_task_kptr_get(struct task_struct **pp)', flags: 'KF_ACQUIRE | KF_KPTR_GET | KF_RET_NULL', annotate: false },
    { sig: 'struct task_struct *bpf_task_acquire(struct task_struct *p)', flags: 'KF_ACQUIRE | KF_TRUSTED_ARGS', annotate: false },
  ],
  '6.3': [
    { sig: 'struct bpf_rb_node *bpf_rbtree_remove(struct bpf_rb_root *root, struct bpf_rb_node *node)', flags: 'KF_ACQUIRE' },
    { sig: 'struct bpf_rb_node *bpf_rbtree_first(struct bpf_rb_root *root)', flags: 'KF_RET_NULL' },
    { sig: 'void bpf_rbtree_add(struct bpf_rb_root *root, struct bpf_rb_node *node, bool (less)(struct bpf_rb_node *a, const struct bpf_rb_node *b))', flags: '' },
  ],
  '6.8': [
    { sig: 'void *bpf_refcount_acquire_impl(void *p__refcounted_kptr, void *meta__ign)', flags: 'KF_ACQUIRE | KF_RET_NULL | KF_RCU' },
    { sig: 'struct nf_conn *bpf_ct_insert_entry(struct nf_conn___init *nfct_i)', flags: 'KF_ACQUIRE | KF_RELEASE | KF_RET_NULL' },
    { sig: 'int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end)', flags: 'KF_ITER_NEW' },
    { sig: 'int *bpf_iter_num_next(struct bpf_iter_num *it)', flags: 'KF_ITER_NEXT | KF_RET_NULL' },
    { sig: 'void bpf_iter_num_destroy(struct bpf_iter_num *it)', flags: 'KF_ITER_DESTROY' },
    { sig: 'struct cgroup *bpf_cgroup_acquire(struct cgroup *cgrp)', flags: 'KF_ACQUIRE | KF_RCU | KF_RET_NULL' },
    { sig: 'int bpf_iter_task_new(struct bpf_iter_task *it, struct task_struct *task__nullable, unsigned int flags)', flags: 'KF_ITER_NEW | KF_TRUSTED_ARGS | KF_RCU_PROTECTED' },
    { sig: 'int bpf_dynptr_from_skb(struct __sk_buff *s, u64 flags, struct bpf_dynptr_kern *ptr__uninit)', flags: '' },
    { sig: 'void *bpf_cast_to_kern_ctx(void *obj)', flags: '' },
    { sig: 'void *bpf_rdonly_cast(const void *obj__ign, u32 btf_id__k)', flags: '' },
  ],
  '7.1': [
    { sig: 'void *bpf_arena_alloc_pages(void *p__map, void *addr__ign, u32 page_cnt, int node_id, u64 flags)', flags: 'KF_ARENA_RET | KF_ARENA_ARG2' },
    { sig: 'void bpf_arena_free_pages(void *p__map, void *ptr__ign, u32 page_cnt)', flags: 'KF_SLEEPABLE | KF_ARENA_ARG2' },
    { sig: 'void *bpf_obj_new(u64 local_type_id__k, struct bpf_prog_aux *aux)', flags: 'KF_ACQUIRE | KF_RET_NULL | KF_IMPLICIT_ARGS' },
    { sig: 'struct task_struct *bpf_task_acquire(struct task_struct *p)', flags: 'KF_ACQUIRE | KF_RCU | KF_RET_NULL' },
    { sig: 'void *bpf_cast_to_kern_ctx(void *obj)', flags: 'KF_FASTCALL' },
  ],
};

describe('in-tree kfunc shapes raise nothing', () => {
  for (const [version, shapes] of Object.entries(SHAPES)) {
    it(`v${version}: ${shapes.length} kfuncs`, () => {
      const { body } = kfuncDiff(shapes);
      const review = reviewCase(kfuncRules, { name: `in-tree ${version}`, patches: [body], version });
      expect(review.findings.map((f) => `${f.ruleId}: ${f.message}`)).toEqual([]);
    });
  }
});
