/**
 * Read-only access to a kernel tree with git, and applying a series to it patch by patch.
 *
 * The user's checkout is never modified: every git command runs with a temporary index file
 * (GIT_INDEX_FILE) and a temporary object directory (GIT_OBJECT_DIRECTORY, the repository's own
 * objects as an alternate), so applied patches become commits that live only in a temp dir. No
 * ref, worktree, index entry or file of the user's repository is touched. A plain directory
 * (no git) is imported into a temporary repository first.
 *
 * This module gathers the public API of the parts: run-git.ts (git processes),
 * open-kernel-tree.ts (opening a tree), blob-reader.ts (the long-lived cat-file reader),
 * apply-series.ts and apply-on-small-index.ts (applying a series), read-tree-files.ts
 * (reading tree files and candidates); git-objects.ts writes git objects without git.
 */
export { runGit, type GitResult } from './run-git.js';
export { IMPORT_MESSAGE, hasCommit, openKernelTree, type KernelTree } from './open-kernel-tree.js';
export { readBlobs } from './blob-reader.js';
export { applySeries, locateApplyFailure, type AppliedSeries, type PatchApplyResult, type SeriesPatch } from './apply-series.js';
export { changedFiles, listCandidates, readChanged, readTreeFiles } from './read-tree-files.js';
