/**
 * git's own mailinfo expectations (t/t5100, in ../shared/corpus/git-t5100): for each message of
 * sample.mbox, the patch mailinfo cuts out (patchNNNN) holds the same diff we cut, and the
 * message it keeps (msgNNNN, with the --scissors variant where there is one) starts with our
 * commit message.
 */
import { existsSync, readFileSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import { beforeAll, expect, it } from 'vitest';
import { describeShared, sharedPath } from '../../../test/support/shared-data.js';
import { findDiffStart } from './cut-patch-body.js';
import { parsePatchBody } from './parse-patch-body.js';

function expectedDiff(patchFile: string): string {
  const lines = patchFile.split('\n');
  const start = findDiffStart(lines, 0);
  if (start < 0) return '';
  let end = lines.indexOf('-- ', start);
  if (end < 0) end = lines.length;
  return lines.slice(start, end).join('\n').trimEnd();
}

describeShared('git mailinfo t5100 expectations', () => {
  const bodies: string[] = [];
  beforeAll(async () => {
    const mbox = readFileSync(sharedPath('corpus', 'git-t5100', 'sample.mbox'), 'utf8');
    const parts = mbox.split(/^(?=From (?:nobody|\S+@\S+|[0-9a-f]{40}) .*\d{4}$)/m).filter((p) => p.startsWith('From '));
    for (const p of parts) {
      const m = await simpleParser(Buffer.from(p.slice(p.indexOf('\n') + 1), 'utf8'), { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true });
      bodies.push(m.text ?? '');
    }
  });

  it('cuts the same diff and keeps the same message start as git mailinfo', () => {
    expect(bodies.length).toBeGreaterThanOrEqual(17);
    let withDiff = 0;
    let messages = 0;
    bodies.forEach((body, k) => {
      const n = String(k + 1).padStart(4, '0');
      const patchPath = sharedPath('corpus', 'git-t5100', `patch${n}`);
      if (!existsSync(patchPath)) return;
      const r = parsePatchBody(body);
      expect(r.ok, `${n}: ${r.ok ? '' : r.error.message}`).toBe(true);
      if (!r.ok) return;
      const want = expectedDiff(readFileSync(patchPath, 'utf8'));
      if (want !== '') {
        expect(r.value.diffText.trimEnd(), n).toBe(want);
        expect(r.value.files.length, n).toBeGreaterThan(0);
        withDiff++;
      }
      const msgPath = [`msg${n}--scissors`, `msg${n}`].map((f) => sharedPath('corpus', 'git-t5100', f)).find((p) => existsSync(p))!;
      const msg = readFileSync(msgPath, 'utf8').trim();
      const ours = r.value.commitMessage.trim();
      if (ours !== '') {
        expect(msg.replace(/\s+/g, ' ').startsWith(ours.replace(/\s+/g, ' ')), `${n}: ${ours.slice(0, 60)}`).toBe(true);
        messages++;
      }
    });
    expect(withDiff).toBeGreaterThanOrEqual(12);
    expect(messages).toBeGreaterThanOrEqual(12);
  });
});
