/**
 * Real servers for tests, each a private instance on 127.0.0.1 in a temp folder:
 * Dovecot (IMAP), public-inbox-httpd / -nntpd over a public-inbox v2 inbox made with the real tools.
 * Tests skip (describe.skip with the reason) when hasDovecot / hasPublicInbox is false.
 */
export { startDovecot, hasDovecot, type DovecotServer, type DovecotOptions } from './dovecot.js';
export {
  makePublicInbox,
  startPublicInboxHttpd,
  startPublicInboxNntpd,
  hasPublicInbox,
  type PublicInbox,
  type PublicInboxOptions,
  type PublicInboxHttpd,
  type PublicInboxNntpd,
} from './public-inbox.js';
export { freePort, waitForPort, findBinary, spawnDaemon, runCommand, mustRun, type Daemon } from './proc.js';
