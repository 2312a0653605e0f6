import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeShared, sharedPath } from '../../../test/support/shared-data.js';
import { parseMessage } from './parse-message.js';
import { isTreeToken, parseSubject } from './parse-subject.js';

type Row = [subject: string, expect: { reply?: boolean; fwd?: boolean; patch?: boolean; rev?: number; n?: number | null; N?: number | null; rfc?: boolean; resend?: boolean; tree?: string | null; title: string }];

// Real subject shapes from the BPF and netdev lists (and b4's own tests).
const ROWS: Row[] = [
  ['[PATCH] bpf: fix a leak', { patch: true, rev: 1, n: null, N: null, tree: null, title: 'bpf: fix a leak' }],
  ['[PATCH bpf-next v2 02/13] bpf: Add kfunc flags', { patch: true, rev: 2, n: 2, N: 13, tree: 'bpf-next', title: 'bpf: Add kfunc flags' }],
  ['[PATCHv3 1/4] selftests/bpf: foo', { patch: true, rev: 3, n: 1, N: 4, title: 'selftests/bpf: foo' }],
  ['[RFC PATCH v2 0/5] bpf: arena', { patch: true, rfc: true, rev: 2, n: 0, N: 5, title: 'bpf: arena' }],
  ['[PATCH RESEND bpf] bpf: x', { patch: true, resend: true, tree: 'bpf', title: 'bpf: x' }],
  ['[v3 PATCH 1/1] libbpf: y', { patch: true, rev: 3, n: 1, N: 1, title: 'libbpf: y' }],
  ['[PATCH 00/33 v6] Huge series', { patch: true, rev: 6, n: 0, N: 33, title: 'Huge series' }],
  ['[PATCH v2 bpf-next 0/6] selftests/bpf: sockaddr', { patch: true, rev: 2, n: 0, N: 6, tree: 'bpf-next', title: 'selftests/bpf: sockaddr' }],
  ['[PATCH bpf-next/net v1 1/3] net: z', { patch: true, rev: 1, n: 1, N: 3, tree: 'bpf-next/net', title: 'net: z' }],
  ['[PATCH net-next] net: fix', { patch: true, tree: 'net-next', title: 'net: fix' }],
  ['[PATCH v5 bpf-next 1/9] bpf: a', { patch: true, rev: 5, n: 1, N: 9, tree: 'bpf-next', title: 'bpf: a' }],
  ['[RFC bpf-next 1/2] bpf: b', { patch: false, rfc: true, n: 1, N: 2, tree: 'bpf-next', title: 'bpf: b' }],
  ['Re: [PATCH bpf-next v2 02/13] bpf: Add kfunc flags', { reply: true, patch: true, rev: 2, n: 2, N: 13, tree: 'bpf-next', title: 'bpf: Add kfunc flags' }],
  ['RE: RE: [PATCH bpf-next] selftests/bpf: Fix strncpy()', { reply: true, patch: true, tree: 'bpf-next', title: 'selftests/bpf: Fix strncpy()' }],
  ['Re: RE: [PATCH bpf-next] x', { reply: true, tree: 'bpf-next', title: 'x' }],
  ['re: [PATCH] another patch', { reply: true, patch: true, title: 'another patch' }],
  ['Fwd: [PATCH bpf] bpf: c', { fwd: true, reply: false, tree: 'bpf', title: 'bpf: c' }],
  ['Fw: [PATCH] d', { fwd: true, title: 'd' }],
  ['AW: [PATCH] e', { reply: true, title: 'e' }],
  ['Aw: Re: [PATCH v4] f', { reply: true, rev: 4, title: 'f' }],
  ['SV: [PATCH] g', { reply: true, title: 'g' }],
  ['Antw: [PATCH] h', { reply: true, title: 'h' }],
  ['答复: [PATCH] selftests/bpf: Fix warning comparing pointer to 0', { reply: true, patch: true, title: 'selftests/bpf: Fix warning comparing pointer to 0' }],
  ['回复: [PATCH v2] i', { reply: true, rev: 2, title: 'i' }],
  ['回复：[PATCH] j', { reply: true, title: 'j' }],
  ['Re[2]: [PATCH] k', { reply: true, title: 'k' }],
  ['Re: Re: Re: [PATCH 3/3 v2] Xyzzy', { reply: true, rev: 2, n: 3, N: 3, title: 'Xyzzy' }],
  ['[PATCH 3/3 v2] Xyzzy', { rev: 2, n: 3, N: 3, title: 'Xyzzy' }],
  ['[Navy-patches] [PATCH] Изменён список пакетов', { patch: true, title: 'Изменён список пакетов' }],
  ['[External] Re: [PATCH bpf-next v3 0/2] l', { reply: true, rev: 3, n: 0, N: 2, tree: 'bpf-next', title: 'l' }],
  ['[PATCH bpf-next] [RFC] m', { patch: true, rfc: true, tree: 'bpf-next', title: 'm' }],
  ['[PATCH] tr: a title that starts like a prefix', { patch: true, reply: false, fwd: false, title: 'tr: a title that starts like a prefix' }],
  ['[PATCH bpf-next/main] n', { tree: 'bpf-next/main', title: 'n' }],
  ['[PATCH for-next 1/2] o', { tree: 'for-next', n: 1, N: 2, title: 'o' }],
  ['[PATCH net] p', { tree: 'net', title: 'p' }],
  ['[PATCH bpf v2] q', { tree: 'bpf', rev: 2, title: 'q' }],
  ['[PATCH RFC bpf-next v2 05/11] r', { rfc: true, rev: 2, n: 5, N: 11, tree: 'bpf-next', title: 'r' }],
  ['[PATCH hid v11 07/14] HID: bpf: introduce hid_hw_request()', { rev: 11, n: 7, N: 14, tree: null, title: 'HID: bpf: introduce hid_hw_request()' }],
  ['[V2][PATCH] cgroup: fix memory leak', { patch: true, rev: 2, title: 'cgroup: fix memory leak' }],
  ['[PATCH RESEND v2 bpf-next 2/2] s', { resend: true, rev: 2, n: 2, N: 2, tree: 'bpf-next', title: 's' }],
  ['[PATCH dwarves v3 1/2] btf_encoder: t', { tree: 'dwarves', rev: 3, n: 1, N: 2, title: 'btf_encoder: t' }],
  ['[PATCH v2 net-next/bpf-next] u', { tree: 'net-next/bpf-next', rev: 2, title: 'u' }],
  ['[PATCH,v2,bpf-next 1/3] comma separated', { rev: 2, n: 1, N: 3, tree: 'bpf-next', title: 'comma separated' }],
  ['Subject with no tags', { patch: false, rev: 1, n: null, N: null, tree: null, title: 'Subject with no tags' }],
  ['', { patch: false, title: '' }],
  ['  [PATCH   v2]   spaced    out  ', { rev: 2, title: 'spaced out' }],
  ['[PATCH bpf-next v2 00/15] Improvements for tracking scalars in the BPF verifier', { rev: 2, n: 0, N: 15, tree: 'bpf-next', title: 'Improvements for tracking scalars in the BPF verifier' }],
];

describe('parseSubject', () => {
  it('has at least 40 rows', () => expect(ROWS.length).toBeGreaterThanOrEqual(40));
  for (const [subject, e] of ROWS) {
    it(JSON.stringify(subject), () => {
      const p = parseSubject(subject);
      expect(p.original).toBe(subject);
      expect(p.title).toBe(e.title);
      if (e.reply !== undefined) expect(p.isReply).toBe(e.reply);
      if (e.fwd !== undefined) expect(p.isForward).toBe(e.fwd);
      if (e.patch !== undefined) expect(p.isPatch).toBe(e.patch);
      expect(p.revision).toBe(e.rev ?? 1);
      if (e.n !== undefined) expect(p.counter).toBe(e.n);
      if (e.N !== undefined) expect(p.total).toBe(e.N);
      expect(p.rfc).toBe(e.rfc ?? false);
      expect(p.resend).toBe(e.resend ?? false);
      if (e.tree !== undefined) expect(p.tree).toBe(e.tree);
    });
  }

  it('lists the words of every leading tag group, as written', () => {
    expect(parseSubject('Re: [PATCH bpf-next v2 02/13] x').tags).toEqual(['PATCH', 'bpf-next', 'v2', '02/13']);
    expect(parseSubject('[RFC] [PATCHv3 1/4] x').tags).toEqual(['RFC', 'PATCHv3', '1/4']);
  });

  it('knows tree tokens', () => {
    for (const t of ['bpf', 'bpf-next', 'net', 'net-next', 'bpf-next/net', 'bpf-next/main', 'for-next', 'BPF-NEXT']) expect(isTreeToken(t), t).toBe(true);
    for (const t of ['PATCH', 'v2', '1/3', 'hid', 'selftests/bpf', 'fix/bpf', 'foo/bar', 'tools/bpf']) expect(isTreeToken(t), t).toBe(false);
  });
});

/** Folder names carry the series tags: PATCH-bpf-next-v2-00-15-..., PATCH-v3-bpf-next-00-11-..., bpf-next-0-6-... */
describeShared('subjects of the BPF list threads agree with their folder', () => {
  const root = sharedPath('corpus', 'bpf-list-threads');
  const dirs = existsSync(root) ? readdirSync(root).filter((d) => !d.includes('.')) : [];
  it('has the threads', () => expect(dirs.length).toBeGreaterThanOrEqual(15));
  for (const d of dirs) {
    it(d, async () => {
      const m = /^(?:PATCH-)?(?:v(\d+)-)?(bpf-next|bpf|net-next|net)-(?:v(\d+)-)?(\d+)-(\d+)-/.exec(d);
      expect(m, d).not.toBeNull();
      if (!m) return;
      const revision = Number(m[1] ?? m[3] ?? 1);
      const total = Number(m[5]);
      const tree = m[2];
      const files = readdirSync(`${root}/${d}`).filter((f) => f.endsWith('.eml'));
      let series = 0;
      for (const f of files) {
        const r = await parseMessage({ source: f, bytes: readFileSync(`${root}/${d}/${f}`) });
        expect(r.ok, f).toBe(true);
        if (!r.ok) continue;
        const s = parseSubject(r.value.subject);
        expect(s.original).toBe(r.value.subject);
        // Threads also hold side discussions (another patch, an RFD) without n/N: only series messages are checked.
        if (s.counter === null) continue;
        series++;
        expect({ f, revision: s.revision, total: s.total, tree: s.tree }).toEqual({ f, revision, total, tree });
        expect(s.counter).toBeLessThanOrEqual(total);
        expect(s.isReply).toBe(/^\d+-re-/.test(f));
      }
      expect(series).toBeGreaterThanOrEqual(Math.min(total, files.length));
    });
  }
});

/**
 * git mailinfo's cleanup_subject, written from its documented rules: drop leading
 * "re:" (any case), blanks and colons, and every leading [...] group.
 */
function gitCleanupSubject(subject: string): string {
  let s = subject;
  for (;;) {
    if (/^re:/i.test(s) && s.length > 3) s = s.slice(3);
    else if (/^[ \t:]/.test(s)) s = s.slice(1);
    else if (s.startsWith('[') && s.includes(']')) s = s.slice(s.indexOf(']') + 1);
    else break;
  }
  return s.trim().replace(/\s+/g, ' ');
}

describeShared('titles against git mailinfo subject cleanup', () => {
  it('agree on the list mail, except for the reply prefixes b4 knows and git does not', async () => {
    const root = sharedPath('corpus');
    const subjects: string[] = [];
    const walk = (d: string): void => {
      for (const f of readdirSync(d, { withFileTypes: true })) {
        if (f.isDirectory()) walk(`${d}/${f.name}`);
        else if (f.name.endsWith('.eml')) subjects.push(`${d}/${f.name}`);
      }
    };
    walk(root);
    const differ: string[] = [];
    let compared = 0;
    for (const f of subjects) {
      const r = await parseMessage({ source: f, bytes: readFileSync(f) });
      if (!r.ok) continue;
      compared++;
      const ours = parseSubject(r.value.subject);
      const git = gitCleanupSubject(r.value.subject);
      if (ours.title !== git) differ.push(r.value.subject);
    }
    expect(compared).toBeGreaterThan(600);
    // b4 (and we) also strip 答复:/AW:/Fwd: ...; git keeps them in the title.
    for (const s of differ) expect(s, s).toMatch(/^(\[[^\]]*\]\s*)*(答复|回复|AW|Aw|SV|Antw|Fwd?|Fw)\s*:/i);
    // In this corpus: the same 答复: mail, stored 4 times (617 of 621 titles agree).
    expect(differ.length).toBeLessThan(10);
  });
});
