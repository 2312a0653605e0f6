/**
 * Delivery of the outbox's due replies, shared by the daemon (after each round) and by a
 * PostgreSQL worker process (`serve --role worker`, on its own timer). Several processes may run
 * it over one PostgreSQL outbox: each row is claimed by one of them (markSending) before it is sent.
 */
import type { Logger } from 'pino';
import { deliverPending, type DeliveryReport } from '../publish/smtp/deliver-replies.js';
import { DEFAULT_POLICY, type MailPolicy } from '../publish/smtp/mail-policy.js';
import type { MailSender } from '../publish/smtp/smtp-sender.js';
import type { ReplyOutbox } from '../store/reply-outbox.js';
import type { ServiceStore } from '../store/service-store.js';
import type { MailSettings } from './review-runner.js';

export interface OutboxDeliveryDeps {
  outbox: ReplyOutbox;
  sender: MailSender;
  mail: MailSettings;
  /** A row left 'sending' by a crash is confirmed when its Message-ID came back from the list. */
  store: Pick<ServiceStore, 'hasMessage'>;
  log: Logger;
  now: () => Date;
}

/**
 * Send what is due under the lists' policies. null when nothing is to be sent at all: no list
 * mails anyone, or the sender is a dry run (rows then stay 'pending'; the dashboard shows them).
 */
export async function deliverOutbox(deps: OutboxDeliveryDeps): Promise<DeliveryReport | null> {
  const active = Object.values(deps.mail.lists).filter((p) => p.mode !== 'nobody');
  if (active.length === 0 || deps.sender.dryRun) return null;
  const policy: MailPolicy = { ...DEFAULT_POLICY, mode: 'author+list', maxPerHour: Math.max(...active.map((p) => p.maxPerHour)) };
  const report = await deliverPending(deps.outbox, deps.sender, policy, {
    now: deps.now,
    alreadyDelivered: (id) => deps.store.hasMessage(id),
  });
  for (const id of report.sent) deps.log.info({ messageId: id }, 'reply sent');
  for (const id of report.confirmed) deps.log.info({ messageId: id }, 'reply found delivered after a restart');
  for (const f of report.failed) deps.log.warn({ messageId: f.messageId, error: f.error, permanent: f.permanent }, 'reply not sent');
  return report;
}

/** Deliver every `intervalMs` until stop() (which waits for a delivery under way). */
export function startOutboxDelivery(deps: OutboxDeliveryDeps, intervalMs: number): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  const loop = (): void => {
    timer = null;
    running = deliverOutbox(deps)
      .then(() => undefined)
      .catch((err: unknown) => deps.log.error({ err }, 'outbox delivery failed'))
      .finally(() => {
        running = null;
        if (!stopped) timer = setTimeout(loop, intervalMs);
      });
  };
  timer = setTimeout(loop, 0);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
