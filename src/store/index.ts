export { openStore, StoreTooNewError, type Store, type SqliteDb } from './open-store.js';
export { Outbox, type OutboxChannel, type OutboxState, type OutboxEntry, type NewOutboxEntry } from './outbox.js';
export { type ReplyOutbox, type MaybePromise } from './reply-outbox.js';
export { MIGRATIONS, type Migration } from './migrations/index.js';
export {
  SqliteServiceStore,
  reviewKey,
  type ServiceStore,
  type StoredMessage,
  type NewMessage,
  type SeriesRow,
  type SeriesState,
  type CursorRow,
  type StoredFinding,
  type ReviewRecord,
  type ReviewRow,
  type AgreementRow,
} from './service-store.js';
