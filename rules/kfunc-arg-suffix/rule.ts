import { definePatchRule } from '../../src/engine/rule-kit.js';
import type { ProtoParam, Prototype } from '../../src/engine/bpf-knowledge/c-snippets.js';
import { versionAtLeast } from '../../src/engine/bpf-knowledge/kf-registry.js';
import { allUses, versionOf } from '../../src/engine/bpf-knowledge/kfunc-view.js';
import { addedDefinitions } from '../../src/engine/bpf-knowledge/patch-scan.js';

/** What each suffix needs (kernel/bpf/verifier.c is_kfunc_arg_*()). */
const POINTER_SUFFIXES = ['__uninit', '__nullable', '__opt', '__alloc', '__refcounted_kptr', '__map', '__irq_flag', '__iter', '__str'];
const SCALAR_SUFFIXES = ['__sz', '__szk', '__k'];

function problem(p: ProtoParam, prev: ProtoParam | undefined): { key: string; why: string } | null {
  const s = p.suffix;
  if (!s) return null;
  if (SCALAR_SUFFIXES.includes(s)) {
    if (p.isPointer) return { key: 'scalarSuffix', why: s === '__k' ? 'a scalar the verifier requires to be a known constant' : 'the size of the memory pointed to by the argument before it' };
    if (s !== '__k' && (!prev || !prev.isPointer)) return { key: 'sizeWithoutPointer', why: '' };
    return null;
  }
  if (POINTER_SUFFIXES.includes(s) && !p.isPointer) return { key: 'pointerSuffix', why: '' };
  if (s === '__str' && !/\bchar \*$/.test(p.type)) return { key: 'strNotChar', why: '' };
  return null;
}

export const rule = definePatchRule({
  id: 'kfunc-arg-suffix',
  description: 'kfunc argument-name suffixes (__sz, __szk, __k, __str, __uninit, __nullable, __opt, ...) on parameters whose type cannot carry them.',
  severity: 'warning',
  needs: [],
  source: 'kernel/bpf/verifier.c is_kfunc_arg_mem_size()/is_kfunc_arg_constant()/is_kfunc_arg_const_str()/is_kfunc_arg_uninit()/is_kfunc_arg_nullable(); Documentation/bpf/kfuncs.rst §2.2 "Annotating kfunc parameters" (bpf-semantics.md §2.3)',
  messages: {
    scalarSuffix: '{{kfunc}}: {{param}} ends in {{suffix}}, which marks {{why}}, but its type is "{{type}}", a pointer. The verifier checks {{suffix}} arguments as scalars, so calls would be rejected. Is the suffix on the right parameter?',
    sizeWithoutPointer: '{{kfunc}}: {{param}} ends in {{suffix}}, but the argument before it is not a pointer. The verifier pairs a size argument with the memory argument just before it; is a parameter missing or out of order?',
    pointerSuffix: '{{kfunc}}: {{param}} ends in {{suffix}}, which only applies to pointer arguments, but its type is "{{type}}". Is the suffix on the right parameter?',
    strNotChar: '{{kfunc}}: {{param}} ends in __str, which the verifier checks as a constant string in a read-only map, but its type is "{{type}}" rather than const char *. Is that intended?',
    optGone: '{{kfunc}}: {{param}} uses __opt, which the verifier no longer recognises at {{version}} (__nullable replaced it). Should it be {{fixed}}?',
  },
}, (ctx) => {
  const v = versionOf(ctx);
  const registered = new Set(allUses(ctx).map((u) => u.name));
  for (const d of addedDefinitions(ctx.patch)) {
    if (!d.proto.hasBpfKfuncAnnotation && !registered.has(d.name)) continue;
    check(d.proto, d.file, d.line);
  }
  function check(proto: Prototype, file: string, line: number) {
    proto.params.forEach((p, i) => {
      const pr = problem(p, proto.params[i - 1]);
      const data = { kfunc: proto.name, param: p.name, suffix: p.suffix ?? '', type: p.type, why: pr?.why ?? '' };
      if (pr) ctx.report({ messageId: pr.key, data, file, line, key: p.name });
      if (p.suffix === '__opt' && versionAtLeast(v, 7, 0) === true) {
        ctx.report({ messageId: 'optGone', data: { ...data, version: `v${v?.short}`, fixed: p.name.replace(/__opt$/, '__nullable') }, file, line, key: p.name });
      }
    });
  }
});
