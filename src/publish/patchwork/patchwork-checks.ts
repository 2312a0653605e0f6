import { ConnectionLostError } from '../../model/index.js';
import type { PatchworkCheck, PatchCheck } from '../../report/patchwork-checks.js';
import type { Outbox } from '../../store/outbox.js';
import { createHash } from 'node:crypto';

export interface PatchworkSettings {
  /** e.g. https://patchwork.kernel.org */
  url: string;
  /** API token (Authorization: Token ...); needed only to post. */
  token?: string;
  /** Project link name (netdevbpf for BPF), narrowing the Message-ID lookup. */
  project?: string;
  /** Posting needs send: true; otherwise nothing is written (dry run). */
  send?: boolean;
  fetch?: typeof fetch;
}

/** A check as GET /api/1.2/patches/{id}/checks/ returns it. */
export interface PatchworkCheckRecord extends PatchworkCheck {
  id: number;
  url: string;
  date: string;
  user: { id: number; username: string } | null;
}

export type PostAction = 'posted' | 'unchanged' | 'dry-run' | 'patch-not-found';

export interface PostResult {
  messageId: string;
  patchId: number | null;
  action: PostAction;
  check: PatchworkCheck;
  previous: PatchworkState | null;
}

type PatchworkState = PatchworkCheck['state'];

/** A patchwork answer other than the expected JSON. */
export class PatchworkError extends ConnectionLostError {}

/**
 * Patchwork's REST API (1.2): look a patch up by Message-ID, read its checks, post a check.
 * Posts only when our context's latest state differs; dry run unless `send: true`.
 */
export class PatchworkChecks {
  private readonly base: string;
  private readonly fetch: typeof fetch;
  constructor(private readonly settings: PatchworkSettings, private readonly outbox?: Outbox) {
    this.base = `${settings.url.replace(/\/$/, '')}/api/1.2`;
    this.fetch = settings.fetch ?? globalThis.fetch;
  }

  private async get<T>(path: string): Promise<T> {
    const res = await this.fetch(`${this.base}${path}`, { headers: { Accept: 'application/json', ...this.auth() } });
    if (!res.ok) throw new PatchworkError(`GET ${path}: HTTP ${res.status}`, this.settings.url);
    return (await res.json()) as T;
  }

  private auth(): Record<string, string> {
    return this.settings.token ? { Authorization: `Token ${this.settings.token}` } : {};
  }

  async findPatchId(messageId: string): Promise<number | null> {
    const q = new URLSearchParams({ msgid: messageId });
    if (this.settings.project) q.set('project', this.settings.project);
    const list = await this.get<{ id: number; msgid: string }[]>(`/patches/?${q.toString()}`);
    const hit = list.find((p) => p.msgid === `<${messageId}>` || p.msgid === messageId) ?? null;
    return hit ? hit.id : null;
  }

  async listChecks(patchId: number): Promise<PatchworkCheckRecord[]> {
    return this.get<PatchworkCheckRecord[]>(`/patches/${patchId}/checks/?per_page=100`);
  }

  /** Post one check unless the latest check in our context already has this state. */
  async post(pc: PatchCheck): Promise<PostResult> {
    const patchId = await this.findPatchId(pc.messageId);
    if (patchId === null) return { messageId: pc.messageId, patchId, action: 'patch-not-found', check: pc.check, previous: null };
    const ours = (await this.listChecks(patchId)).filter((c) => c.context === pc.check.context);
    const latest = ours.sort((a, b) => a.date.localeCompare(b.date) || a.id - b.id).at(-1) ?? null;
    const previous = latest?.state ?? null;
    if (previous === pc.check.state) return { messageId: pc.messageId, patchId, action: 'unchanged', check: pc.check, previous };
    if (this.settings.send !== true) return { messageId: pc.messageId, patchId, action: 'dry-run', check: pc.check, previous };
    const body = JSON.stringify(pc.check);
    const key = `patchwork-${patchId}-${createHash('sha256').update(body).digest('hex').slice(0, 16)}`;
    this.outbox?.enqueue({ messageId: key, seriesId: pc.messageId, patch: pc.patch, channel: 'patchwork', payload: Buffer.from(body), recipients: [`${this.base}/patches/${patchId}/checks/`] });
    const row = this.outbox?.get(key);
    if (row && row.state !== 'sent') this.outbox!.markSending(row);
    const res = await this.fetch(`${this.base}/patches/${patchId}/checks/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...this.auth() },
      body,
    });
    if (res.status !== 201 && res.status !== 200) {
      this.outbox?.markFailed(key, `HTTP ${res.status}`, res.status >= 400 && res.status < 500);
      throw new PatchworkError(`POST /patches/${patchId}/checks/: HTTP ${res.status}`, this.settings.url);
    }
    this.outbox?.markSent(key, `HTTP ${res.status}`);
    return { messageId: pc.messageId, patchId, action: 'posted', check: pc.check, previous };
  }

  async postAll(checks: PatchCheck[]): Promise<PostResult[]> {
    const out: PostResult[] = [];
    for (const c of checks) out.push(await this.post(c));
    return out;
  }
}
