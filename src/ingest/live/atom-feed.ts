/**
 * public-inbox's Atom feed (`<inbox>/new.atom`): newest first, one `<entry>` per message with its
 * received time in `<updated>` (whole seconds, UTC) and its link `<inbox>/<escaped Message-ID>/`.
 */

export interface FeedEntry {
  messageId: string;
  /** Received time, unix seconds. */
  received: number;
  /** The entry's link (the message's page). */
  href: string;
}

function unescapeXml(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (all, e: string) => {
    switch (e) {
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'amp':
        return '&';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
      default:
        return e[1] === 'x' ? String.fromCodePoint(parseInt(e.slice(2), 16)) : String.fromCodePoint(Number(e.slice(1)));
    }
  });
}

/** The Message-ID in a public-inbox message link ("…/<inbox>/<mid>/"), decoded. */
export function messageIdFromLink(href: string, inboxUrl: string): string | null {
  const base = inboxUrl.endsWith('/') ? inboxUrl : `${inboxUrl}/`;
  let rest: string;
  if (href.startsWith(base)) rest = href.slice(base.length);
  else {
    // a feed served behind another host name: take the last path segment
    const m = /\/([^/]+)\/?$/.exec(href);
    if (!m) return null;
    rest = m[1]!;
  }
  rest = rest.replace(/\/$/, '');
  if (!rest || rest.includes('/')) return null;
  try {
    return decodeURIComponent(rest);
  } catch {
    return null;
  }
}

/** The entries of a public-inbox Atom feed, in feed order (newest first). Entries it cannot read are left out. */
export function parseAtomFeed(xml: string, inboxUrl: string): FeedEntry[] {
  const out: FeedEntry[] = [];
  const entryRe = /<entry>([\s\S]*?)<\/entry>/g;
  for (let m = entryRe.exec(xml); m; m = entryRe.exec(xml)) {
    const body = m[1]!;
    // the entry's own link comes before <content>; thr:in-reply-to also has an href
    const head = body.split('<content')[0]!;
    const link = /<link\s+(?:[^>]*\s)?href="([^"]+)"/.exec(head.replace(/<thr:in-reply-to[\s\S]*?\/>/g, ''));
    const updated = /<updated>([^<]+)<\/updated>/.exec(head);
    if (!link || !updated) continue;
    const href = unescapeXml(link[1]!);
    const t = Date.parse(updated[1]!.trim());
    const messageId = messageIdFromLink(href, inboxUrl);
    if (messageId === null || Number.isNaN(t)) continue;
    out.push({ messageId, received: Math.floor(t / 1000), href });
  }
  return out;
}
