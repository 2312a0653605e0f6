import { SourceUnreadableError } from '../../model/errors.js';

/** What a user can give as a source; ends the message of an unreadable source. */
export const SOURCE_HINT = 'give an mbox, maildir, .eml file or folder, public-inbox archive, or - for standard input';

/** A public-inbox cursor that does not name a commit of the archive (any more). */
export class CursorNotFoundError extends SourceUnreadableError {
  constructor(message: string, source: string, readonly cursor: string) {
    super(message, source);
  }
}

/** A SourceUnreadableError for an IO failure, with the OS reason in words a user can act on. */
export function ioError(path: string, err: unknown, what = 'cannot be read'): SourceUnreadableError {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'ENOENT':
      return new SourceUnreadableError(`${path}: no such file or folder; ${SOURCE_HINT}`, path);
    case 'EACCES':
    case 'EPERM':
      return new SourceUnreadableError(`${path}: permission denied; make it readable (chmod +r) or run as a user who may read it`, path);
    case 'EISDIR':
      return new SourceUnreadableError(`${path}: is a folder where a file was expected; ${SOURCE_HINT}`, path);
    case 'ENOTDIR':
      return new SourceUnreadableError(`${path}: a part of this path is a file, not a folder; ${SOURCE_HINT}`, path);
    default: {
      const reason = err instanceof Error ? err.message : String(err);
      return new SourceUnreadableError(`${path}: ${what} (${reason}); ${SOURCE_HINT}`, path);
    }
  }
}
