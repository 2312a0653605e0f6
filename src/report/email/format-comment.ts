import type { Finding } from '../../model/index.js';
import { wrapText } from './wrap-text.js';

const TRAILER_START = /^[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*-by:/i;

/** Lower-case the first word when it is an ordinary capitalised word (not KF_RELEASE, not BPF). */
function lowerFirstWord(s: string): string {
  return /^[A-Z][a-z]+\b/.test(s) && !/^[A-Z][a-z]+[A-Z_]/.test(s) ? s[0]!.toLowerCase() + s.slice(1) : s;
}

/**
 * The reviewer's words for one finding, in the voice review-style.md asks for:
 * errors stated as they are (the rule gives the reason), warnings as questions,
 * info starting "This isn't a bug, but ...", and the source that backs the point.
 */
export function commentText(f: Finding): string {
  let text = f.message.trim();
  if (f.severity === 'info' && !/^this isn't a bug/i.test(text)) {
    text = `This isn't a bug, but ${lowerFirstWord(text)}`;
  } else if (f.severity === 'warning' && !text.includes('?')) {
    text = `${text}${/[.!]$/.test(text) ? '' : '.'} Is that intended?`;
  }
  if (f.source && f.source.trim() !== '') text += `\n\nSee ${f.source.trim()}${f.source.trim().endsWith('.') ? '' : '.'}`;
  return text;
}

/**
 * Wrap a comment at 78 columns and make sure no wrapped line begins like a trailer
 * ("Acked-by:"): b4 and patchwork would collect it, and a bot never gives trailers.
 */
export function wrapComment(text: string): string[] {
  const lines = wrapText(text);
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const prev = lines[i - 1]!;
    if (TRAILER_START.test(line) && prev !== '' && !/^[ \t]/.test(prev)) {
      const [first, ...rest] = line.split(' ');
      lines[i - 1] = `${prev} ${first}`;
      if (rest.length > 0) lines[i] = rest.join(' ');
      else lines.splice(i--, 1);
    }
  }
  return lines.map((l) => (TRAILER_START.test(l) ? `(${l})` : l));
}
