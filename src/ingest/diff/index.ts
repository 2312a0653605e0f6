export { parseDiff } from './parse-diff-text.js';
export { parsePatchBody, diffstatAgrees } from './parse-patch-body.js';
export { patchTextOf, hasDiff } from './patch-text-of.js';
export { parseReviewReply } from './parse-review-reply.js';
export { parseDiffstat, diffstatPathMatches } from './parse-diffstat.js';
export { unquoteC } from './diff-paths.js';
