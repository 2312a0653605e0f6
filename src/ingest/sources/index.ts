/**
 * Message sources: files and archives as async generators of RawMessage.
 * - mbox/mboxrd (gzip or not): splitMbox, readMboxFile. Default mboxrd (what lore and b4 write).
 * - maildir, one message file, a folder of message files, standard input.
 * - public-inbox v2 archives read with git (rev-list + one cat-file --batch per epoch), resumable
 *   through a cursor "<epoch>:<commit>".
 * - openSource(spec): the kind detected from what is on disk.
 * Unreadable sources throw SourceUnreadableError with what to fix.
 */
export { splitMbox, isFromLine, type MboxFormat, type SplitMboxOptions } from './split-mbox.js';
export { mboxrdEntry, withoutFromLine, LORE_FROM_LINE } from './mboxrd-entry.js';
export { readMboxFile, gunzipChunks, isGzipMagic, type ReadMboxOptions } from './read-mbox-file.js';
export { readMaildir } from './read-maildir.js';
export { readEmlFile, readEmlDir, readRawFile } from './read-eml.js';
export { readStdin, readMessageStream, STDIN_NAME } from './read-stdin.js';
export {
  readPublicInboxV2,
  findEpochs,
  parseCursor,
  parseCatFileBatch,
  type PublicInboxOptions,
  type PublicInboxReader,
  type Epoch,
} from './read-public-inbox-v2.js';
export { openSource, detectSourceKind, type SourceKind, type OpenSourceOptions, type OpenedSource } from './open-source.js';
export { CursorNotFoundError, SOURCE_HINT } from './errors.js';
