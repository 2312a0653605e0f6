import { BrokenDiffError, seriesDefaults, type Address, type Patch, type Series } from '../../model/index.js';
import { parseMessage } from '../../ingest/mail/index.js';
import { parsePatchBody } from '../../ingest/diff/parse-patch-body.js';

/** A pull-request commit with its patch text (GET /repos/{o}/{r}/commits/{sha}, Accept: application/vnd.github.patch). */
export interface PullCommit {
  sha: string;
  /** The full commit message (first line is the subject). */
  message: string;
  author: Address | null;
  date: string | null;
  /** git format-patch text as GitHub serves it. */
  patchText: string;
}

export interface PullInfo {
  owner: string;
  repo: string;
  number: number;
  title: string;
  body: string | null;
  headSha: string;
  author: Address | null;
}

/** The Message-ID-like id we give a commit, so findings can name the patch they are about. */
export function commitPatchId(pr: Pick<PullInfo, 'owner' | 'repo'>, sha: string): string {
  return `${sha}@github.com/${pr.owner}/${pr.repo}`;
}

/** The pull request's commits as a series: one patch per commit, in order, the PR itself as the cover. */
export async function seriesFromCommits(pr: PullInfo, commits: PullCommit[]): Promise<Series> {
  const patches: Patch[] = [];
  for (const [i, c] of commits.entries()) {
    const parsed = await parseMessage({ source: `github:${pr.owner}/${pr.repo}@${c.sha}`, bytes: Buffer.from(c.patchText, 'utf8') });
    const body = parsed.ok ? parsePatchBody(parsed.value.body) : null;
    if (!body || !body.ok) {
      throw body && !body.ok ? body.error : new BrokenDiffError(`commit ${c.sha}: the patch text is not a mail`, c.sha);
    }
    patches.push({
      ...body.value,
      counter: i + 1,
      messageId: commitPatchId(pr, c.sha),
      subject: c.message.split('\n')[0] ?? '',
      author: c.author,
      date: c.date,
      replies: [],
    });
  }
  const id = `${pr.owner}/${pr.repo}/pull/${pr.number}/${pr.headSha}`;
  return {
    id,
    subject: pr.title,
    title: pr.title,
    revision: 1,
    total: patches.length,
    tree: null,
    rfc: false,
    resend: false,
    author: pr.author,
    date: patches[0]?.date ?? null,
    cover: { messageId: id, subject: pr.title, body: pr.body ?? '', baseCommit: null, changeId: null },
    patches,
    ...seriesDefaults(),
  };
}
