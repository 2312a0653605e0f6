/**
 * parsePatchBody / parseDiff / patchTextOf on the real mail in ../shared (read in place).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import parseDiffLib from 'parse-diff';
import { beforeAll, expect, it } from 'vitest';
import { describeShared, sharedPath } from '../../../test/support/shared-data.js';
import type { FileDiff } from '../../model/diff.js';
import type { Message } from '../../model/message.js';
import type { PatchBody } from '../../model/patch.js';
import { loadMail } from './fixtures/load-mail.js';
import { diffstatAgrees, parsePatchBody } from './parse-patch-body.js';
import { patchTextOf } from './patch-text-of.js';

function mustParse(text: string, what: string): PatchBody {
  const r = parsePatchBody(text);
  if (!r.ok) throw new Error(`${what}: ${r.error.message}`);
  return r.value;
}

/** Subjects of patches proper: "[PATCH ... n/N]" with n >= 1, or a lone "[PATCH ...]", not a reply. */
function isPatchSubject(subject: string): boolean {
  if (/^\s*re\s*:/i.test(subject) || !/\[[^\]]*PATCH[^\]]*\]/.test(subject)) return false;
  const c = /\[[^\]]*PATCH[^\]]*?(\d+)\/(\d+)[^\]]*\]/.exec(subject);
  return !c || Number(c[1]) >= 1;
}

describeShared('bpf-list-threads: every patch mail', () => {
  const patches: { file: string; msg: Message }[] = [];
  beforeAll(async () => {
    const root = sharedPath('corpus', 'bpf-list-threads');
    for (const d of readdirSync(root)) {
      for (const f of readdirSync(join(root, d)).filter((x) => x.endsWith('.eml'))) {
        const msg = await loadMail(join(root, d, f));
        if (isPatchSubject(msg.subject)) patches.push({ file: `${d}/${f}`, msg });
      }
    }
  }, 60_000);

  it('parses with no BrokenDiffError, files matching the diffstat', () => {
    expect(patches.length).toBeGreaterThan(150);
    const problems: string[] = [];
    for (const { file, msg } of patches) {
      const t = patchTextOf(msg);
      if (!t) {
        problems.push(`${file}: no diff found`);
        continue;
      }
      const r = parsePatchBody(t.text);
      if (!r.ok) {
        problems.push(`${file}: ${r.error.message}`);
        continue;
      }
      const agree = diffstatAgrees(r.value);
      if (r.value.files.length === 0 || !agree.ok) problems.push(`${file}: diffstat ${JSON.stringify(agree)}`);
      // (Trailers are git's: a changelog written below the Signed-off-by hides them, as it does from git.)
      if (r.value.commitMessage.trim() === '' && r.value.trailers.length === 0) problems.push(`${file}: no commit message`);
      if (!r.value.signature) problems.push(`${file}: no signature`);
    }
    expect(problems).toEqual([]);
  });

  it('agrees with parse-diff on hunks and line numbers where parse-diff is right', () => {
    let compared = 0;
    for (const { file, msg } of patches) {
      const t = patchTextOf(msg);
      const r = t && parsePatchBody(t.text);
      if (!r || !r.ok) continue;
      const theirs = parseDiffLib(r.value.diffText);
      const simple = r.value.files.every((f) => !f.binary && f.status !== 'renamed' && f.status !== 'copied');
      if (!simple) continue;
      expect(theirs.length, file).toBe(r.value.files.length);
      r.value.files.forEach((f: FileDiff, k) => {
        const o = theirs[k]!;
        expect([o.additions, o.deletions], `${file} ${f.newPath}`).toEqual([f.added, f.deleted]);
        expect(o.chunks.map((c) => [c.oldStart, c.newStart, c.changes.length])).toEqual(
          f.hunks.map((h) => [h.oldStart, h.newStart, h.lines.length + h.lines.filter((l) => l.noNewlineAtEof).length]),
        );
        const ours = f.hunks.flatMap((h) => h.lines.map((l) => (l.kind === 'add' ? l.newLine : l.oldLine)));
        const their = o.chunks.flatMap((c) => c.changes.map((ch) => (ch.type === 'normal' ? ch.ln1 : ch.ln)));
        if (!f.hunks.some((h) => h.lines.some((l) => l.noNewlineAtEof))) expect(their).toEqual(ours);
      });
      compared++;
    }
    expect(compared).toBeGreaterThan(150);
  });
});

describeShared('patchwork test mails', () => {
  const mail = (name: string): Promise<Message> => loadMail(sharedPath('corpus', 'patchwork', 'mail', name));
  const patchOf = async (name: string): Promise<PatchBody> => {
    const t = patchTextOf(await mail(name));
    if (!t) throw new Error(`${name}: no patch`);
    return mustParse(t.text, name);
  };

  it('pull requests without a diff carry no patch; comments carry none either', async () => {
    for (const n of ['0001-git-pull-request.mbox', '0002-git-pull-request-wrapped.mbox', '0004-git-pull-request-git+ssh.mbox', '0020-multipart-comment.mbox']) {
      expect(patchTextOf(await mail(n)), n).toBeNull();
    }
  });

  it('a pull request with a diff parses', async () => {
    const b = await patchOf('0003-git-pull-request-with-diff.mbox');
    expect(b.files.length).toBeGreaterThan(2);
    expect(b.files[0]!.newPath).toBe('arch/x86/include/asm/smp.h');
  });

  it('a CVS-format (non-git) diff', async () => {
    const b = await patchOf('0007-cvs-format-diff.mbox');
    expect(b.files.map((f) => f.newPath)).toContain('bfd/elf-bfd.h');
    expect(b.files.every((f) => f.status === 'modified' && f.hunks.length > 0)).toBe(true);
  });

  it('git renames, with and without changes', async () => {
    const pure = await patchOf('0008-git-rename.mbox');
    expect(pure.files).toHaveLength(2);
    expect(pure.files[0]).toMatchObject({
      status: 'renamed', similarity: 100, hunks: [],
      oldPath: 'package/rpi-userland/rpi-userland-add-pkgconfig-files.patch',
      newPath: 'package/rpi-userland/rpi-userland-000-add-pkgconfig-files.patch',
    });
    expect(diffstatAgrees(pure).ok).toBe(true);
    // patchwork's rename-with-diff mail announces 7 lines in a hunk of 6: a named broken diff for us.
    const t = patchTextOf(await mail('0009-git-rename-with-diff.mbox'))!;
    const r = parsePatchBody(t.text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.message).toContain('@@ -100,7 +100,7 @@');
      expect(r.error.message).toContain('package/rpi-userland/rpi-userland-000-add-pkgconfig-files.patch');
      expect(r.error.message).toContain('expected 7 old / 7 new lines, found 6 / 6');
    }
  });

  it('no newline at end of file, and a symlink added (mode 120000)', async () => {
    const b = await patchOf('0011-no-newline-at-end-of-file.mbox');
    const link = b.files.find((f) => f.newPath === 'tools/testing/selftests/powerpc/vphn/vphn.c')!;
    expect(link).toMatchObject({ status: 'added', newMode: '120000', added: 1 });
    expect(link.hunks[0]!.lines[0]!.noNewlineAtEof).toBe(true);
  });

  it('an empty new file, a mode change, binary files (added, mixed, modified)', async () => {
    expect((await patchOf('0021-git-empty-new-file.mbox')).files[0]).toMatchObject({ newPath: 'banana', status: 'added', hunks: [] });
    const mode = await patchOf('0022-git-mode-change.mbox');
    expect(mode.files[0]).toMatchObject({ newPath: 'scripts/kconfig/nconf-cfg.sh', oldMode: '100644', newMode: '100755', hunks: [] });
    expect((await patchOf('0025-git-add-binary-file.mbox')).files[0]).toMatchObject({ newPath: 'pixel.bmp', status: 'added', binary: true });
    const mixed = await patchOf('0026-git-add-mixed-binary-text-files.mbox');
    expect(mixed.files.map((f) => [f.newPath, f.binary])).toEqual([['pixel.bmp', true], ['quit.sh', false]]);
    expect(mixed.files[1]!.added).toBe(3);
    expect((await patchOf('0027-git-modify-binary-file.mbox')).files[0]).toMatchObject({ newPath: 'pixel.bmp', status: 'modified', binary: true });
  });

  it('every other patchwork mail with a diff parses', async () => {
    const dir = sharedPath('corpus', 'patchwork', 'mail');
    let n = 0;
    for (const f of readdirSync(dir)) {
      const t = patchTextOf(await loadMail(join(dir, f)));
      if (!t || f.startsWith('0009-')) continue;
      mustParse(t.text, f);
      n++;
    }
    expect(n).toBeGreaterThanOrEqual(15);
    const crlf = await loadMail(sharedPath('corpus', 'patchwork', 'deleted-0018-git-pull-request-crlf-newlines.mbox'));
    if (patchTextOf(crlf)) mustParse(patchTextOf(crlf)!.text, 'crlf');
  });

  it('patchwork patches/ files', () => {
    const add = mustParse(readFileSync(sharedPath('corpus', 'patchwork', 'patches', '0001-add-line.patch'), 'utf8'), 'add-line');
    expect(add.files[0]).toMatchObject({ newPath: 'meep.text', added: 1, deleted: 0 });
    expect(add.files[0]!.hunks[0]!.lines.map((l) => [l.kind, l.text])).toEqual([['ctx', 'meep'], ['add', 'meep']]);
    const utf8 = mustParse(readFileSync(sharedPath('corpus', 'patchwork', 'patches', '0002-utf-8.patch'), 'utf8'), 'utf-8');
    expect(utf8.files.length).toBeGreaterThan(0);
  });
});

describeShared('patchwork series mboxes', () => {
  it('every patch parses, or fails with a named BrokenDiffError that says where', async () => {
    const dir = sharedPath('corpus', 'patchwork', 'series');
    let parsed = 0;
    const broken: string[] = [];
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.mbox'))) {
      const raw = readFileSync(join(dir, f), 'utf8');
      for (const part of raw.split(/^(?=From \S+ .*\d{4}\s*$)/m).filter((p) => p.startsWith('From '))) {
        const m = await simpleParser(Buffer.from(part.slice(part.indexOf('\n') + 1)), { skipHtmlToText: true, skipTextToHtml: true });
        const text = m.text ?? '';
        if (!patchTextOf({ body: text, attachments: [] } as unknown as Message)) continue;
        const r = parsePatchBody(text);
        if (r.ok) {
          expect(r.value.files.length, f).toBeGreaterThan(0);
          parsed++;
        } else {
          expect(r.error.code).toBe('broken-diff');
          expect(r.error.message).toMatch(/hunk "@@ [^"]+" of \S+ \(body line \d+\): expected \d+ old \/ \d+ new lines, found \d+ \/ \d+/);
          broken.push(f);
        }
      }
    }
    expect(parsed).toBeGreaterThan(40);
    // base-extra-patches.mbox holds hand-made patches whose "@@ -1,8 +0,0 @@" announce the wrong side.
    expect([...new Set(broken)]).toEqual(['base-extra-patches.mbox']);
  });
});

describeShared('oddities, public-inbox and the seed', () => {
  it('a GIT binary patch among text files', async () => {
    const dir = sharedPath('corpus', 'oddities', 'git-binary-patch');
    const f = readdirSync(dir).find((x) => x.endsWith('.eml'))!;
    const b = mustParse(patchTextOf(await loadMail(join(dir, f)))!.text, f);
    const bin = b.files.find((x) => x.binary)!;
    expect(bin.newPath ?? bin.oldPath).toBe('tools/testing/selftests/tc-testing/action-ebpf');
    expect(b.files.findIndex((x) => x.binary)).toBeLessThan(b.files.length - 1);
    expect(diffstatAgrees(b).ok).toBe(true);
  });

  it('quoted-printable patches parse once decoded; the raw QP text is a named broken diff', async () => {
    const dir = sharedPath('corpus', 'oddities', 'qp-patch');
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.eml'))) {
      const t = patchTextOf(await loadMail(join(dir, f)));
      if (t) mustParse(t.text, f);
    }
    const seedDir = sharedPath('seed', 'thread', 'c-v5-merged-version');
    const decoded = mustParse(readFileSync(join(seedDir, '01-PATCH-v5-1-9.qp-decoded-body.patch'), 'utf8'), 'v5 1/9');
    expect(diffstatAgrees(decoded).ok).toBe(true);
    const eml = readdirSync(seedDir).find((x) => x.startsWith('01-') && x.endsWith('.eml'))!;
    const raw = readFileSync(join(seedDir, eml), 'utf8');
    const r = parsePatchBody(raw.slice(raw.search(/\r?\n\r?\n/) + 2));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('broken-diff');
  });

  it('a patch sent as an attachment is found there', async () => {
    const m = await loadMail(sharedPath('corpus', 'oddities', 'patch-attachment', '01-re-PATCH-bpf-next-v3-0-8-libbpf-selftests-bpf-Support-cross-.eml'));
    const t = patchTextOf(m);
    expect(t?.fromAttachment).toBe(true);
    expect(mustParse(t!.text, 'attachment').files.length).toBeGreaterThan(0);
    const pi = patchTextOf(await loadMail(sharedPath('corpus', 'public-inbox-t', 'plack-attached-patch.eml')));
    expect(pi).not.toBeNull();
  });

  it('public-inbox .patch files', () => {
    const read = (n: string): PatchBody => mustParse(readFileSync(sharedPath('corpus', 'public-inbox-t', n), 'utf8'), n);
    expect(read('data_binary.patch').files[0]).toMatchObject({ newPath: 'zero', status: 'added', binary: true });
    const ren = read('solve_0002-rename-with-modifications.patch').files[0]!;
    expect(ren).toMatchObject({ oldPath: 'HACKING', newPath: 'CONTRIBUTING.md', status: 'renamed', similarity: 94 });
    // A removed "---------------------" underline is a hunk line, not a divider.
    expect(ren.hunks[0]!.lines.some((l) => l.kind === 'del' && l.text === '--------------------')).toBe(true);
    expect(read('solve_bare.patch').files[0]!.hunks[0]).toMatchObject({ oldStart: 4, oldLines: 1, newStart: 3, newLines: 0 });
    expect(read('data_0001.patch').files[0]!.hunks).toHaveLength(2);
    read('solve_0001-simple-mod.patch');
  });

  it('the rebuilt seed patch v2 02/13: 5 files, +146/-79, 23 hunks, index lines', async () => {
    const m = await loadMail(sharedPath('seed', 'reconstructed', 'v2-02-13.mbox'));
    const b = mustParse(m.body, 'seed');
    expect(b.files.map((f) => f.newPath)).toEqual([
      'include/linux/bpf.h', 'include/linux/bpf_verifier.h', 'include/linux/btf.h', 'kernel/bpf/helpers.c', 'kernel/bpf/verifier.c',
    ]);
    expect(b.files.reduce((s, f) => s + f.added, 0)).toBe(146);
    expect(b.files.reduce((s, f) => s + f.deleted, 0)).toBe(79);
    expect(b.files.reduce((s, f) => s + f.hunks.length, 0)).toBe(23);
    expect(b.files[2]).toMatchObject({ oldBlob: '5f628f323442', newBlob: '8aee3f7f4248' });
    expect(b.files[4]!.hunks[0]!.section).toBe('struct bpf_verifier_stack_elem {');
    expect(diffstatAgrees(b).ok).toBe(true);
    expect(b.signature).toBe('2.30.2');
    // Body lines point back into the mail body.
    const bodyLines = m.body.split('\n');
    for (const f of b.files) for (const h of f.hunks) {
      expect(bodyLines[h.bodyLine - 1]).toBe(h.header);
      for (const l of h.lines) expect(bodyLines[l.bodyLine - 1]!.slice(1)).toBe(l.text);
    }
  });
});
