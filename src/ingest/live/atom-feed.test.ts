import { describe, expect, it } from 'vitest';
import { messageIdFromLink, parseAtomFeed } from './atom-feed.js';

// The shape public-inbox-httpd writes (WwwAtomStream): newlines inside tags, thr:in-reply-to with its own href.
const FEED = `<?xml version="1.0" encoding="us-ascii"?>
<feed
xmlns="http://www.w3.org/2005/Atom"
xmlns:thr="http://purl.org/syndication/thread/1.0"><title>public inbox for bpf@vger.kernel.org</title><link
rel="alternate"
type="text/html"
href="http://127.0.0.1:8080/bpf/"/><updated>2025-12-16T23:37:24Z</updated><entry><author><name>A</name><email>a@example.org</email></author><title>Re: [PATCH] x</title><updated>2025-12-16T23:37:24Z</updated><link
href="http://127.0.0.1:8080/bpf/reply%2Fwith%2Fslash@example.org/"/><id>urn:uuid:e07d9ebe</id><thr:in-reply-to
ref="urn:uuid:1c5d7b50"
href="http://127.0.0.1:8080/bpf/parent@example.org/"/><content
type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><pre>body with <a href="http://elsewhere/">link</a></pre></div></content></entry><entry><author><name>B</name></author><title>[PATCH] y</title><updated>2025-12-16T20:00:00Z</updated><link
href="http://127.0.0.1:8080/bpf/a&amp;b@example.org/"/><id>urn:uuid:2</id><content
type="xhtml"><div/></content></entry></feed>`;

describe('parseAtomFeed', () => {
  it('reads each entry\'s Message-ID from its own link (not in-reply-to) and its received time', () => {
    expect(parseAtomFeed(FEED, 'http://127.0.0.1:8080/bpf/')).toEqual([
      { messageId: 'reply/with/slash@example.org', received: Date.UTC(2025, 11, 16, 23, 37, 24) / 1000, href: 'http://127.0.0.1:8080/bpf/reply%2Fwith%2Fslash@example.org/' },
      { messageId: 'a&b@example.org', received: Date.UTC(2025, 11, 16, 20) / 1000, href: 'http://127.0.0.1:8080/bpf/a&b@example.org/' },
    ]);
  });

  it('an empty or foreign document has no entries', () => {
    expect(parseAtomFeed('<html>502 Bad Gateway</html>', 'http://x/bpf/')).toEqual([]);
  });

  it('messageIdFromLink decodes the escaped Message-ID, also behind another host name', () => {
    expect(messageIdFromLink('https://lore.kernel.org/bpf/20250101.1-2-a%40b@c.d/', 'https://lore.kernel.org/bpf')).toBe('20250101.1-2-a@b@c.d');
    expect(messageIdFromLink('https://mirror.example/lists/bpf/x@y/', 'https://lore.kernel.org/bpf/')).toBe('x@y');
  });
});
