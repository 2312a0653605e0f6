/** A message as it came from a source: bytes plus where it came from. */
export interface RawMessage {
  /** Where it came from, precise enough for a human to find it: "file.mbox#17", "maildir/cur/123", "pi:<commit>". */
  source: string;
  bytes: Buffer;
}

export interface Address {
  name: string;
  address: string;
}

export interface Attachment {
  filename: string | null;
  contentType: string;
  /** Decoded text for text/* parts (patches sent as text/x-patch), null for binary parts. */
  text: string | null;
  size: number;
}

/** One parsed mail. All header values decoded (RFC 2047), body decoded to a JS string. */
export interface Message {
  source: string;
  /** Message-ID without angle brackets. Synthesised ("<source-hash>@bpf-review.invalid") only when missing. */
  messageId: string;
  messageIdSynthesised: boolean;
  inReplyTo: string | null;
  /** References in order, oldest first, without angle brackets. */
  references: string[];
  /** The exact subject header value, decoded, unfolded; nothing stripped. */
  subject: string;
  from: Address | null;
  to: Address[];
  cc: Address[];
  /** ISO-8601 (UTC) or null when the Date header is missing or unreadable. */
  date: string | null;
  /** The text/plain body (first inline text part), decoded. */
  body: string;
  /** Other parts: attachments, including text/x-patch ones. */
  attachments: Attachment[];
  /** Selected raw headers, lower-cased names (list-id, x-mailer, change-id, ...). */
  headers: Record<string, string>;
}
