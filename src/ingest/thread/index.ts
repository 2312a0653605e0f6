export { assembleThreads, parentIdOf, ancestorIdsOf, type ThreadableMessage } from './assemble-threads.js';
export { assembleSeries, type SeriesAssembly, type MailRole } from './assemble-series.js';
export { factsOf, isRevisionLabelled, isMemberSubject, withMercurialCounter, type FactsOptions } from './facts-of.js';
export { groupMembers, memberCounter, SERIES_WINDOW_MS, type MemberGroup } from './group-members.js';
export { linkRevisions, normaliseTitle, type RevisionNode } from './link-revisions.js';
export type { MailFacts } from './mail-facts.js';
