import { definePatchRule } from '../../src/engine/rule-kit.js';
import type { Address } from '../../src/model/message.js';

const norm = (s: string) => s.toLowerCase().normalize('NFKD').replace(/[^\p{L}\p{N}]+/gu, '');

/** Same person: same address, or same name (lists and mailers rewrite one or the other). */
export function samePerson(a: Address, b: Address): boolean {
  if (a.address && b.address && a.address.toLowerCase() === b.address.toLowerCase()) return true;
  const na = norm(a.name);
  return na.length > 0 && na === norm(b.name);
}

export const rule = definePatchRule({
  id: 'signed-off-by',
  description: 'The patch has no Signed-off-by, the author (From) has none, or a Co-developed-by is not followed by that person\'s Signed-off-by.',
  severity: 'error',
  needs: [],
  source: 'Documentation/process/submitting-patches.rst, "Sign your work - the Developer\'s Certificate of Origin" and "When to use Acked-by:, Cc:, and Co-developed-by:" ("Co-developed-by: must be immediately followed by a Signed-off-by: of the associated co-author"); scripts/checkpatch.pl MISSING_SIGN_OFF / NO_AUTHOR_SIGN_OFF',
  messages: {
    missing: 'There is no Signed-off-by: line, so the patch cannot be applied: the Developer\'s Certificate of Origin needs one from the author (submitting-patches.rst, "Sign your work"). Could you add yours?',
    author: 'The patch is from {{author}}, but none of its Signed-off-by: lines ({{signers}}) is from that author. Is the author\'s Signed-off-by missing, or should the From: be someone else (an in-body From: line sets the author)?',
    coDeveloped: 'Co-developed-by: {{who}} is not immediately followed by a Signed-off-by: from {{who}}. submitting-patches.rst: "Co-developed-by: must be immediately followed by a Signed-off-by: of the associated co-author." Could it be added?',
  },
}, (ctx) => {
  const { patch } = ctx;
  if (patch.error || patch.files.length === 0) return;
  const sobs: { value: string; person: Address | null }[] = patch.trailers.filter((t) => t.name === 'Signed-off-by');
  // a trailer block the parser did not see as one (a "--" instead of "---" before the notes)
  for (const m of patch.commitMessage.matchAll(/^Signed-off-by:[ \t]*(.*?)[ \t]*<([^>\s]+)>[ \t]*$/gim)) {
    sobs.push({ value: `${m[1]!} <${m[2]!}>`, person: { name: m[1]!.replace(/^"|"$/g, ''), address: m[2]! } });
  }
  if (sobs.length === 0) {
    ctx.report({ messageId: 'missing', file: null, severity: 'error' });
    return;
  }
  const author = patch.inBodyFrom ?? patch.author;
  if (author && !sobs.some((t) => t.person && samePerson(t.person, author))) {
    ctx.report({
      messageId: 'author', severity: 'warning', file: null,
      data: { author: author.name ? `${author.name} <${author.address}>` : author.address, signers: sobs.map((t) => t.value).join('; ') },
    });
  }
  patch.trailers.forEach((t, i) => {
    if (t.name !== 'Co-developed-by' || !t.person) return;
    const next = patch.trailers[i + 1];
    if (next && next.name === 'Signed-off-by' && next.person && samePerson(next.person, t.person)) return;
    ctx.report({ messageId: 'coDeveloped', severity: 'warning', file: null, data: { who: t.value }, key: t.value });
  });
});
