import type { Message } from '../../model/message.js';
import { findDiffStart } from './cut-patch-body.js';

/** Whether a text carries a diff (an unquoted `diff --git`, or a `---`/`+++`/`@@` unified header). */
export function hasDiff(text: string): boolean {
  return findDiffStart(text.replace(/\r\n/g, '\n').split('\n'), 0) >= 0;
}

/**
 * The text that carries the patch of a message: the body when it holds a diff, else the first
 * text attachment that does (patches sent as text/x-patch or text/x-diff attachments), else null.
 */
export function patchTextOf(message: Message): { text: string; fromAttachment: boolean } | null {
  if (hasDiff(message.body)) return { text: message.body, fromAttachment: false };
  for (const a of message.attachments) {
    if (a.text !== null && hasDiff(a.text)) return { text: a.text, fromAttachment: true };
  }
  return null;
}
