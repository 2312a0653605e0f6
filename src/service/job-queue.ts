/**
 * Review jobs. A job names a series revision with a content hash; running it twice is harmless
 * (the store's unique review key drops the second result), so a queue only needs at-least-once.
 *
 * - InProcessQueue: SQLite deployments; jobs run in this process, one at a time, deduplicated
 *   by key while queued. Nothing is persisted: the jobs are derived again from the store after
 *   a restart (a series that is ready and has no review is a job).
 * - graphile-worker (PostgreSQL): see graphile-queue.ts.
 */
export interface ReviewJob {
  seriesId: string;
  revision: number;
  contentHash: string;
}

import type { FullReviewJob } from './review-runner.js';

/** A job with what a worker elsewhere needs (see review-runner.ts); in-process queues use the key only. */
export type { FullReviewJob };

export const jobKey = (j: ReviewJob): string => `${j.seriesId}\u0000${j.revision}\u0000${j.contentHash}`;

export interface JobQueue {
  /** Queue a job; a job already queued or running under the same key is not queued again. */
  add(job: ReviewJob): Promise<void>;
  /** Queue many at once (a backlog); optional: add() one by one otherwise. */
  addMany?(jobs: readonly FullReviewJob[]): Promise<void>;
  /** Jobs queued and not finished. */
  depth(): number;
  /** Resolves when everything queued so far has run. */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

export class InProcessQueue implements JobQueue {
  private readonly keys = new Set<string>();
  private readonly pending: ReviewJob[] = [];
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly run: (job: ReviewJob) => Promise<void>,
    private readonly onError: (job: ReviewJob, err: unknown) => void = () => undefined,
  ) {}

  async add(job: ReviewJob): Promise<void> {
    if (this.stopped) return;
    const k = jobKey(job);
    if (this.keys.has(k)) return;
    this.keys.add(k);
    this.pending.push(job);
    this.running ??= this.loop();
  }

  private async loop(): Promise<void> {
    try {
      for (let job = this.pending.shift(); job && !this.stopped; job = this.pending.shift()) {
        try {
          await this.run(job);
        } catch (err) {
          this.onError(job, err);
        } finally {
          this.keys.delete(jobKey(job));
        }
      }
    } finally {
      this.running = null;
    }
  }

  depth(): number {
    return this.keys.size;
  }

  async drain(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.drain();
  }
}
