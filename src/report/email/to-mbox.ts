import type { Series, SeriesReview } from '../../model/index.js';
import { mboxrdEntry } from '../../ingest/sources/mboxrd-entry.js';
import { renderReplies, type RenderContext, type RenderedReply } from './render-replies.js';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number): string => String(n).padStart(2, '0');

/** asctime() form used on mbox "From " lines: "Thu Dec 29 16:54:06 2022" (UTC). */
function asctime(d: Date): string {
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

/**
 * The replies as one mboxrd file (LF line ends): a "From " line per message, and every body
 * line matching /^>*From / gets one more '>' so readers can undo it exactly.
 */
export function toMbox(replies: RenderedReply[]): string {
  return replies
    .map((r) => mboxrdEntry(Buffer.from(r.raw.toString('utf8').replace(/\r\n/g, '\n'), 'utf8'), `From ${r.from.address} ${asctime(r.date)}`).toString('utf8'))
    .join('');
}

/** What `review --format email` prints: every reply of every reviewed series as one mbox (dry run). */
export function renderRepliesMbox(reviewed: { series: Series; review: SeriesReview }[], ctx: RenderContext): string {
  return toMbox(reviewed.flatMap(({ series, review }) => renderReplies(series, review, ctx)));
}
