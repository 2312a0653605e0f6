/**
 * Builds patch mail bodies for rule tests: a commit message, a Signed-off-by, `---` and a
 * unified diff whose hunk headers are computed from the lines (' ' context, '+' added, '-' removed).
 */
export interface HunkSpec {
  /** Old-side start line. */
  at: number;
  lines: string[];
  section?: string;
}

export interface FileSpec {
  file: string;
  hunks: HunkSpec[];
  /** new file (all lines added) */
  created?: boolean;
}

export function diffOf(files: FileSpec[]): string {
  const out: string[] = [];
  for (const f of files) {
    out.push(`diff --git a/${f.file} b/${f.file}`);
    if (f.created) out.push('new file mode 100644', 'index 0000000..1111111', '--- /dev/null');
    else out.push('index 1111111..2222222 100644', `--- a/${f.file}`);
    out.push(`+++ b/${f.file}`);
    let delta = 0;
    for (const h of f.hunks) {
      const oldN = h.lines.filter((l) => !l.startsWith('+')).length;
      const newN = h.lines.filter((l) => !l.startsWith('-')).length;
      const oldStart = f.created ? 0 : h.at;
      const newStart = f.created ? 1 : h.at + delta;
      out.push(`@@ -${oldStart},${oldN} +${newStart},${newN} @@${h.section ? ' ' + h.section : ''}`);
      out.push(...h.lines.map((l) => (l === '' ? ' ' : l)));
      delta += newN - oldN;
    }
  }
  return out.join('\n') + '\n';
}

export function patchBody(message: string, files: FileSpec[]): string {
  return `${message}\n\nSigned-off-by: Pat Author <pat@example.org>\n---\n${diffOf(files)}-- \n2.43.0\n`;
}

/** One hunk adding lines (each given without '+') after `at - 1` context-free. */
export function addLines(file: string, at: number, lines: string[], ctxBefore: string[] = [], ctxAfter: string[] = []): FileSpec {
  return { file, hunks: [{ at: at - ctxBefore.length, lines: [...ctxBefore.map((l) => ' ' + l), ...lines.map((l) => '+' + l), ...ctxAfter.map((l) => ' ' + l)] }] };
}
