import type { Migration } from './migration.js';

/**
 * What the daemon (`bpf-review serve`) needs to survive a crash: every message seen (raw bytes,
 * deduplicated by Message-ID), the source cursors (written in the same transaction as the
 * messages they cover), series and their state, reviews (one per series revision and content:
 * the unique key makes a review idempotent) and their findings.
 */
export const serviceMigration: Migration = {
  version: 2,
  name: 'service',
  up: `
    CREATE TABLE messages (
      message_id  TEXT PRIMARY KEY,
      source      TEXT NOT NULL,          -- the configured source's name
      origin      TEXT NOT NULL,          -- where in the source ("file.mbox#17", "pi:...@<commit>")
      received_at TEXT NOT NULL,          -- ISO-8601 UTC, our clock
      role        TEXT,                   -- cover | patch | reply | other, once assembled
      series_id   TEXT,
      raw         BLOB NOT NULL
    );
    CREATE INDEX messages_received ON messages (received_at);
    CREATE INDEX messages_series ON messages (series_id);

    CREATE TABLE cursors (
      source     TEXT PRIMARY KEY,
      cursor     TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      last_message_at TEXT                -- when the newest message of this source was stored
    );

    CREATE TABLE series (
      id           TEXT PRIMARY KEY,
      subject      TEXT NOT NULL,
      title        TEXT NOT NULL,
      revision     INTEGER NOT NULL,
      total        INTEGER NOT NULL,
      author       TEXT,
      state        TEXT NOT NULL CHECK (state IN ('waiting', 'reviewed', 'errors-found', 'does-not-apply', 'review-failed')),
      missing      TEXT NOT NULL DEFAULT '[]', -- JSON counters
      first_seen   TEXT NOT NULL,
      deadline     TEXT NOT NULL,
      content_hash TEXT NOT NULL,
      previous     TEXT,
      updated_at   TEXT NOT NULL
    );
    CREATE INDEX series_updated ON series (updated_at);

    CREATE TABLE reviews (
      id            INTEGER PRIMARY KEY AUTOINCREMENT,
      series_id     TEXT NOT NULL,
      revision      INTEGER NOT NULL,
      content_hash  TEXT NOT NULL,
      reason        TEXT NOT NULL CHECK (reason IN ('complete', 'deadline')),
      missing       TEXT NOT NULL DEFAULT '[]',
      reviewed_at   TEXT NOT NULL,
      not_run       TEXT NOT NULL DEFAULT '[]',
      errors        TEXT NOT NULL DEFAULT '[]',
      worker        TEXT,
      UNIQUE (series_id, revision, content_hash)
    );
    CREATE INDEX reviews_series ON reviews (series_id);
    CREATE INDEX reviews_at ON reviews (reviewed_at);

    CREATE TABLE findings (
      id          INTEGER PRIMARY KEY AUTOINCREMENT,
      review_id   INTEGER NOT NULL REFERENCES reviews (id),
      rule_id     TEXT NOT NULL,
      severity    TEXT NOT NULL,
      patch       INTEGER NOT NULL,
      message_id  TEXT NOT NULL,
      file        TEXT,
      line        INTEGER,
      message     TEXT NOT NULL,
      source      TEXT,
      fingerprint TEXT NOT NULL,
      quoted      TEXT NOT NULL DEFAULT '[]'   -- JSON: the patch lines around the finding's line
    );
    CREATE INDEX findings_review ON findings (review_id);
    CREATE INDEX findings_rule ON findings (rule_id);

    -- the verifier model's agreement with the selftests' expectations, one row per measurement
    CREATE TABLE model_agreement (
      measured_at   TEXT NOT NULL,
      kernel        TEXT NOT NULL,
      programs      INTEGER NOT NULL,
      verdict_agree INTEGER NOT NULL,
      message_agree INTEGER NOT NULL
    );
  `,
};
