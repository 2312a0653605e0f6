import { createHash } from 'node:crypto';

/**
 * A fingerprint that survives rebases and re-posts: it names the rule, the message, the file and
 * the normalised text of the line, never the line number.
 */
export function fingerprint(parts: { ruleId: string; messageId: string; file: string | null; lineText: string | null; key?: string; subject?: string }): string {
  const norm = (s: string | null | undefined) => (s ?? '').replace(/\s+/g, ' ').trim();
  const material = [parts.ruleId, parts.messageId, parts.file ?? '', norm(parts.lineText), parts.key ?? '', parts.file ? '' : norm(parts.subject)].join('\u0000');
  return createHash('sha256').update(material).digest('hex').slice(0, 16);
}
