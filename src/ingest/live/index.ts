/**
 * Live sources: mail that keeps coming. Each is a LiveSource (start(onMessages) / stop()) built on
 * BaseLiveSource (retry forever with bounded, jittered backoff on transient errors; stop with a
 * named LiveSourceConfigError on permanent ones); the caller persists the cursor handed to onMessages.
 * - LoreHttpSource: lore / public-inbox-httpd: new.atom polling, rt: search catch-up, t.mbox.gz or raw.
 * - NntpSource: NNTP (public-inbox-nntpd), self-healing article-number cursor.
 * - ImapSource: IMAP (imapflow) with IDLE, UIDVALIDITY:UID cursor.
 * - PublicInboxMirrorSource: git fetch of a public-inbox v2 mirror, then readPublicInboxV2.
 */
export { Backoff, DEFAULT_BACKOFF, systemClock, sleep, type BackoffOptions, type LiveClock } from './backoff.js';
export { LiveSourceConfigError, HttpStatusError, parseRetryAfter } from './errors.js';
export {
  BaseLiveSource,
  Notifier,
  isPermanent,
  type LiveSource,
  type LiveEvent,
  type LiveEventKind,
  type LiveSourceCommon,
  type OnMessages,
  type SessionContext,
} from './live-source.js';
export { parseAtomFeed, messageIdFromLink, type FeedEntry } from './atom-feed.js';
export { receivedTime, messageIdOf, parseMailDate, headerFields } from './received-time.js';
export { LoreHttpSource, formatLoreCursor, parseLoreCursor, type LoreCursor, type LoreHttpSourceOptions } from './lore-http-source.js';
export { NntpClient, NntpResponseError, type NntpResponse, type GroupInfo, type OverviewEntry, type NntpArticle } from './nntp-client.js';
export { NntpSource, formatNntpCursor, parseNntpCursor, type NntpCursor, type NntpSourceOptions } from './nntp-source.js';
export { ImapSource, formatImapCursor, parseImapCursor, type ImapCursor, type ImapSourceOptions } from './imap-source.js';
export { PublicInboxMirrorSource, clonePublicInboxMirror, type PublicInboxMirrorSourceOptions } from './public-inbox-mirror-source.js';
export { PACKAGE_VERSION } from './version.js';
