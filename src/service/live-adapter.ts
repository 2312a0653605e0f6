/**
 * A live source (src/ingest/live: IMAP, NNTP, lore HTTP, public-inbox mirror; push-based, with
 * `start(onMessages)`) seen as a ServiceSource the daemon polls. The live source is started on
 * the first poll from the store's cursor; each batch it pushes waits in a queue, and its
 * onMessages promise resolves only after the daemon has committed the batch with its cursor
 * (the daemon asks for the next batch, or the poll ends), as the live source's contract asks.
 * A push wakes the daemon at once, so a new message does not wait for the poll interval.
 */
import type { RawMessage } from '../model/index.js';
import type { LiveEvent, LiveSource } from '../ingest/live/live-source.js';
import type { ServiceSource, SourceBatch } from './service-source.js';

interface Pending {
  batch: RawMessage[];
  cursor: string;
  done: () => void;
  fail: (err: Error) => void;
}

export interface WakingSource extends ServiceSource {
  /** Called when the source has something: the daemon ticks soon. */
  onWake(wake: () => void): void;
  stop(): Promise<void>;
}

export function liveServiceSource(name: string, kind: string, make: (cursor: string | null, log: (e: LiveEvent) => void) => LiveSource, log: (e: LiveEvent) => void = () => undefined): WakingSource {
  let live: LiveSource | null = null;
  let wake: () => void = () => undefined;
  const queue: Pending[] = [];
  return {
    name,
    kind,
    onWake(w) {
      wake = w;
    },
    async *poll(cursor: string | null, batchSize: number): AsyncIterable<SourceBatch> {
      void batchSize; // the live source batches itself
      if (!live) {
        live = make(cursor, log);
        await live.start(
          (batch, c) =>
            new Promise<void>((resolve, reject) => {
              queue.push({ batch, cursor: c, done: resolve, fail: reject });
              wake();
            }),
        );
      }
      while (queue.length > 0) {
        const p = queue.shift()!;
        let stored = false;
        try {
          yield { messages: p.batch, cursor: p.cursor };
          // the consumer came back for more: the batch and its cursor are committed
          stored = true;
          p.done();
        } finally {
          // the consumer stopped on an error: the live source delivers again from its last cursor
          if (!stored) p.fail(new Error(`${name}: the batch was not stored`));
        }
      }
    },
    async stop() {
      const l = live;
      live = null;
      for (const p of queue.splice(0)) p.fail(new Error(`${name}: stopped`));
      await l?.stop();
    },
  };
}
