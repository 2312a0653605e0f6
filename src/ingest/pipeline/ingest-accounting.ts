import { BugError } from '../../model/errors.js';

/** read = seriesMembers + replies + other + duplicates + quarantined (see ingest.ts). */
export interface IngestAccounting {
  read: number;
  seriesMembers: number;
  replies: number;
  other: number;
  duplicates: number;
  quarantined: number;
}

/** Throws a BugError when the parts do not add up to what was read. */
export function checkAccounting(a: IngestAccounting): void {
  const sum = a.seriesMembers + a.replies + a.other + a.duplicates + a.quarantined;
  if (sum !== a.read) {
    throw new BugError(`accounting does not add up: read ${a.read} but members ${a.seriesMembers} + replies ${a.replies} + other ${a.other} + duplicates ${a.duplicates} + quarantined ${a.quarantined} = ${sum}`);
  }
}
