import { definePatchRule } from '../../src/engine/rule-kit.js';
import { findDefinition } from '../../src/engine/bpf-knowledge/c-snippets.js';
import { versionAtLeast } from '../../src/engine/bpf-knowledge/kf-registry.js';
import { allUses, seriesIncomplete, versionOf } from '../../src/engine/bpf-knowledge/kfunc-view.js';
import { addedDefinitions, addedLines, changedFlagsLines, seriesFlagsLines } from '../../src/engine/bpf-knowledge/patch-scan.js';

export const rule = definePatchRule({
  id: 'kfunc-definition',
  description: 'kfunc definitions and registrations in step: a registration without a definition, a __bpf_kfunc definition nobody registers, a static kfunc, a kfunc outside __bpf_kfunc_start_defs()/__bpf_kfunc_end_defs(), a registered kfunc without __bpf_kfunc.',
  severity: 'warning',
  needs: [],
  source: 'Documentation/bpf/kfuncs.rst "kfunc definitions should also always be annotated with the __bpf_kfunc macro" and "kfuncs must not be declared static"; include/linux/btf.h __bpf_kfunc, __bpf_kfunc_start_defs() (v6.8+) (bpf-semantics.md §1.4, §2.1, §7.1 F21)',
  messages: {
    noDefinition: '{{kfunc}} is registered here, but no definition of it is in the tree or the series. resolve_btfids would fail to find its BTF id at build time. Is a patch missing?',
    notRegistered: '{{kfunc}} is a __bpf_kfunc, but no BTF_ID_FLAGS line in the tree or this series registers it, so BPF programs cannot call it. Is the registration missing, or is the annotation?',
    isStatic: '{{kfunc}} is declared static. kfuncs must not be static (Documentation/bpf/kfuncs.rst): the compiler may inline or drop it, or change its calling convention, and its BTF would no longer match what the verifier checks against.',
    outsideDefs: '{{kfunc}} is defined outside the __bpf_kfunc_start_defs() / __bpf_kfunc_end_defs() block of {{file}}. Those markers silence the missing-prototype warnings for kfuncs; could it move inside the block?',
    noAnnotation: '{{kfunc}} is registered as a kfunc but its definition lacks __bpf_kfunc. Without it the compiler may inline or drop the function when it has no other caller, and its BTF may not be emitted (Documentation/bpf/kfuncs.rst: "kfunc definitions should also always be annotated with the __bpf_kfunc macro").',
  },
}, (ctx) => {
  const after = ctx.tree?.after ?? null;
  const v = versionOf(ctx);
  const uses = allUses(ctx);
  const registered = new Set(uses.map((u) => u.name));
  const seriesText = ctx.series.patches.flatMap((p) => addedLines(p, (f) => f.endsWith('.c')).map((l) => l.text)).join('\n');
  const annotatedTree = (after?.definitions ?? []).some((d) => d.hasBpfKfuncAnnotation) || versionAtLeast(v, 6, 3) === true;

  // registrations this patch adds for a kfunc that is new (not a flags change)
  for (const l of changedFlagsLines(ctx.patch)) {
    if (l.before !== null) continue;
    const at = { file: l.file, line: l.line };
    const def = after?.definitions.find((d) => d.name === l.name) ?? null;
    const inFile = ctx.tree ? findDefinition(ctx.tree.readAfter(l.file) ?? '', l.name) : null;
    if (ctx.tree && after && after.definitions.length > 0 && !def && !inFile && !findDefinition(seriesText, l.name)) {
      ctx.report({ messageId: 'noDefinition', data: { kfunc: l.name }, ...at });
    }
  }

  const defsMarkers = (file: string): { start: number; end: number }[] | null => {
    const text = ctx.tree?.readAfter(file);
    if (!text || !text.includes('__bpf_kfunc_start_defs')) return null;
    const lines = text.split('\n');
    const out: { start: number; end: number }[] = [];
    let start = -1;
    lines.forEach((l, i) => {
      if (/^\s*__bpf_kfunc_start_defs\s*\(\s*\)/.test(l)) start = i + 1;
      if (/^\s*__bpf_kfunc_end_defs\s*\(\s*\)/.test(l) && start > 0) {
        out.push({ start, end: i + 1 });
        start = -1;
      }
    });
    return out;
  };

  const removedText = ctx.patch.files.flatMap((f) => f.hunks.flatMap((h) => h.lines.filter((x) => x.kind === 'del').map((x) => x.text))).join('\n');
  const laterRegs = new Set(seriesFlagsLines(ctx.series).map((l) => l.name));
  for (const d of addedDefinitions(ctx.patch)) {
    const isKfunc = d.proto.hasBpfKfuncAnnotation || registered.has(d.name);
    if (!isKfunc) continue;
    const at = { file: d.file, line: d.line };
    if (d.proto.isStatic) ctx.report({ messageId: 'isStatic', data: { kfunc: d.name }, ...at, severity: 'error' });
    if (d.proto.hasBpfKfuncAnnotation && !registered.has(d.name) && !laterRegs.has(d.name) && !seriesIncomplete(ctx) && (ctx.mode === 'tree' || !removedText.includes(d.name))) {
      ctx.report({ messageId: 'notRegistered', data: { kfunc: d.name }, ...at });
    }
    // the annotation may sit on an earlier declaration (bpf_testmod.c declares its kfuncs first)
    const fileText = ctx.tree?.readAfter(d.file) ?? ctx.patch.files.filter((f) => f.newPath === d.file).flatMap((f) => f.hunks.flatMap((h) => h.lines.filter((x) => x.kind !== 'del').map((x) => x.text))).join('\n');
    const declaredAnnotated = new RegExp(`__bpf_kfunc\\b[^;{]*\\b${d.name}\\s*\\(`).test(fileText);
    if (registered.has(d.name) && !d.proto.hasBpfKfuncAnnotation && !declaredAnnotated && annotatedTree) {
      ctx.report({ messageId: 'noAnnotation', data: { kfunc: d.name }, ...at });
    }
    const factsDef = after?.definitions.find((x) => x.name === d.name && x.file === d.file);
    let outside = factsDef?.insideKfuncDefs === false;
    if (!factsDef) {
      const blocks = defsMarkers(d.file);
      // the tree's line may differ from the patch's if the hunk applied at an offset; find it by text
      const treeText = ctx.tree?.readAfter(d.file) ?? null;
      const found = treeText ? findDefinition(treeText, d.name) : null;
      if (blocks && found) outside = !blocks.some((b) => found.line > b.start && found.line < b.end);
    }
    if (outside) ctx.report({ messageId: 'outsideDefs', data: { kfunc: d.name, file: d.file }, ...at, severity: 'info' });
  }
});
