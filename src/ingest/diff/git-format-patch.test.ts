/**
 * Diffs written by git itself (format-patch in a throw-away repository): renames, copies, mode
 * changes, binary files, quoted and spaced names, --no-prefix, --base, no newline at EOF.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, chmodSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileDiff } from '../../model/diff.js';
import type { PatchBody } from '../../model/patch.js';
import { diffstatAgrees, parsePatchBody } from './parse-patch-body.js';

let dir = '';
const git = (...args: string[]): string =>
  execFileSync('git', ['-c', 'core.quotePath=true', '-c', 'diff.noprefix=false', ...args], {
    cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_DATE: '2024-01-01T00:00:00Z', GIT_COMMITTER_DATE: '2024-01-01T00:00:00Z' },
  });

function parse(text: string): PatchBody {
  const r = parsePatchBody(text);
  if (!r.ok) throw r.error;
  return r.value;
}
const byPath = (fs: FileDiff[], p: string): FileDiff => fs.find((f) => (f.newPath ?? f.oldPath) === p) as FileDiff;

let base = '';
let patch = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bpf-review-diff-'));
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Ann Author');
  git('config', 'user.email', 'ann@example.org');
  const lines = Array.from({ length: 40 }, (_, i) => `line ${i + 1} of a file long enough to be found as a rename`);
  writeFileSync(join(dir, 'moved.c'), `${lines.join('\n')}\n`);
  writeFileSync(join(dir, 'copied.c'), `${lines.map((l) => `${l} (copy source)`).join('\n')}\n`);
  writeFileSync(join(dir, 'run.sh'), 'echo hi\n');
  writeFileSync(join(dir, 'gone.txt'), 'bye\n');
  writeFileSync(join(dir, 'blob.bin'), Buffer.from([0, 1, 2, 3, 255, 254, 0, 7]));
  writeFileSync(join(dir, 'eof.txt'), 'a\nb');
  git('add', '-A');
  git('commit', '-q', '-m', 'base');
  base = git('rev-parse', 'HEAD').trim();

  git('mv', 'moved.c', 'renamed.c');
  writeFileSync(join(dir, 'renamed.c'), `${lines.map((l, i) => (i === 20 ? `${l} (changed)` : l)).join('\n')}\n`);
  writeFileSync(join(dir, 'copy of.c'), `${lines.map((l) => `${l} (copy source)`).join('\n')}\nextra\n`);
  chmodSync(join(dir, 'run.sh'), 0o755);
  unlinkSync(join(dir, 'gone.txt'));
  writeFileSync(join(dir, 'blob.bin'), Buffer.from([0, 1, 2, 3, 255, 254, 0, 8, 9]));
  writeFileSync(join(dir, 'tab\there.txt'), 'tabbed\n');
  writeFileSync(join(dir, 'café.txt'), 'accent\n');
  writeFileSync(join(dir, 'eof.txt'), 'a\nc');
  git('add', '-A');
  git('commit', '-q', '-m', 'bpf: shapes\n\nAll the shapes.\n\nSigned-off-by: Ann Author <ann@example.org>');
  patch = git('format-patch', '--stdout', '-M', '-C', '--find-copies-harder', '--binary', `--base=${base}`, 'HEAD~1');
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('git format-patch output', () => {
  it('reads every shape git writes, in agreement with its diffstat', () => {
    const body = patch.slice(patch.indexOf('\n\n') + 2);
    const b = parse(body);
    expect(b.commitMessage).toBe('All the shapes.');
    expect(b.baseCommit).toBe(base);
    expect(diffstatAgrees(b)).toMatchObject({ ok: true });
    const fs = b.files;
    expect(byPath(fs, 'renamed.c')).toMatchObject({ status: 'renamed', oldPath: 'moved.c', added: 1, deleted: 1 });
    expect(byPath(fs, 'copy of.c')).toMatchObject({ status: 'copied', oldPath: 'copied.c', added: 1 });
    expect(byPath(fs, 'run.sh')).toMatchObject({ status: 'modified', oldMode: '100644', newMode: '100755', hunks: [] });
    expect(byPath(fs, 'gone.txt')).toMatchObject({ status: 'deleted', newPath: null, deleted: 1 });
    expect(byPath(fs, 'blob.bin')).toMatchObject({ status: 'modified', binary: true, hunks: [] });
    expect(byPath(fs, 'tab\there.txt')).toMatchObject({ status: 'added', oldPath: null, added: 1 });
    expect(byPath(fs, 'café.txt')).toMatchObject({ status: 'added', added: 1 });
    const eof = byPath(fs, 'eof.txt').hunks[0]!.lines;
    expect(eof.filter((l) => l.noNewlineAtEof).map((l) => [l.kind, l.text])).toEqual([['del', 'b'], ['add', 'c']]);
    expect(fs).toHaveLength(8);
  });

  it('reads --no-prefix output the same way', () => {
    const np = git('format-patch', '--stdout', '-M', '--binary', '--no-prefix', 'HEAD~1');
    const b = parse(np.slice(np.indexOf('\n\n') + 2));
    expect(byPath(b.files, 'renamed.c')).toMatchObject({ status: 'renamed', oldPath: 'moved.c' });
    expect(byPath(b.files, 'tab\there.txt').status).toBe('added');
    expect(diffstatAgrees(b).ok).toBe(true);
  });

  it('reads plain git diff output with a CRLF conversion applied by a mailer', () => {
    const d = git('diff', '-M', 'HEAD~1', '--', 'renamed.c', 'moved.c', 'gone.txt');
    const b = parse(`Msg.\r\n---\r\n${d.replace(/\n/g, '\r\n')}`);
    expect(b.files.map((f) => [f.status, f.newPath ?? f.oldPath]).sort()).toEqual([['deleted', 'gone.txt'], ['renamed', 'renamed.c']]);
  });
});
