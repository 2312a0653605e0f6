/** One numbered schema change. Versions start at 1, have no gaps, and are never edited once shipped. */
export interface Migration {
  version: number;
  name: string;
  /** SQL run in one transaction together with its schema_migrations row. */
  up: string;
}
