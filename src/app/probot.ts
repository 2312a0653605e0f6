/**
 * The GitHub App (Probot): on pull_request opened / synchronize / reopened and on a re-run of
 * our check, review the pull request's commits as a patch series and publish one check run per
 * head commit (and, when configured, one COMMENT review with line comments).
 * `probot run dist/src/app/probot.js` loads the default export with the real engine.
 */
import type { Context, Probot } from 'probot';
import type { Finding, Message } from '../model/index.js';
import { renderCheckRun } from '../report/github/check-run-output.js';
import { lineAtHead } from '../report/github/line-at-head.js';
import { loadEngineReview, type ReviewFn } from '../publish/engine-review.js';
import {
  CHECK_NAME, completeCheckRun, failCheckRun, fetchPullCommits, postPullReview, seriesFromCommits, startCheckRun,
  type RequestClient, type PullInfo,
} from '../publish/github/index.js';

export interface BpfReviewAppOptions {
  /** The engine's review; default: src/engine/review-series.ts, loaded on first use. */
  reviewSeries?: ReviewFn;
  /** Also post a pull-request review with line comments (default off). */
  pullRequestReview?: boolean;
  /** Link shown on the check run. */
  detailsUrl?: (pr: PullInfo) => string | undefined;
  now?: () => Date;
}

type Log = { info: (o: object, m?: string) => void; error: (o: object, m?: string) => void };

function commentBody(f: Finding): string {
  return `${f.message}${f.source ? `\n\nSee ${f.source}.` : ''}\n\n<sub>bpf-review \`${f.ruleId}\`</sub>`;
}

/** Review one pull request head and publish the result. */
export async function reviewPull(gh: RequestClient, pr: PullInfo, opts: BpfReviewAppOptions, log: Log): Promise<void> {
  const now = opts.now ?? (() => new Date());
  const target = { owner: pr.owner, repo: pr.repo, headSha: pr.headSha, detailsUrl: opts.detailsUrl?.(pr) };
  const started = await startCheckRun(gh, target, now());
  let review;
  let series;
  try {
    const commits = await fetchPullCommits(gh, pr.owner, pr.repo, pr.number);
    series = await seriesFromCommits(pr, commits);
    const reviewSeries = opts.reviewSeries ?? (await loadEngineReview());
    review = await reviewSeries(series, { messages: new Map<string, Message>() });
  } catch (err) {
    const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    log.error({ pr: pr.number, sha: pr.headSha, err: reason }, 'review failed');
    await failCheckRun(gh, target, started, reason, now());
    return;
  }
  const output = renderCheckRun(series, review);
  const sent = await completeCheckRun(gh, target, started, output, now());
  log.info({ pr: pr.number, sha: pr.headSha, conclusion: output.conclusion, annotations: sent.annotationsSent, reused: started.reused }, 'check run completed');
  if (opts.pullRequestReview) {
    const comments = review.findings.flatMap((f) => {
      if (f.ruleId === 'internal-error' || f.file === null || f.line === null) return [];
      const head = f.patch > 0 ? lineAtHead(series, f.patch, f.file, f.line) : { file: f.file, line: f.line };
      return head ? [{ path: head.file, line: head.line, body: commentBody(f) }] : [];
    });
    if (comments.length > 0) await postPullReview(gh, { ...target, number: pr.number }, `bpf-review: ${output.title}. It does not approve or reject; if a point is wrong, say so here.`, comments);
  }
}

interface PullPayload {
  number: number;
  title: string;
  body: string | null;
  head: { sha: string };
  user: { login: string } | null;
}

function pullInfo(owner: string, repo: string, p: PullPayload): PullInfo {
  return { owner, repo, number: p.number, title: p.title, body: p.body, headSha: p.head.sha, author: p.user ? { name: p.user.login, address: `${p.user.login}@users.noreply.github.com` } : null };
}

export function createBpfReviewApp(opts: BpfReviewAppOptions = {}): (app: Probot) => void {
  return (app: Probot) => {
    app.on(['pull_request.opened', 'pull_request.synchronize', 'pull_request.reopened'], async (context: Context<'pull_request'>) => {
      const { owner, repo } = context.repo();
      await reviewPull(context.octokit as unknown as RequestClient, pullInfo(owner, repo, context.payload.pull_request as PullPayload), opts, context.log);
    });
    app.on('check_run.rerequested', async (context: Context<'check_run.rerequested'>) => {
      const run = context.payload.check_run;
      if (run.name !== CHECK_NAME) return;
      const { owner, repo } = context.repo();
      const gh = context.octokit as unknown as RequestClient;
      let numbers = (run.pull_requests ?? []).map((p) => p.number);
      if (numbers.length === 0) {
        // pull requests from forks are not listed on the check run: ask which pulls hold the commit
        const { data } = await gh.request('GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls', { owner, repo, commit_sha: run.head_sha });
        numbers = (data as { number: number; state: string }[]).filter((p) => p.state === 'open').map((p) => p.number);
      }
      const number = numbers[0];
      if (number === undefined) return;
      const { data } = await gh.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', { owner, repo, pull_number: number });
      const pull = data as PullPayload;
      if (pull.head.sha !== run.head_sha) return; // the PR moved on; its own synchronize event reviews the new head
      await reviewPull(gh, pullInfo(owner, repo, pull), opts, context.log);
    });
  };
}

export default createBpfReviewApp({ pullRequestReview: process.env.BPF_REVIEW_PR_REVIEW === '1' });
