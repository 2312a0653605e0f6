/**
 * The reviewer's own words under a quote, without the parts that are not review: the
 * attribution line that introduces the next quote ("On ..., X wrote:"), snip marks, a greeting,
 * and (for the last block) the sign-off.
 */
const SNIP_RE = /^\s*(\[\s*(\.\.\.|…|snip|snipped|trim|trimmed)\s*\]|\.\.\.|<snip>|--\s*snip\s*--)\s*$/i;
const GREETING_RE = /^(hi|hey|hello|dear|hallo)\b[^.!?]{0,40},?\s*$/i;
const SIGNOFF_RE = /^(thanks|thank you|thx|cheers|regards|best regards|best|br|kind regards|many thanks|ta)\b[^.?]{0,30}[,.!]?\s*$/i;

function paragraphs(lines: string[]): string[][] {
  const out: string[][] = [];
  let cur: string[] = [];
  for (const l of lines) {
    if (l.trim() === '') {
      if (cur.length) out.push(cur);
      cur = [];
    } else cur.push(l);
  }
  if (cur.length) out.push(cur);
  return out;
}

/**
 * `signer`: the reviewer's name words and address local part; a lone last line made only of
 * those ("David", "- Alexei") is a sign-off. Without a known signer, one to three capitalised
 * words count as a name.
 */
export function cleanComment(raw: string[], isLastBlock: boolean, signer: string[] = []): string {
  const known = new Set(signer.map((w) => w.toLowerCase()).filter((w) => w.length > 1));
  const isName = (line: string): boolean => {
    const t = line.trim().replace(/^-+\s*/, '');
    if (known.size > 0) return t !== '' && t.split(/\s+/).every((w) => known.has(w.toLowerCase().replace(/[.,]$/, '')));
    return /^\p{Lu}[\p{L}'.-]*(?: \p{Lu}[\p{L}'.-]*){0,2}$/u.test(t);
  };
  let kept = raw.map((l) => l.replace(/\s+$/, '')).filter((l) => !SNIP_RE.test(l) && !/^pw-bot:/.test(l));
  if (isLastBlock) {
    // A "--" signature line whose blank a mailer ate.
    const dash = kept.findIndex((l) => /^--$/.test(l));
    if (dash >= 0) kept = kept.slice(0, dash);
  }
  const paras = paragraphs(kept);
  if (!isLastBlock) {
    // "On Tue, Jan 17, 2023 at 8:07 AM X <x@y> wrote:" (often folded on two lines) before the next quote.
    const last = paras[paras.length - 1];
    if (last && last.length <= 3 && /(wrote|writes|said):\s*$/.test(last[last.length - 1] as string)) paras.pop();
  }
  const first = paras[0];
  if (first && GREETING_RE.test(first[0] as string)) {
    first.shift();
    if (first.length === 0) paras.shift();
  }
  if (isLastBlock) {
    // "Thanks,\nDavid", or a lone name line, at the end.
    for (;;) {
      const last = paras[paras.length - 1];
      if (!last) break;
      const short = last.length <= 3 && last.every((l) => l.trim().length <= 40);
      const lone = last.length === 1 && isName(last[0] as string);
      if (short && (SIGNOFF_RE.test((last[0] as string).trim()) || lone)) {
        paras.pop();
        continue;
      }
      // "... last words.\nThanks,\nSaket": a sign-off glued to the last paragraph.
      const n = last.length;
      if (n >= 3 && isName(last[n - 1] as string) && SIGNOFF_RE.test((last[n - 2] as string).trim())) {
        last.splice(n - 2, 2);
        continue;
      }
      break;
    }
  }
  return paras.map((p) => p.join('\n')).join('\n\n').trim();
}
