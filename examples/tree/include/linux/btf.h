/* SPDX-License-Identifier: GPL-2.0 */
/* Example tree: the kfunc flag block of btf.h, as of 6.2. */

#ifndef _LINUX_BTF_H
#define _LINUX_BTF_H 1

#include <linux/types.h>

#define BTF_TYPE_EMIT(type) ((void)(type *)0)

/* These need to be macros, as the expressions are used in assembler input */
#define KF_ACQUIRE	(1 << 0) /* kfunc is an acquire function */
#define KF_RELEASE	(1 << 1) /* kfunc is a release function */
#define KF_RET_NULL	(1 << 2) /* kfunc returns a pointer that may be NULL */
#define KF_KPTR_GET	(1 << 3) /* kfunc returns reference to a kptr */
/* Trusted arguments: every pointer argument must be one the verifier knows is
 * valid, e.g. the return value of an acquire kfunc or an argument of a
 * tracepoint or struct_ops callback, passed without walking or offsetting it.
 */
#define KF_TRUSTED_ARGS (1 << 4) /* kfunc only takes trusted pointer arguments */
#define KF_SLEEPABLE    (1 << 5) /* kfunc may sleep */
#define KF_DESTRUCTIVE  (1 << 6) /* kfunc performs destructive actions */
#define KF_RCU          (1 << 7) /* kfunc only takes rcu pointer arguments */

/* Mark a function as a kfunc definition: keep it and never inline it. */
#define __bpf_kfunc __used noinline

struct btf_kfunc_id_set {
	struct module *owner;
	struct btf_id_set8 *set;
};

int register_btf_kfunc_id_set(enum bpf_prog_type prog_type,
			      const struct btf_kfunc_id_set *s);

#endif
