import type { PullCommit } from './commits-to-series.js';
import type { RequestClient } from './publish-check-run.js';

/** GitHub lists at most 250 commits of a pull request. */
const MAX_PAGES = 3;

/** @octokit/request returns text for text/* and "charset=utf-8" types, an ArrayBuffer otherwise. */
function asText(data: unknown): string {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
  throw new TypeError(`expected patch text, got ${typeof data}`);
}

/**
 * The pull request's commits in order, each with its format-patch text: the commits list
 * (GET /pulls/{n}/commits), then each commit with the documented `application/vnd.github.patch`
 * media type (GET /commits/{sha}), which GitHub serves as `git format-patch` output.
 */
export async function fetchPullCommits(gh: RequestClient, owner: string, repo: string, number: number): Promise<PullCommit[]> {
  const list: { sha: string; commit: { message: string; author: { name?: string; email?: string; date?: string } | null } }[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const { data } = await gh.request('GET /repos/{owner}/{repo}/pulls/{pull_number}/commits', { owner, repo, pull_number: number, per_page: 100, page });
    const got = data as typeof list;
    list.push(...got);
    if (got.length < 100) break;
  }
  const out: PullCommit[] = [];
  for (const c of list) {
    const { data } = await gh.request('GET /repos/{owner}/{repo}/commits/{ref}', { owner, repo, ref: c.sha, headers: { accept: 'application/vnd.github.patch' } });
    const a = c.commit.author;
    out.push({
      sha: c.sha,
      message: c.commit.message,
      author: a?.email ? { name: a.name ?? '', address: a.email } : null,
      date: a?.date ?? null,
      patchText: asText(data),
    });
  }
  return out;
}
