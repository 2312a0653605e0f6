/**
 * Named errors for bad input from outside. They are caught at the stage boundary,
 * reported with the source that caused them, and never end the run.
 */
export abstract class InputError extends Error {
  abstract readonly code: string;
  constructor(message: string, readonly source?: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The bytes are not a readable RFC 5322 message. */
export class MalformedMessageError extends InputError {
  readonly code = 'malformed-message';
}

/** A diff whose hunk counts or structure are wrong. */
export class BrokenDiffError extends InputError {
  readonly code = 'broken-diff';
}

/** A patch that git could not apply to the tree. */
export class PatchDoesNotApplyError extends InputError {
  readonly code = 'patch-does-not-apply';
  constructor(message: string, source: string | undefined, readonly file: string | null, readonly hunk: string | null, readonly gitOutput: string) {
    super(message, source);
  }
}

/** A source (file, folder, archive, server) that cannot be read at all: the run cannot go on with it. */
export class SourceUnreadableError extends InputError {
  readonly code = 'source-unreadable';
}

/** A connection to a live source or sink was lost. */
export class ConnectionLostError extends InputError {
  readonly code = 'connection-lost';
}

/** Configuration a user wrote that does not validate. */
export class ConfigError extends InputError {
  readonly code = 'config-invalid';
}

/** A broken invariant in our own code (not the input's fault). */
export class BugError extends Error {
  constructor(message: string) {
    super(`internal error: ${message}`);
    this.name = 'BugError';
  }
}

/** A message that could not be used, with the reason, kept so nothing is lost silently. */
export interface Quarantined {
  source: string;
  messageId: string | null;
  code: string;
  reason: string;
}

/** Tagged result for stages that may fail on bad input. */
export type Result<T, E = InputError> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const fail = <E>(error: E): Result<never, E> => ({ ok: false, error });
