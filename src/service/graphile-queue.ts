/**
 * Review jobs on PostgreSQL with graphile-worker: the planner adds one job per series revision
 * (job key = the review key, mode unsafe_dedupe: a key already queued, running or failed is not
 * added again), and any number of worker processes, on any machine that reaches the database,
 * take jobs (graphile-worker locks each job for one worker) and run them with runReviewJob. The
 * review's unique key in the store is the last guard: a job run twice (a worker died after
 * recording and before graphile-worker marked the job done) records nothing the second time.
 */
import { Logger as GraphileLogger, makeWorkerUtils, run, type Runner, type WorkerUtils } from 'graphile-worker';
import type { Logger } from 'pino';
import type { JobQueue } from './job-queue.js';
import { runReviewJob, type FullReviewJob, type ReviewRunnerDeps } from './review-runner.js';

export const REVIEW_TASK = 'bpf_review_series';

const jobKeyOf = (j: FullReviewJob): string => `review:${j.seriesId}:${j.revision}:${j.contentHash}`;

/** graphile-worker's log lines into pino. */
export function graphileLogger(log: Logger): GraphileLogger {
  return new GraphileLogger(() => (level, message, meta) => {
    const l = level === 'error' ? 'error' : level === 'warning' ? 'warn' : 'debug';
    log[l]({ graphile: meta }, message);
  });
}

export class GraphileQueue implements JobQueue {
  private utils: WorkerUtils | null = null;
  private lastDepth = 0;

  constructor(
    private readonly connectionString: string,
    private readonly log: Logger,
  ) {}

  /** Connect and install graphile-worker's schema (idempotent). */
  async init(): Promise<this> {
    this.utils = await makeWorkerUtils({ connectionString: this.connectionString, logger: graphileLogger(this.log) });
    await this.utils.migrate();
    return this;
  }

  async add(job: FullReviewJob): Promise<void> {
    if (!this.utils) throw new Error('GraphileQueue.init() was not called');
    await this.utils.addJob(REVIEW_TASK, job, { jobKey: jobKeyOf(job), jobKeyMode: 'unsafe_dedupe', maxAttempts: 5 });
    this.lastDepth++;
  }

  /**
   * Many jobs in one statement (graphile-worker's addJobs), for a backlog (backfill, a restart
   * after a long stop): one round trip per 500 jobs instead of one per job. addJobs cannot use
   * unsafe_dedupe: a job whose key is queued is replaced (harmless), one whose key is running
   * gets a second job (it records nothing: the review key is taken).
   */
  async addMany(jobs: readonly FullReviewJob[]): Promise<void> {
    if (!this.utils) throw new Error('GraphileQueue.init() was not called');
    for (let i = 0; i < jobs.length; i += 500) {
      const chunk = jobs.slice(i, i + 500);
      await this.utils.addJobs(chunk.map((job) => ({ identifier: REVIEW_TASK, payload: job, jobKey: jobKeyOf(job), maxAttempts: 5 })));
      this.lastDepth += chunk.length;
    }
  }

  /** Jobs waiting or running, as last counted (see refreshDepth). */
  depth(): number {
    return this.lastDepth;
  }

  async refreshDepth(): Promise<number> {
    if (!this.utils) return 0;
    const r = await this.utils.withPgClient((c) => c.query(`SELECT COUNT(*)::int AS n FROM graphile_worker.jobs WHERE task_identifier = $1 AND attempts < max_attempts`, [REVIEW_TASK]));
    this.lastDepth = (r.rows[0] as { n: number }).n;
    return this.lastDepth;
  }

  /** The jobs run in the workers, not here: nothing to wait for. */
  async drain(): Promise<void> {
    await this.refreshDepth();
  }

  async stop(): Promise<void> {
    await this.utils?.release();
    this.utils = null;
  }
}

/** Run review workers in this process (concurrency jobs at once) until runner.stop(). */
export async function runReviewWorkers(connectionString: string, concurrency: number, deps: ReviewRunnerDeps, opts: { pollInterval?: number } = {}): Promise<Runner> {
  return run({
    connectionString,
    concurrency,
    noHandleSignals: true,
    pollInterval: opts.pollInterval ?? 1000,
    logger: graphileLogger(deps.log),
    taskList: {
      [REVIEW_TASK]: async (payload) => {
        await runReviewJob(deps, payload as FullReviewJob);
      },
    },
  });
}
