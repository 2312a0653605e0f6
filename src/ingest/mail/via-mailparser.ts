/**
 * The mailparser side of message parsing: mail the fast path does not take (multipart, 8-bit
 * headers, odd encodings) and address headers beyond the simple reader. mailparser is loaded on
 * first need, so mail that never needs it never pays for loading it.
 */
import type { AddressObject, EmailAddress, MailParserOptions } from 'mailparser';
import type { Address, Attachment } from '../../model/message.js';
import { type RawHeaderLine, allHeaders, decodeCharset, firstHeader, parseSimpleAddressList } from './mail-headers.js';

/** No HTML work at all (no HTML to text, no text to HTML, no links), no attachment checksums. */
const MAILPARSER_OPTIONS: MailParserOptions = {
  skipHtmlToText: true,
  skipTextToHtml: true,
  skipTextLinks: true,
  skipImageLinks: true,
  checksumAlgo: false,
};

type MaybeAddresses = AddressObject | AddressObject[] | undefined | null;

function flatten(obj: MaybeAddresses): EmailAddress[] {
  if (!obj) return [];
  const list = Array.isArray(obj) ? obj : [obj];
  const out: EmailAddress[] = [];
  const walk = (a: EmailAddress): void => {
    if (a.group && a.group.length) a.group.forEach(walk);
    else if (a.address || a.name) out.push(a);
  };
  for (const o of list) for (const a of o.value ?? []) walk(a);
  return out;
}

type MailparserModule = typeof import('mailparser');
let mailparserModule: Promise<MailparserModule> | null = null;

/** mailparser is loaded on first need: most mail never needs it, and loading it costs ~120 ms at start-up. */
export function loadMailparser(): Promise<MailparserModule> {
  mailparserModule ??= import('mailparser');
  return mailparserModule;
}

function addressValues(lines: RawHeaderLine[], key: 'from' | 'to' | 'cc'): string[] {
  return key === 'from' ? [firstHeader(lines, 'from')].filter((v): v is string => v !== null) : allHeaders(lines, key);
}

/** Addresses of every `key` header with the simple reader; null when one of them is beyond it. */
export function simpleAddresses(lines: RawHeaderLine[], key: 'from' | 'to' | 'cc'): Address[] | null {
  const out: Address[] = [];
  for (const v of addressValues(lines, key)) {
    const simple = parseSimpleAddressList(v);
    if (simple === null) return null;
    out.push(...simple);
  }
  return out;
}

/** Addresses of every `key` header with mailparser's parser (the first From only). */
export function parsedAddresses(mp: MailparserModule, lines: RawHeaderLine[], key: 'from' | 'to' | 'cc'): Address[] {
  return addressList(mp.parseAddressHeader(addressValues(lines, key)));
}

function toAddress(a: EmailAddress): Address {
  return { name: (a.name ?? '').trim(), address: (a.address ?? '').trim() };
}

function firstAddress(obj: MaybeAddresses): Address | null {
  const a = flatten(obj)[0];
  return a ? toAddress(a) : null;
}

function addressList(obj: MaybeAddresses): Address[] {
  return flatten(obj).map(toAddress);
}

/** What mailparser hands out per attachment (the parts we use). */
interface MpAttachment {
  type: 'attachment';
  contentType?: string;
  filename?: string;
  headers?: Map<string, unknown>;
  content: NodeJS.ReadableStream | Buffer;
  release: (() => void) | null;
}

/** mailparser's (internal, version-pinned) tree node: what we read of it. */
interface MpNode {
  contentType?: string;
  disposition?: string;
  isAttachment?: boolean;
  textContent?: string;
  charset?: string;
  node?: { filename?: string | false };
  children?: MpNode[];
}

interface MpResult {
  subject?: string;
  from?: AddressObject;
  to?: AddressObject | AddressObject[];
  cc?: AddressObject | AddressObject[];
}

/**
 * Runs mailparser's streaming parser (as simpleParser does) and then walks its part
 * tree: the body is the first inline text/plain part without a filename (else the first
 * inline text/plain part); every other leaf is an attachment, in tree order, other inline
 * text parts included (so an inline `0001-foo.patch` is listed with its text).
 */
export async function viaMailparser(bytes: Buffer): Promise<{ subject: string; from: Address | null; to: Address[]; cc: Address[]; body: string; attachments: Attachment[] }> {
  const { MailParser } = await loadMailparser();
  const parser = new MailParser(MAILPARSER_OPTIONS);
  const collected: { att: MpAttachment; content: Buffer }[] = [];
  const headersSeen: MpResult = {};
  await new Promise<void>((resolve, reject) => {
    let settled = false;
    const settle = (err?: Error): void => {
      if (settled) return;
      settled = true;
      if (err) reject(err);
      else resolve();
    };
    parser.on('error', (err: Error) => settle(err));
    parser.on('headers', (h: Map<string, unknown>) => {
      headersSeen.subject = h.get('subject') as string | undefined;
      headersSeen.from = h.get('from') as AddressObject | undefined;
      headersSeen.to = h.get('to') as AddressObject | AddressObject[] | undefined;
      headersSeen.cc = h.get('cc') as AddressObject | AddressObject[] | undefined;
    });
    let reading = false;
    const reader = (): void => {
      reading = true;
      const data = parser.read() as { type: string } | null;
      if (data === null) {
        reading = false;
        return;
      }
      if (data.type === 'attachment') {
        const att = data as unknown as MpAttachment;
        const stream = att.content as NodeJS.ReadableStream;
        const chunks: Buffer[] = [];
        stream.on('readable', () => {
          let chunk: Buffer | null;
          while ((chunk = stream.read() as Buffer | null) !== null) chunks.push(chunk);
        });
        stream.on('end', () => {
          collected.push({ att, content: Buffer.concat(chunks) });
          att.release?.();
          reader();
        });
      } else {
        reader();
      }
    };
    parser.on('readable', () => {
      if (!reading) reader();
    });
    parser.on('end', () => settle());
    parser.end(bytes);
  });

  const tree = (parser as unknown as { tree: MpNode | false }).tree;
  const leaves: MpNode[] = [];
  const walk = (n: MpNode): void => {
    if (n.children && n.children.length) n.children.forEach(walk);
    else if (!/^multipart\//i.test(n.contentType ?? '')) leaves.push(n);
  };
  if (tree) walk(tree);
  const inlineText = leaves.filter((n) => !n.isAttachment && n.contentType === 'text/plain' && n.disposition === 'inline');
  const bodyNode = inlineText.find((n) => !n.node?.filename) ?? inlineText[0] ?? null;
  const attachments: Attachment[] = [];
  let next = 0;
  for (const n of leaves) {
    if (n === bodyNode) continue;
    if (n.isAttachment) {
      const c = collected[next++];
      if (c) attachments.push(toAttachment(c.att, c.content));
    } else if (n.contentType !== 'text/html' && typeof n.textContent === 'string') {
      const text = n.textContent.replace(/\r\n?/g, '\n');
      attachments.push({ filename: n.node?.filename || null, contentType: n.contentType ?? 'text/plain', text, size: Buffer.byteLength(n.textContent) });
    }
  }
  for (; next < collected.length; next++) {
    const c = collected[next] as { att: MpAttachment; content: Buffer };
    attachments.push(toAttachment(c.att, c.content));
  }
  return {
    subject: headersSeen.subject ?? '',
    from: firstAddress(headersSeen.from),
    to: addressList(headersSeen.to),
    cc: addressList(headersSeen.cc),
    body: (bodyNode?.textContent ?? '').replace(/\r\n/g, '\n'),
    attachments,
  };
}

function toAttachment(a: MpAttachment, content: Buffer): Attachment {
  const contentType = (a.contentType ?? 'application/octet-stream').toLowerCase();
  let text: string | null = null;
  // Patches sent as application/octet-stream (some mailers) are text too.
  if (contentType.startsWith('text/') || /\.(patch|diff)$/i.test(a.filename ?? '')) {
    const ct = a.headers?.get('content-type') as { params?: Record<string, string> } | string | undefined;
    const charset = typeof ct === 'object' && ct?.params ? ct.params.charset : undefined;
    text = (decodeCharset(content, charset) ?? content.toString('utf8')).replace(/\r\n?/g, '\n');
  }
  return { filename: a.filename ?? null, contentType, text, size: content.length };
}
