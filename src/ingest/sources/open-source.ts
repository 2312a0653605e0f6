import { closeSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RawMessage } from '../../model/message.js';
import { SourceUnreadableError } from '../../model/errors.js';
import { SOURCE_HINT, ioError } from './errors.js';
import { readEmlDir, readEmlFile } from './read-eml.js';
import { readMaildir } from './read-maildir.js';
import { isGzipMagic, readMboxFile } from './read-mbox-file.js';
import { readPublicInboxV2 } from './read-public-inbox-v2.js';
import { readStdin } from './read-stdin.js';
import type { MboxFormat } from './split-mbox.js';

export type SourceKind = 'mbox' | 'mbox.gz' | 'maildir' | 'eml' | 'eml-dir' | 'stdin' | 'public-inbox';

export interface OpenSourceOptions {
  /** mbox flavour for mbox files and standard input (default mboxrd, see splitMbox). */
  format?: MboxFormat;
  /** public-inbox: continue after this cursor (from an earlier run's `cursor()`). */
  since?: string | null;
}

export interface OpenedSource {
  kind: SourceKind;
  messages: AsyncIterable<RawMessage>;
  /** public-inbox only: where a later run should continue. */
  cursor?: () => string | null;
}

function isDirSync(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isGitDirSync(p: string): boolean {
  return isDirSync(join(p, 'objects')) && isDirSync(join(p, 'refs'));
}

/** Whether a folder is a public-inbox v2 archive (git/N.git epochs) or a bare git repository named *.git. */
function isPublicInboxDir(p: string): boolean {
  const gitSub = join(p, 'git');
  if (isDirSync(gitSub)) {
    try {
      if (readdirSync(gitSub).some((n) => /^\d+\.git$/.test(n) && isGitDirSync(join(gitSub, n)))) return true;
    } catch {
      return false;
    }
  }
  return /\.git\/*$/.test(p) && isGitDirSync(p);
}

/** What kind of source a spec is, by what is on disk (not by the name). Throws SourceUnreadableError. */
export function detectSourceKind(spec: string): SourceKind {
  if (spec === '-') return 'stdin';
  let st;
  try {
    st = statSync(spec);
  } catch (err) {
    throw ioError(spec, err);
  }
  if (st.isDirectory()) {
    if (isDirSync(join(spec, 'cur')) && isDirSync(join(spec, 'new'))) return 'maildir';
    if (isPublicInboxDir(spec)) return 'public-inbox';
    try {
      readdirSync(spec);
    } catch (err) {
      throw ioError(spec, err);
    }
    return 'eml-dir';
  }
  if (!st.isFile()) {
    throw new SourceUnreadableError(`${spec}: neither a file nor a folder (a device, socket or fifo?); ${SOURCE_HINT}`, spec);
  }
  if (st.size === 0) {
    throw new SourceUnreadableError(`${spec}: empty file; ${SOURCE_HINT}`, spec);
  }
  const head = Buffer.alloc(5);
  let n: number;
  try {
    const fd = openSync(spec, 'r');
    try {
      n = readSync(fd, head, 0, 5, 0);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw ioError(spec, err);
  }
  const h = head.subarray(0, n);
  if (isGzipMagic(h)) return 'mbox.gz';
  if (h.toString('latin1') === 'From ') return 'mbox';
  return 'eml';
}

/**
 * Open a message source named on the command line: `-` (standard input), an mbox file (gzip or
 * not), a maildir, one message file, a folder of message files, or a public-inbox v2 archive
 * (its folder, or one epoch's `N.git`). The kind is detected from what is on disk. A path that
 * does not exist, cannot be read, or is empty throws SourceUnreadableError saying what to give.
 */
export function openSource(spec: string, opts: OpenSourceOptions = {}): OpenedSource {
  const kind = detectSourceKind(spec);
  const mboxOpts = opts.format ? { format: opts.format } : {};
  switch (kind) {
    case 'stdin':
      return { kind, messages: readStdin(mboxOpts) };
    case 'mbox':
    case 'mbox.gz':
      return { kind, messages: readMboxFile(spec, mboxOpts) };
    case 'maildir':
      return { kind, messages: readMaildir(spec) };
    case 'eml':
      return { kind, messages: readEmlFile(spec, mboxOpts) };
    case 'eml-dir':
      return { kind, messages: readEmlDir(spec, mboxOpts) };
    case 'public-inbox': {
      const r = readPublicInboxV2(spec, { since: opts.since ?? null });
      return { kind, messages: r.messages, cursor: r.cursor };
    }
  }
}
