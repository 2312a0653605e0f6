import type { Address } from './message.js';

export type TrailerName =
  | 'Signed-off-by' | 'Acked-by' | 'Reviewed-by' | 'Tested-by' | 'Fixes' | 'Link'
  | 'Closes' | 'Reported-by' | 'Cc' | 'Suggested-by' | 'Co-developed-by' | string;

export interface Trailer {
  /** Canonical capitalisation (Signed-off-by), whatever the mail had. */
  name: TrailerName;
  value: string;
  /** Parsed person for person trailers (name <email>), null for Fixes/Link/... */
  person: Address | null;
}
