import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { describeShared, sharedPath } from '../../support/shared-data.js';
import { renderReplies } from '../../../src/report/email/index.js';
import type { Finding, Patch } from '../../../src/model/index.js';
import { BOT, patchOf, readMessages, reviewOf, seriesOf } from '../support/build-series.js';

const golden = join(dirname(fileURLToPath(import.meta.url)), '..', 'golden', 'seed-v2-02-13.reply.eml');

/** The new-side line of the added line in `file` that contains `text` (so findings sit on real lines). */
function addedLine(p: Patch, file: string, text: string): number {
  for (const f of p.files) {
    if (f.newPath !== file) continue;
    for (const h of f.hunks) for (const l of h.lines) if (l.kind === 'add' && l.text.includes(text) && l.newLine !== null) return l.newLine;
  }
  throw new Error(`no added line with ${text} in ${file}`);
}

describeShared('the seed reply (v2 02/13)', () => {
  it('renders the four seed points as a BPF maintainer would send them, byte for byte as the golden file', async () => {
    const [m] = await readMessages(sharedPath('seed', 'reconstructed', 'v2-02-13.mbox'));
    const patch = patchOf(m!);
    const series = seriesOf([patch], { id: '20221217082506.1570898-1-davemarchevsky@fb.com', total: 13 });
    const at = (ruleId: string, severity: Finding['severity'], file: string, text: string, message: string, source: string): Finding => {
      const line = addedLine(patch, file, text);
      return { ruleId, severity, patch: 2, messageId: patch.messageId, file, line, message, source, fingerprint: `${ruleId}:${file}:${line}` };
    };
    const findings: Finding[] = [
      at('alignment-break', 'info', 'include/linux/bpf.h', 'BPF_GRAPH_NODE_OR_ROOT',
        'The new member breaks the alignment of the enum btf_field_type block: the other members pad their names so the "=" lines up. Could the rest of the block be re-indented to keep a common column?',
        'include/linux/bpf.h: enum btf_field_type'),
      at('verifier-state-not-compared', 'warning', 'include/linux/bpf_verifier.h', 'non_owning_ref_lock;',
        'non_owning_ref_lock adds an id to struct bpf_reg_state, but regsafe() does not compare it, so two states that differ only in this id are treated as equivalent and one is pruned. Should it be compared through check_ids() in regsafe(), as ref_obj_id and active_lock.id are?',
        'kernel/bpf/verifier.c: regsafe(), check_ids()'),
      at('kfunc-flag-meaningless-alone', 'warning', 'include/linux/btf.h', 'KF_RELEASE_NON_OWN',
        'KF_RELEASE_NON_OWN is only meaningful together with KF_RELEASE, and no kfunc uses it alone. Could the graph kfuncs be special-cased in the verifier instead of adding a flag?',
        'Documentation/bpf/kfuncs.rst, "KF_RELEASE flag"'),
      at('null-check-wrong-variable', 'error', 'kernel/bpf/verifier.c', 'if (!reg)',
        'rec is assigned from reg_btf_record(reg), but the check below tests reg, which cannot be NULL here: it was just passed to reg_btf_record(). The check should test rec.',
        'smatch, "variable dereferenced before check"'),
    ];
    const replies = renderReplies(series, reviewOf(series, findings), {
      messages: new Map([[m!.messageId, m!]]),
      from: BOT,
      date: new Date(Date.UTC(2022, 11, 17, 8, 40, 0)),
      messageIdDomain: 'bpf-review.example',
      reportUrl: 'https://bpf-review.example/series/20221217082506.1570898-1-davemarchevsky@fb.com',
    });
    expect(replies).toHaveLength(1);
    const r = replies[0]!;
    expect(r.inReplyTo).toBe('20221217082506.1570898-3-davemarchevsky@fb.com');
    expect(r.references).toEqual(['20221217082506.1570898-1-davemarchevsky@fb.com', '20221217082506.1570898-3-davemarchevsky@fb.com']);
    const parsed = await simpleParser(r.raw);
    expect(parsed.subject).toBe('Re: [PATCH v2 bpf-next 02/13] bpf: Migrate release_on_unlock logic to non-owning ref semantics');
    const body = parsed.text ?? '';
    // every seed point sits right under the line it is about
    for (const [quoted, comment] of [
      ['> +\tBPF_GRAPH_NODE_OR_ROOT = BPF_LIST_NODE | BPF_LIST_HEAD,', "This isn't a bug, but the new member breaks"],
      ['> +\t\t\tstruct bpf_active_lock non_owning_ref_lock;', 'non_owning_ref_lock adds an id'],
      ['> +#define KF_RELEASE_NON_OWN\t(1 << 8) /* kfunc converts its referenced arg into non-owning ref */', 'KF_RELEASE_NON_OWN is only meaningful'],
      ['> +\tif (!reg)', 'rec is assigned from reg_btf_record(reg)'],
    ] as const) {
      expect(body).toContain(`${quoted}\n\n${comment}`);
    }
    // UPDATE_GOLDEN=1 rewrites the golden file after a deliberate change of wording or layout
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden, r.raw);
    expect(existsSync(golden)).toBe(true);
    expect(r.raw.toString('utf8')).toBe(readFileSync(golden, 'utf8'));
  });
});
