import { describeRule } from '../../src/engine/rule-test-table.js';
import { rule } from './rule.js';
import { patchBody, type FileSpec } from '../../test/rules/support/make-patch.js';
import { edit, kernelTree } from '../../test/rules/support/trees.js';
import '../../test/rules/support/register-facts.js';

const BTF = 'include/linux/btf.h';
const defs = (lines: string[], extra: FileSpec[] = []) => patchBody('bpf: kfunc flags', [
  { file: BTF, hunks: [{ at: 20, lines: [' /* These need to be macros, as the expressions are used in assembler input */', ...lines, ' '] }] },
  ...extra,
]);
const t62 = kernelTree('6.2');
const t71 = kernelTree('7.1');

describeRule(rule, {
  valid: [
    { name: 'a new flag on the free bit 8 at 6.2', version: '6.2', patches: [defs(['+#define KF_FOO\t(1 << 8) /* kfunc foos */'])] },
    { name: 'bit 3 is free again at 7.1', version: '7.1', patches: [defs(['+#define KF_FOO\t(1 << 3) /* kfunc foos */'])] },
    { name: 'realigning defines keeps their values', version: '6.2', patches: [defs([
      '-#define KF_ACQUIRE\t(1 << 0) /* kfunc is an acquire function */', '-#define KF_RELEASE\t(1 << 1) /* kfunc is a release function */',
      '+#define KF_ACQUIRE\t\t(1 << 0) /* kfunc is an acquire function */', '+#define KF_RELEASE\t\t(1 << 1) /* kfunc is a release function */'])] },
    { name: 'version unknown and no tree: a new bit is not judged', patches: [defs(['+#define KF_FOO\t(1 << 8) /* kfunc foos */'])] },
    ...([{ name: 'tree mode: bit 8 is free in the 6.2 tree', tree: t62, patches: [patchBody('bpf: flag', [edit(t62, BTF, 'KF_RCU ', ['#define KF_FOO          (1 << 8) /* kfunc foos */'])])] }]),
  ],
  invalid: [
    { name: 'bit 8 is KF_ITER_NEW at 6.8', version: '6.8', patches: [defs(['+#define KF_RELEASE_NON_OWN\t(1 << 8) /* kfunc converts its referenced arg into non-owning ref */'])],
      findings: [{ kind: 'collision', message: 'which KF_ITER_NEW already uses at v6.8', file: BTF, line: 21, severity: 'error' }, ] },
    { name: 'the lowest free bit is suggested (3 at 7.1)', version: '7.1', patches: [defs(['+#define KF_FOO\t(1 << 16) /* kfunc foos */'])],
      findings: [{ kind: 'collision', message: 'Could it use bit 3' }] },
    { name: 'renumbering after removing KF_KPTR_GET', version: '6.3', patches: [defs(['-#define KF_KPTR_GET\t(1 << 3)', '-#define KF_TRUSTED_ARGS (1 << 4)', '+#define KF_TRUSTED_ARGS (1 << 3)'])],
      findings: [{ kind: 'renumbered', message: 'moves KF_TRUSTED_ARGS from bit 4 to bit 3', line: 21 }] },
    { name: 'moving a bit pahole hard-codes', version: '7.1', patches: [defs(['-#define KF_FASTCALL     (1 << 12)', '+#define KF_FASTCALL     (1 << 17)'])],
      findings: [{ kind: 'renumbered' }, { kind: 'hardcoded', message: 'tools/bpf/resolve_btfids/main.c' }] },
    { name: 'moving a hard-coded bit with resolve_btfids updated: only the renumbering', version: '7.1', patches: [defs(['-#define KF_FASTCALL     (1 << 12)', '+#define KF_FASTCALL     (1 << 17)'], [
      { file: 'tools/bpf/resolve_btfids/main.c', hunks: [{ at: 10, lines: [' #define KF_IMPL_SUFFIX "_impl"', '-#define KF_FASTCALL (1 << 12)', '+#define KF_FASTCALL (1 << 17)', ' '] }] }])],
      findings: [{ kind: 'renumbered' }] },
    ...([{ name: 'tree mode: the 7.1 tree has bit 16', tree: t71, patches: [patchBody('bpf: flag', [edit(t71, BTF, 'KF_IMPLICIT_ARGS', ['#define KF_FOO          (1 << 16) /* kfunc foos */'])])],
      findings: [{ kind: 'collision', message: 'which KF_IMPLICIT_ARGS already uses at v7.1' }] }]),
  ],
});
