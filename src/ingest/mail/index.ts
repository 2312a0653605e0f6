/** Parsing raw mail into our domain types (pure functions, no IO). */
export { parseTrailerLine, splitTrailerBlock, extractFollowupTrailers, parsePerson, canonicalTrailerName, isPersonTrailerName } from './parse-trailers.js';
export { parseSubject, isTreeToken, KNOWN_TREES } from './parse-subject.js';
export { parseMessage, parseMessageVia, synthesiseMessageId, KEPT_HEADERS, type ParsePath, type ParseMessageOptions } from './parse-message.js';
export { parseMailDate } from './parse-date.js';
export { decodeRfc2047, parseReferences, parseInReplyTo, parseMessageId } from './mail-headers.js';
