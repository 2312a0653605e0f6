export { PatchworkChecks, PatchworkError, type PatchworkSettings, type PatchworkCheckRecord, type PostResult, type PostAction } from './patchwork-checks.js';
