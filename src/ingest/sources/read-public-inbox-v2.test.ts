import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceUnreadableError } from '../../model/errors.js';
import { describeShared, sharedPath } from '../../../test/support/shared-data.js';
import type { RawMessage } from '../../model/message.js';
import { CursorNotFoundError } from './errors.js';
import { collect, mail } from './fixtures/helpers.js';
import { openSource } from './open-source.js';
import { parseCatFileBatch, readPublicInboxV2 } from './read-public-inbox-v2.js';

type Op = { m: Buffer } | { d: Buffer };

/** Build (or extend) a bare epoch repository with git fast-import: one commit per op, tree = only `m` or only `d`. */
function appendEpoch(gitDir: string, ops: Op[], t0: number): string[] {
  let tip: string | null = null;
  if (!readdirSafe(gitDir)) execFileSync('git', ['init', '--bare', '-q', '-b', 'master', gitDir]);
  else tip = execFileSync('git', [`--git-dir=${gitDir}`, 'rev-parse', 'HEAD']).toString().trim();
  const parts: Buffer[] = [];
  ops.forEach((op, i) => {
    const [name, body] = 'm' in op ? ['m', op.m] : ['d', op.d];
    const msg = `${name === 'm' ? 'message' : 'delete'} ${i}`;
    const from = i === 0 && tip ? `from ${tip}\n` : '';
    parts.push(Buffer.from(`commit refs/heads/master\ncommitter A U Thor <a@example.com> ${t0 + i} +0000\ndata ${msg.length}\n${msg}\n${from}deleteall\nM 100644 inline ${name}\ndata ${body.length}\n`));
    parts.push(body, Buffer.from('\n'));
  });
  execFileSync('git', [`--git-dir=${gitDir}`, 'fast-import', '--quiet'], { input: Buffer.concat(parts) });
  const revs = execFileSync('git', [`--git-dir=${gitDir}`, 'rev-list', '--reverse', 'HEAD']).toString().trim().split('\n');
  return revs.slice(revs.length - ops.length);
}

function readdirSafe(d: string): string[] | null {
  try {
    return readdirSync(d);
  } catch {
    return null;
  }
}

async function take(it: AsyncGenerator<RawMessage>, n: number): Promise<RawMessage[]> {
  const out: RawMessage[] = [];
  if (n === 0) return out;
  for await (const m of it) {
    out.push(m);
    if (out.length === n) break;
  }
  return out;
}

let root: string;
let inbox: string;
const e0 = [mail('epoch 0 a\n'), mail('epoch 0 b\n>From kept as is\n'), mail('epoch 0 c\n'), mail('epoch 0 d\n')];
const e1 = [mail('epoch 1 a\n'), mail(`epoch 1 big\n${'0123456789abcdef'.repeat(200_000)}\n`), Buffer.alloc(0), mail('epoch 1 d\n')];
const all = [...e0, ...e1];
let commits0: string[];
let commits1: string[];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'bpf-review-pi-'));
  inbox = join(root, 'inbox');
  mkdirSync(join(inbox, 'git'), { recursive: true });
  // Epoch 0: two messages, a deletion of the first (the blob `d`), two more.
  commits0 = appendEpoch(join(inbox, 'git', '0.git'), [{ m: e0[0]! }, { m: e0[1]! }, { d: e0[0]! }, { m: e0[2]! }, { m: e0[3]! }], 1_700_000_000);
  commits1 = appendEpoch(join(inbox, 'git', '1.git'), e1.map((m) => ({ m })), 1_700_001_000);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('parseCatFileBatch', () => {
  it('parses objects split at any byte, empty bodies and missing names', async () => {
    const out = Buffer.from('aaa blob 3\nxyz\nbbb:m missing\nccc blob 0\n\nddd tree 2\nT\n\n');
    const want = [
      { header: 'aaa blob 3', type: 'blob', body: 'xyz' },
      { header: 'bbb:m missing', type: null, body: null },
      { header: 'ccc blob 0', type: 'blob', body: '' },
      { header: 'ddd tree 2', type: 'tree', body: 'T\n' },
    ];
    for (const size of [1, 2, 5, 100]) {
      const chunks = (async function* () {
        for (let i = 0; i < out.length; i += size) yield out.subarray(i, i + size);
      })();
      const got = [];
      for await (const o of parseCatFileBatch(chunks)) got.push({ ...o, body: o.body === null ? null : o.body.toString() });
      expect(got).toEqual(want);
    }
  });
});

describe('readPublicInboxV2', () => {
  it('reads every epoch in order, message bytes exact, skipping deletions', async () => {
    const r = readPublicInboxV2(inbox);
    expect(r.cursor()).toBeNull();
    const got = await collect(r.messages);
    expect(got.map((m) => m.bytes.equals(all[got.indexOf(m)]!))).toEqual(all.map(() => true));
    expect(got.length).toBe(all.length);
    expect(got[0]!.source).toBe(`pi:${inbox}@${commits0[0]}`);
    expect(got[4]!.source).toBe(`pi:${inbox}@${commits1[0]}`);
    expect(r.skipped()).toBe(1);
    expect(r.cursor()).toBe(`1:${commits1[3]}`);
  });

  it('resumes from a cursor: read 3, then the rest, nothing repeated or lost', async () => {
    for (const first of [0, 1, 3, 4, 5, 8]) {
      const a = readPublicInboxV2(inbox);
      const part1 = await take(a.messages, first);
      const c = a.cursor();
      const b = readPublicInboxV2(inbox, { since: c });
      const part2 = await collect(b.messages);
      const sources = [...part1, ...part2].map((m) => m.source);
      expect(new Set(sources).size, `after ${first}`).toBe(sources.length);
      expect([...part1, ...part2].map((m) => m.bytes.toString('latin1')), `after ${first}`).toEqual(all.map((m) => m.toString('latin1')));
      expect(b.cursor()).toBe(`1:${commits1[3]}`);
    }
  });

  it('continues with what was appended since the last run', async () => {
    const dir = join(root, 'growing');
    const git0 = join(dir, 'git', '0.git');
    mkdirSync(join(dir, 'git'), { recursive: true });
    appendEpoch(git0, [{ m: e0[0]! }, { m: e0[1]! }], 1_700_000_000);
    const a = readPublicInboxV2(dir);
    expect((await collect(a.messages)).length).toBe(2);
    const c = a.cursor();
    const again = readPublicInboxV2(dir, { since: c });
    expect(await collect(again.messages)).toEqual([]);
    expect(again.cursor()).toBe(c);
    appendEpoch(git0, [{ m: e0[2]! }], 1_700_000_100);
    appendEpoch(join(dir, 'git', '1.git'), [{ m: e0[3]! }], 1_700_000_200);
    const b = readPublicInboxV2(dir, { since: c });
    expect((await collect(b.messages)).map((m) => m.bytes.toString())).toEqual([e0[2]!.toString(), e0[3]!.toString()]);
  });

  it('refuses a cursor that names no commit of the inbox, with a named error', async () => {
    const bad = [
      `0:${'0'.repeat(40)}`, // no such commit
      `7:${commits0[0]}`, // no such epoch
      `1:${commits0[0]}`, // a commit of another epoch
      'yesterday', // not a cursor
    ];
    for (const since of bad) {
      const r = readPublicInboxV2(inbox, { since });
      const err = await collect(r.messages).then(() => null, (e: unknown) => e);
      expect(err, since).toBeInstanceOf(CursorNotFoundError);
      expect(err, since).toBeInstanceOf(SourceUnreadableError);
      expect((err as CursorNotFoundError).cursor).toBe(since);
      expect((err as Error).message).toContain(`cursor "${since}"`);
    }
  });

  it('refuses a cursor whose commit a history rewrite (purge) left behind', async () => {
    const dir = join(root, 'rewritten');
    const git0 = join(dir, 'git', '0.git');
    mkdirSync(join(dir, 'git'), { recursive: true });
    const cs = appendEpoch(git0, [{ m: e0[0]! }, { m: e0[1]! }, { m: e0[2]! }], 1_700_000_000);
    const a = readPublicInboxV2(dir);
    await collect(a.messages);
    expect(a.cursor()).toBe(`0:${cs[2]}`);
    execFileSync('git', [`--git-dir=${git0}`, 'update-ref', 'refs/heads/master', cs[0]!]);
    appendEpoch(git0, [{ m: e0[3]! }], 1_700_000_500);
    const b = readPublicInboxV2(dir, { since: a.cursor() });
    await expect(collect(b.messages)).rejects.toThrow(/is no longer in the history of epoch 0 .* the history was rewritten/);
  });

  it('reads one epoch given directly, with its number in the cursor', async () => {
    const r = readPublicInboxV2(join(inbox, 'git', '1.git'));
    expect((await collect(r.messages)).length).toBe(e1.length);
    expect(r.cursor()).toBe(`1:${commits1[3]}`);
  });

  it('is detected by openSource, for the inbox and for an epoch', async () => {
    const s = openSource(inbox);
    expect(s.kind).toBe('public-inbox');
    expect((await collect(s.messages)).length).toBe(all.length);
    expect(s.cursor?.()).toBe(`1:${commits1[3]}`);
    expect(openSource(join(inbox, 'git', '0.git')).kind).toBe('public-inbox');
  });

  it('says what is wrong with a folder that is no archive', async () => {
    const r = readPublicInboxV2(join(root, 'nothing-here'));
    await expect(collect(r.messages)).rejects.toThrow(/not a public-inbox v2 archive/);
  });
});

const hasPublicInbox = spawnSync('sh', ['-c', 'command -v public-inbox-init && command -v public-inbox-mda && command -v public-inbox-learn']).status === 0;

describeShared('readPublicInboxV2 on an inbox written by public-inbox itself', () => {
  it.skipIf(!hasPublicInbox)('reads back what public-inbox-mda delivered, without what public-inbox-learn removed', async () => {
    const home = join(root, 'pi-home');
    mkdirSync(home, { recursive: true });
    const env = { ...process.env, HOME: home, PI_CONFIG: join(home, 'pi-config') };
    const dir = join(root, 'real-inbox');
    execFileSync('public-inbox-init', ['-V2', '-L', 'basic', 'test', dir, 'http://example.com/test', 'test@example.com'], { env });
    execFileSync('git', ['config', '-f', env.PI_CONFIG, 'publicinboxmda.spamcheck', 'none']);
    const thread = sharedPath('corpus', 'bpf-list-threads', 'PATCH-bpf-next-v9-0-3-libbpf-fix-USDT-SIB-argument-handling-causing-un');
    const files = readdirSync(thread).filter((f) => f.endsWith('.eml')).sort();
    const idOf = (b: Buffer) => /^Message-I[dD]:\s*<([^>]+)>/im.exec(b.toString('latin1'))?.[1];
    for (const f of files) {
      execFileSync('public-inbox-mda', ['--no-precheck'], { env: { ...env, ORIGINAL_RECIPIENT: 'test@example.com' }, input: readFileSync(join(thread, f)) });
    }
    const first = readPublicInboxV2(dir);
    const before = await collect(first.messages);
    expect(before.map((m) => idOf(m.bytes))).toEqual(files.map((f) => idOf(readFileSync(join(thread, f)))));
    // Remove the second message: public-inbox writes a commit with `d`; a later run sees only that.
    execFileSync('public-inbox-learn', ['rm', '--all'], { env, input: readFileSync(join(thread, files[1]!)) });
    const later = readPublicInboxV2(dir, { since: first.cursor() });
    expect(await collect(later.messages)).toEqual([]);
    expect(later.skipped()).toBe(1);
    const again = readPublicInboxV2(dir);
    expect((await collect(again.messages)).length).toBe(files.length);
    expect(again.skipped()).toBe(1);
  });
});
