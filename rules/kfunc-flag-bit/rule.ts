import { definePatchRule } from '../../src/engine/rule-kit.js';
import { HARDCODED_BITS, lowestFreeBit, versionLabel } from '../../src/engine/bpf-knowledge/kf-registry.js';
import { flagBits, versionOf } from '../../src/engine/bpf-knowledge/kfunc-view.js';
import { newFlagDefines, scanFlagDefines } from '../../src/engine/bpf-knowledge/patch-scan.js';

export const rule = definePatchRule({
  id: 'kfunc-flag-bit',
  description: 'A new KF_* flag whose bit is already taken, an existing flag renumbered, or a change to a bit other tools hard-code (12-16).',
  severity: 'error',
  needs: [],
  source: 'include/linux/btf.h KF_* bits per version (bpf-semantics.md §1.1, §1.4, §7.1 F2/F3); Alexei Starovoitov, "let\'s not renumber flags to reduce the churn" (Re: [PATCH bpf-next 2/3] bpf: Remove KF_KPTR_GET kfunc flag, 15 Apr 2023); pahole btf_encoder.c and tools/bpf/resolve_btfids/main.c hard-code bits 12-16',
  messages: {
    collision: '{{flag}} takes bit {{bit}}, which {{other}} already uses at {{version}}. kfunc flags are tested with a bit mask, so every kfunc marked {{other}} would also look like {{flag}} (and the other way round). Could it use bit {{free}}, the lowest free one?',
    renumbered: 'This moves {{flag}} from bit {{before}} to bit {{after}}. Could the existing values stay as they are? Alexei asked not to renumber kfunc flags to reduce the churn ("Just delete #define KF_KPTR_GET (1 << 3). I bet soon enough we will add another KF_ flag in that place").',
    hardcoded: '{{flag}} changes from bit {{before}} to bit {{after}}, but that value is hard-coded outside btf.h ({{tools}}), and this series does not update tools/bpf/resolve_btfids/main.c. pahole is out of tree, so older pahole would emit the wrong BTF tags. Is the change needed?',
  },
}, (ctx) => {
  const bits = flagBits(ctx);
  const version = versionLabel(versionOf(ctx));
  if (bits) {
    for (const d of newFlagDefines(ctx.patch)) {
      if (d.bit === null) continue;
      const others = [...bits].filter(([n, b]) => n !== d.name && b === d.bit).map(([n]) => n);
      if (others.length === 0) continue;
      const used = [...bits].filter(([n]) => n !== d.name).map(([, b]) => b);
      ctx.report({ messageId: 'collision', data: { flag: d.name, bit: d.bit, other: others.join(', '), version, free: lowestFreeBit(used) }, file: d.file, line: d.line });
    }
  }
  const defs = scanFlagDefines(ctx.patch);
  const seriesTouchesResolveBtfids = ctx.series.patches.some((p) => p.files.some((f) => (f.newPath ?? f.oldPath ?? '').endsWith('tools/bpf/resolve_btfids/main.c')));
  for (const add of defs.filter((d) => d.kind === 'add')) {
    const old = defs.find((d) => d.kind === 'del' && d.name === add.name);
    if (!old || old.bit === null || add.bit === null || old.bit === add.bit) continue;
    const at = { file: add.file, line: add.line };
    ctx.report({ messageId: 'renumbered', data: { flag: add.name, before: old.bit, after: add.bit }, ...at });
    const tools = HARDCODED_BITS[old.bit] ?? HARDCODED_BITS[add.bit];
    if (tools && !seriesTouchesResolveBtfids) ctx.report({ messageId: 'hardcoded', data: { flag: add.name, before: old.bit, after: add.bit, tools }, ...at });
  }
});
