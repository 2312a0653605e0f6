export { renderReplies, replyMessageId, INTERNAL_ERROR_RULE, type RenderContext, type RenderedReply } from './render-replies.js';
export { toMbox, renderRepliesMbox } from './to-mbox.js';
export { wrapText, WRAP_COLUMNS } from './wrap-text.js';
export { isNeverMail, chooseRecipients, type RecipientMode, type Recipients } from './recipients.js';
