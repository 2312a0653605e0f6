import { defineSeriesRule } from '../../src/engine/rule-kit.js';
import { behaviourChanges, touchesSelftests } from './behaviour-change.js';

export const rule = defineSeriesRule({
  id: 'selftests-missing',
  description: 'The series changes verifier or BTF code (kernel/bpf/verifier.c, btf.c, ...) or the flags of an existing kfunc, and no patch touches tools/testing/selftests/bpf.',
  severity: 'warning',
  needs: [],
  source: 'Documentation/bpf/bpf_devel_QA.rst, "Q: I made a BPF verifier change, do I need to add test cases for BPF kernel selftests?": "If the patch has changes to the behavior of the verifier, then yes, it is absolutely necessary to add test cases to the BPF kernel selftests suite."',
  messages: {
    missing: 'This series changes {{what}} ({{files}}), but no patch touches tools/testing/selftests/bpf. Does the change alter what the verifier accepts or rejects? If so, could a selftest cover it? bpf_devel_QA.rst: "If the patch has changes to the behavior of the verifier, then yes, it is absolutely necessary to add test cases to the BPF kernel selftests suite."',
  },
}, (ctx) => {
  const { series } = ctx;
  if (series.partialReroll || series.missing.length > 0) return;
  if (series.patches.some(touchesSelftests)) return;
  for (const p of series.patches) {
    const changes = behaviourChanges(p);
    if (changes.length === 0) continue;
    const verifier = changes.filter((c) => c.what === 'verifier').map((c) => c.file);
    const kfuncs = changes.flatMap((c) => c.kfuncs);
    const what = [verifier.length ? 'verifier code' : '', kfuncs.length ? `the flags of ${kfuncs.join(', ')}` : ''].filter(Boolean).join(' and ');
    const files = [...new Set(changes.map((c) => c.file))].join(', ');
    ctx.report({ messageId: 'missing', data: { what, files }, patch: p.counter, file: null });
    return;
  }
});
