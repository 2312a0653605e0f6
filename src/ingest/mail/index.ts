export { parseTrailerLine, splitTrailerBlock, extractFollowupTrailers, parsePerson, canonicalTrailerName, isPersonTrailerName } from './parse-trailers.js';
