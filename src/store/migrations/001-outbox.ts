import type { Migration } from './migration.js';

/** What we post (mail replies, patchwork checks, GitHub checks), recorded before and after. */
export const outboxMigration: Migration = {
  version: 1,
  name: 'outbox',
  up: `
    CREATE TABLE outbox (
      message_id      TEXT PRIMARY KEY,
      series_id       TEXT NOT NULL,
      patch           INTEGER NOT NULL,
      channel         TEXT NOT NULL CHECK (channel IN ('smtp', 'patchwork', 'github')),
      payload         BLOB NOT NULL,
      recipients      TEXT NOT NULL,          -- JSON array of envelope addresses
      in_reply_to     TEXT,                   -- the message (or patch) it answers
      fingerprints    TEXT NOT NULL DEFAULT '[]', -- JSON array: the findings it carries
      envelope_from   TEXT NOT NULL DEFAULT '',
      state           TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
      attempts        INTEGER NOT NULL DEFAULT 0,
      last_error      TEXT,
      not_before      TEXT NOT NULL,          -- ISO-8601 UTC: the delay so humans see the patch first
      created_at      TEXT NOT NULL,
      sending_at      TEXT,
      sent_at         TEXT,
      server_response TEXT
    );
    CREATE INDEX outbox_due ON outbox (channel, state, not_before);
    CREATE INDEX outbox_sent ON outbox (channel, sent_at);
    CREATE INDEX outbox_reply_to ON outbox (in_reply_to);
  `,
};
