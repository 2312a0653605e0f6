export { openStore, StoreTooNewError, type Store, type SqliteDb } from './open-store.js';
export { Outbox, type OutboxChannel, type OutboxState, type OutboxEntry, type NewOutboxEntry } from './outbox.js';
export { MIGRATIONS, type Migration } from './migrations/index.js';
