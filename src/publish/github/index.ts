export { CHECK_NAME, startCheckRun, completeCheckRun, failCheckRun, postPullReview, type RequestClient, type CheckTarget, type StartedCheck, type ReviewComment } from './publish-check-run.js';
export { fetchPullCommits } from './fetch-pull-commits.js';
export { seriesFromCommits, commitPatchId, type PullCommit, type PullInfo } from './commits-to-series.js';
