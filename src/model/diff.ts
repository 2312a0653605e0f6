export type DiffLineKind = 'add' | 'del' | 'ctx';

export interface DiffLine {
  kind: DiffLineKind;
  /** Without the leading '+', '-' or ' '. */
  text: string;
  /** Line number in the old file (del, ctx), else null. */
  oldLine: number | null;
  /** Line number in the new file (add, ctx), else null. */
  newLine: number | null;
  /** 1-based line number inside the mail body, so a reply can quote it. */
  bodyLine: number;
  /** Set when a "\\ No newline at end of file" marker follows this line. */
  noNewlineAtEof?: boolean;
}

export interface Hunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** Text after the second @@ (the function context git prints), trimmed. */
  section: string;
  /** The raw "@@ ... @@" header line. */
  header: string;
  lines: DiffLine[];
  /** 1-based body line of the @@ header. */
  bodyLine: number;
}

export type FileStatus = 'modified' | 'added' | 'deleted' | 'renamed' | 'copied';

export interface FileDiff {
  /** null for an added file. */
  oldPath: string | null;
  /** null for a deleted file. */
  newPath: string | null;
  status: FileStatus;
  oldMode: string | null;
  newMode: string | null;
  binary: boolean;
  /** "index abc..def" blob ids when present. */
  oldBlob: string | null;
  newBlob: string | null;
  similarity: number | null;
  hunks: Hunk[];
  added: number;
  deleted: number;
}

/** The path a finding should be attributed to. */
export function filePath(f: FileDiff): string {
  return (f.newPath ?? f.oldPath) as string;
}
