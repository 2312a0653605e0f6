/**
 * Prose wrapping for list mail. Lines that look like code (start with a tab or a space, or
 * contain a tab) are kept as they are: code is never wrapped.
 */
export const WRAP_COLUMNS = 78;

function isCodeLine(line: string): boolean {
  return /^[ \t]/.test(line) || line.includes('\t');
}

/** Greedy word wrap of one paragraph; a word longer than the width (a URL) gets its own line. */
function wrapParagraph(words: string[], width: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const w of words) {
    if (cur === '') cur = w;
    else if (cur.length + 1 + w.length <= width) cur += ` ${w}`;
    else {
      out.push(cur);
      cur = w;
    }
  }
  if (cur !== '') out.push(cur);
  return out;
}

/**
 * Wrap text at `width` columns. Paragraphs (separated by blank lines) stay separate;
 * consecutive prose lines are joined and re-wrapped; code lines pass through untouched.
 */
export function wrapText(text: string, width = WRAP_COLUMNS): string[] {
  const out: string[] = [];
  let prose: string[] = [];
  const flush = (): void => {
    if (prose.length > 0) out.push(...wrapParagraph(prose, width));
    prose = [];
  };
  for (const raw of text.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.replace(/\s+$/, '');
    if (line === '') {
      flush();
      if (out.length > 0 && out[out.length - 1] !== '') out.push('');
    } else if (isCodeLine(line)) {
      flush();
      out.push(line);
    } else {
      prose.push(...line.split(/ +/).filter((w) => w !== ''));
    }
  }
  flush();
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}
