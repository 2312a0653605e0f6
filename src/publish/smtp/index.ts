export { SmtpSender, DryRunSender, createMailSender, isPermanent, type SmtpSettings, type OutgoingMail, type SendOutcome, type MailSender } from './smtp-sender.js';
export { DEFAULT_POLICY, validatePolicy, envelopeRecipients, notBefore, selectPolicy, type MailPolicy } from './mail-policy.js';
export { validateSmtpSettings } from './smtp-settings.js';
export { queueReplies, deliverPending, withoutSaid, type QueueResult, type DeliveryReport, type DeliverOptions } from './deliver-replies.js';
