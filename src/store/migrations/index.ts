import type { Migration } from './migration.js';
import { outboxMigration } from './001-outbox.js';
import { serviceMigration } from './002-service.js';

export type { Migration } from './migration.js';

/**
 * Every migration in order. Add a new one as NNN-name.ts exporting a Migration with the next
 * version number, and append it here; never change one that has shipped.
 */
export const MIGRATIONS: readonly Migration[] = [outboxMigration, serviceMigration];
