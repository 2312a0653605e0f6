import { defineSeriesRule } from '../../src/engine/rule-kit.js';
import { filePath } from '../../src/model/diff.js';

/** UAPI headers that tools/include/uapi always mirrors (checked even without a tree). */
const MIRRORED = new Set(['include/uapi/linux/bpf.h', 'include/uapi/linux/btf.h', 'include/uapi/linux/bpf_common.h', 'include/uapi/linux/if_xdp.h']);

export const rule = defineSeriesRule({
  id: 'uapi-header-sync',
  description: 'include/uapi/linux/bpf.h (or another UAPI header tools/include mirrors) changes and no patch of the series makes the same change to its copy under tools/include/uapi.',
  severity: 'warning',
  needs: [],
  source: 'tools/include/uapi/linux/bpf.h is the copy libbpf, bpftool and the selftests build against; tools/lib/bpf/Makefile ("Warning: Kernel ABI header at \'tools/include/uapi/linux/bpf.h\' differs from latest version at \'include/uapi/linux/bpf.h\'", likewise for bpf_common.h and if_xdp.h)',
  messages: {
    notSynced: '{{header}} changes here, but no patch of this series updates {{copy}}. libbpf, bpftool and the selftests build against that copy, and the tools build warns when the two differ. Could the same change be applied to {{copy}} (in this patch or the next)?',
  },
}, (ctx) => {
  const { series } = ctx;
  if (series.partialReroll || series.missing.length > 0) return;
  const touched = new Set(series.patches.flatMap((p) => p.files.map(filePath)));
  const reported = new Set<string>();
  series.patches.forEach((p, i) => {
    for (const f of p.files) {
      const header = filePath(f);
      if (!header.startsWith('include/uapi/linux/') || reported.has(header)) continue;
      const copy = 'tools/' + header;
      const tree = ctx.trees[i];
      const mirrored = MIRRORED.has(header) || (tree != null && tree.readBefore(copy) !== null);
      if (!mirrored || touched.has(copy)) continue;
      const first = f.hunks.flatMap((h) => h.lines).find((l) => l.kind === 'add') ?? f.hunks.flatMap((h) => h.lines).find((l) => l.newLine !== null);
      reported.add(header);
      ctx.report({ messageId: 'notSynced', data: { header, copy }, patch: p.counter, file: header, line: first?.newLine ?? null });
    }
  });
});
