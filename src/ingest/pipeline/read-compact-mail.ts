/**
 * One raw message into the compact form large ingests keep (see compact-mail.ts), or the
 * reason it is quarantined: the step batch (`ingestMessages` with keep: 'compact') and
 * streaming (`ingestStream`) ingest share.
 */
import type { RawMessage } from '../../model/message.js';
import type { Quarantined } from '../../model/errors.js';
import { parseMessage } from '../mail/parse-message.js';
import { factsOf } from '../thread/facts-of.js';
import { compactMail, type CompactMail, type Interner } from './compact-mail.js';

export async function readCompactMail(raw: RawMessage, ids: Interner): Promise<{ mail: CompactMail } | { quarantined: Quarantined }> {
  // To/Cc are dropped by compactMail: not read at all.
  const parsed = await parseMessage(raw, { recipients: false });
  if (!parsed.ok) return { quarantined: { source: raw.source, messageId: null, code: parsed.error.code, reason: parsed.error.message } };
  const m = parsed.value;
  return { mail: compactMail(factsOf(m, { summary: true }), m, ids) };
}
