import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NntpClient } from '../../../src/ingest/live/nntp-client.js';
import { hasDovecot, hasPublicInbox, makePublicInbox, startDovecot, startPublicInboxHttpd, startPublicInboxNntpd } from './index.js';

const msg = (id: string): Buffer =>
  Buffer.from(`From: A <a@example.org>\nTo: bpf@vger.kernel.org\nSubject: [PATCH] helper test ${id}\nDate: Mon, 1 Jan 2024 00:00:00 +0000\nMessage-ID: <${id}>\n\nbody\n`);

(hasPublicInbox ? describe : describe.skip)(hasPublicInbox ? 'public-inbox test servers' : 'public-inbox test servers (skipped: public-inbox is not installed)', () => {
  it('an inbox folder given as a path gets its own config; httpd and nntpd serve it; everything is removed after', async () => {
    const inbox = await makePublicInbox([msg('one@example.org')]);
    await inbox.add(msg('two@example.org'));
    expect(await inbox.commits()).toBe(2);
    await expect(inbox.add(msg('two@example.org'))).rejects.toThrow(/did not store/); // a duplicate is not stored
    const httpd = await startPublicInboxHttpd(inbox.dir);
    const nntpd = await startPublicInboxNntpd(inbox.dir);
    try {
      expect(httpd.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/bpf\/$/);
      const feed = await (await fetch(`${httpd.url}new.atom`)).text();
      expect(feed).toContain('two@example.org');
      const c = await NntpClient.connect({ host: nntpd.host, port: nntpd.port });
      expect(await c.group(nntpd.group)).toMatchObject({ low: 1, high: 2 });
      await c.quit();
    } finally {
      await httpd.stop();
      await nntpd.stop();
      await inbox.remove();
    }
    expect(existsSync(inbox.root)).toBe(false);
  });
});

(hasDovecot ? describe : describe.skip)(hasDovecot ? 'Dovecot test server' : 'Dovecot test server (skipped: dovecot-imapd is not installed)', () => {
  it('appends over IMAP into its own maildir and cleans up', async () => {
    const dv = await startDovecot({ user: 'u1', password: 'p1' });
    try {
      expect(await dv.append(msg('imap-1@example.org'))).toBe(1);
      expect(await dv.append(msg('imap-2@example.org'))).toBe(2);
      expect(existsSync(`${dv.mailboxDir}/cur`) || existsSync(`${dv.mailboxDir}/new`)).toBe(true);
    } finally {
      await dv.stop();
    }
    expect(existsSync(dv.dir)).toBe(false);
  });
});
