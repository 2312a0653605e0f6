/** Git objects written and read without spawning git: tree objects, loose objects, commits, a small index. */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { join } from 'node:path';
import type { KernelTree } from './open-kernel-tree.js';

/** A tree entry: mode as git writes it in tree objects ('100644', '40000', ...) and object id. */
export interface TreeEntry {
  mode: string;
  sha: string;
}

export function parseTreeObject(data: Buffer): Map<string, TreeEntry> {
  const out = new Map<string, TreeEntry>();
  let pos = 0;
  while (pos < data.length) {
    const sp = data.indexOf(32, pos);
    const nul = data.indexOf(0, sp);
    if (sp < 0 || nul < 0 || nul + 21 > data.length) throw new Error('malformed tree object');
    const name = data.toString('utf8', sp + 1, nul);
    if (Buffer.byteLength(name) !== nul - sp - 1) throw new Error('a tree entry name is not UTF-8');
    out.set(name, { mode: data.toString('latin1', pos, sp), sha: data.toString('hex', nul + 1, nul + 21) });
    pos = nul + 21;
  }
  return out;
}

/** A tree object in git's order (names compared bytewise, a directory as if its name ended in '/'). */
export function treeObject(entries: Map<string, TreeEntry>): Buffer {
  const rows = [...entries].map(([name, e]) => ({ key: e.mode === '40000' ? `${name}/` : name, name, e }));
  // plain string order is byte order for ASCII names (a kernel's); UTF-8 bytes otherwise
  const ascii = rows.every((r) => /^[\x00-\x7f]*$/.test(r.key));
  if (ascii) rows.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  else rows.sort((x, y) => Buffer.compare(Buffer.from(x.key, 'utf8'), Buffer.from(y.key, 'utf8')));
  const out = Buffer.allocUnsafe(rows.reduce((n, r) => n + r.e.mode.length + 1 + Buffer.byteLength(r.name) + 1 + 20, 0));
  let pos = 0;
  for (const r of rows) {
    pos += out.write(`${r.e.mode} ${r.name}\0`, pos, 'utf8');
    pos += out.write(r.e.sha, pos, 'hex');
  }
  return out;
}

/** Write a loose object into the tree's own (temporary) object directory; returns its id. */
export function writeLooseObject(tree: KernelTree, type: string, content: Buffer): string {
  const whole = Buffer.concat([Buffer.from(`${type} ${content.length}\0`, 'latin1'), content]);
  const sha = createHash('sha1').update(whole).digest('hex');
  const dir = join(tree.env.GIT_OBJECT_DIRECTORY ?? join(tree.gitDir, 'objects'), sha.slice(0, 2));
  const file = join(dir, sha.slice(2));
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, deflateSync(whole, { level: 1 })); // temporary objects: speed over size
    renameSync(tmp, file);
  }
  return sha;
}

/**
 * The commit `git commit-tree TREE -p PARENT -m MESSAGE` makes with the tree's fixed identity,
 * written here (a spawn a patch spared); null when the identity is not in git's raw form.
 */
export function writeCommitObject(tree: KernelTree, treeSha: string, parent: string, message: string): string | null {
  const e = tree.env;
  const ident = (who: 'AUTHOR' | 'COMMITTER'): string | null => {
    const name = e[`GIT_${who}_NAME`];
    const email = e[`GIT_${who}_EMAIL`];
    const date = e[`GIT_${who}_DATE`];
    if (!name || !email || !date || !/^\d+ [+-]\d{4}$/.test(date) || /[<>\n]/.test(name + email)) return null;
    return `${name} <${email}> ${date}`;
  };
  const author = ident('AUTHOR');
  const committer = ident('COMMITTER');
  if (!author || !committer) return null;
  const body = `tree ${treeSha}\nparent ${parent}\nauthor ${author}\ncommitter ${committer}\n\n${message.endsWith('\n') ? message : `${message}\n`}`;
  return writeLooseObject(tree, 'commit', Buffer.from(body, 'utf8'));
}

/**
 * The stage-0 entries of a version 2 or 3 index file (the small index applyOnSmallIndex keeps:
 * reading it here spares a `git ls-files` a patch); null for anything else (version 4, a
 * configuration that makes git write it), and the caller asks git.
 */
export function readSmallIndex(file: string): Map<string, TreeEntry> | null {
  let b: Buffer;
  try {
    b = readFileSync(file);
  } catch {
    return null;
  }
  if (b.length < 12 || b.toString('latin1', 0, 4) !== 'DIRC') return null;
  const version = b.readUInt32BE(4);
  if (version !== 2 && version !== 3) return null;
  const count = b.readUInt32BE(8);
  const out = new Map<string, TreeEntry>();
  let pos = 12;
  for (let i = 0; i < count; i++) {
    if (pos + 62 > b.length) return null;
    const mode = b.readUInt32BE(pos + 24);
    const sha = b.toString('hex', pos + 40, pos + 60);
    const flags = b.readUInt16BE(pos + 60);
    const extended = (flags & 0x4000) !== 0;
    if (extended && version < 3) return null;
    const nameStart = pos + 62 + (extended ? 2 : 0);
    const nul = b.indexOf(0, nameStart);
    if (nul < 0) return null;
    const path = b.toString('utf8', nameStart, nul);
    if ((flags >> 12 & 3) === 0) out.set(path, { mode: mode.toString(8), sha });
    pos += Math.floor((nul - pos + 8) / 8) * 8; // entries are NUL-padded to a multiple of 8
  }
  return out;
}
