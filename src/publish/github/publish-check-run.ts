import type { CheckAnnotation, CheckRunOutput } from '../../report/github/check-run-output.js';
import { batches } from '../../report/github/check-run-output.js';

/** The one Octokit method used here (Probot's context.octokit has it). */
export interface RequestClient {
  request(route: string, params?: Record<string, unknown>): Promise<{ status: number; data: unknown }>;
}

export const CHECK_NAME = 'bpf-review';

export interface CheckTarget {
  owner: string;
  repo: string;
  headSha: string;
  detailsUrl?: string;
}

export interface StartedCheck {
  id: number;
  /** An earlier run of ours existed for this head commit and was reused. */
  reused: boolean;
}

/** Find our check run on the head commit and mark it in progress, or create it. Never two per commit. */
export async function startCheckRun(gh: RequestClient, t: CheckTarget, now: Date): Promise<StartedCheck> {
  const { data } = await gh.request('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', {
    owner: t.owner,
    repo: t.repo,
    ref: t.headSha,
    check_name: CHECK_NAME,
    filter: 'all',
    per_page: 100,
  });
  const runs = (data as { check_runs: { id: number; name: string; head_sha: string }[] }).check_runs.filter((r) => r.name === CHECK_NAME && r.head_sha === t.headSha);
  const existing = runs.sort((a, b) => b.id - a.id)[0];
  if (existing) {
    await gh.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
      owner: t.owner,
      repo: t.repo,
      check_run_id: existing.id,
      status: 'in_progress',
      started_at: now.toISOString(),
    });
    return { id: existing.id, reused: true };
  }
  const created = await gh.request('POST /repos/{owner}/{repo}/check-runs', {
    owner: t.owner,
    repo: t.repo,
    name: CHECK_NAME,
    head_sha: t.headSha,
    status: 'in_progress',
    started_at: now.toISOString(),
    ...(t.detailsUrl ? { details_url: t.detailsUrl } : {}),
  });
  return { id: (created.data as { id: number }).id, reused: false };
}

const key = (a: { path: string; start_line: number; title?: string | null; message: string | null }): string => `${a.path}\0${a.start_line}\0${a.title ?? ''}\0${a.message ?? ''}`;

/** Annotations a reused check run already carries (GitHub appends annotations and cannot delete them). */
async function existingAnnotations(gh: RequestClient, t: CheckTarget, id: number): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let page = 1; page <= 30; page++) {
    const { data } = await gh.request('GET /repos/{owner}/{repo}/check-runs/{check_run_id}/annotations', { owner: t.owner, repo: t.repo, check_run_id: id, per_page: 100, page });
    const list = data as { path: string; start_line: number; title: string | null; message: string | null }[];
    for (const a of list) seen.add(key(a));
    if (list.length < 100) break;
  }
  return seen;
}

/**
 * Complete the check run: annotations go in batches of at most 50 (the API's limit per request)
 * while the run is in progress, and the last batch completes it with the conclusion. On a
 * reused run only annotations it does not carry yet are sent, so a re-run posts nothing twice.
 */
export async function completeCheckRun(gh: RequestClient, t: CheckTarget, started: StartedCheck, output: CheckRunOutput, now: Date): Promise<{ annotationsSent: number; requests: number }> {
  let annotations: CheckAnnotation[] = output.annotations;
  if (started.reused) {
    const seen = await existingAnnotations(gh, t, started.id);
    annotations = annotations.filter((a) => !seen.has(key(a)));
  }
  const groups = batches(annotations, 50);
  if (groups.length === 0) groups.push([]);
  let requests = 0;
  for (const [i, group] of groups.entries()) {
    const last = i === groups.length - 1;
    await gh.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
      owner: t.owner,
      repo: t.repo,
      check_run_id: started.id,
      ...(last ? { status: 'completed', conclusion: output.conclusion, completed_at: now.toISOString() } : {}),
      output: { title: output.title, summary: output.summary, annotations: group },
    });
    requests++;
  }
  return { annotationsSent: annotations.length, requests };
}

/** Complete the check run when the review itself could not run: neutral, with the reason. */
export async function failCheckRun(gh: RequestClient, t: CheckTarget, started: StartedCheck, reason: string, now: Date): Promise<void> {
  await gh.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
    owner: t.owner,
    repo: t.repo,
    check_run_id: started.id,
    status: 'completed',
    conclusion: 'neutral',
    completed_at: now.toISOString(),
    output: { title: 'bpf-review could not review this pull request', summary: reason },
  });
}

export interface ReviewComment {
  path: string;
  line: number;
  body: string;
}

/**
 * The optional pull-request review: one COMMENT review (a bot never approves or requests
 * changes) with line comments, leaving out comments already on the pull request.
 */
export async function postPullReview(gh: RequestClient, t: CheckTarget & { number: number }, body: string, comments: ReviewComment[]): Promise<{ posted: number }> {
  const { data } = await gh.request('GET /repos/{owner}/{repo}/pulls/{pull_number}/comments', { owner: t.owner, repo: t.repo, pull_number: t.number, per_page: 100 });
  const have = new Set((data as { path: string; line: number | null; body: string }[]).map((c) => `${c.path}\0${c.line}\0${c.body}`));
  const fresh = comments.filter((c) => !have.has(`${c.path}\0${c.line}\0${c.body}`));
  if (fresh.length === 0) return { posted: 0 };
  await gh.request('POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews', {
    owner: t.owner,
    repo: t.repo,
    pull_number: t.number,
    commit_id: t.headSha,
    event: 'COMMENT',
    body,
    comments: fresh.map((c) => ({ path: c.path, line: c.line, side: 'RIGHT', body: c.body })),
  });
  return { posted: fresh.length };
}
