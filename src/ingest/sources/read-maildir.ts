import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { RawMessage } from '../../model/message.js';
import { SourceUnreadableError } from '../../model/errors.js';
import { SOURCE_HINT, ioError } from './errors.js';
import { compareNames, readRawFile } from './read-eml.js';

interface Entry {
  sub: 'cur' | 'new';
  name: string;
  /** The unique part of the name, without the `:2,FLAGS` info, on which entries are ordered. */
  key: string;
  time: number;
}

/**
 * Compare maildir entries: by the delivery time that starts a maildir name (`1700000000.M1P2.host`),
 * then by the unique name in byte order, then cur before new. Stable across runs and hosts.
 */
function compareEntries(a: Entry, b: Entry): number {
  if (a.time !== b.time) return a.time - b.time;
  return compareNames(a.key, b.key) || compareNames(a.sub, b.sub) || compareNames(a.name, b.name);
}

/**
 * Every message of a maildir (`cur/` and `new/`; `tmp/` holds deliveries in progress and is not read),
 * ordered by delivery time and then name. `source` is the message file path.
 */
export async function* readMaildir(dir: string): AsyncGenerator<RawMessage> {
  const entries: Entry[] = [];
  let found = 0;
  for (const sub of ['cur', 'new'] as const) {
    let names: string[];
    try {
      names = await readdir(join(dir, sub));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw ioError(join(dir, sub), err);
    }
    found += 1;
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const colon = name.indexOf(':');
      const key = colon === -1 ? name : name.slice(0, colon);
      const t = /^(\d+)/.exec(key);
      entries.push({ sub, name, key, time: t ? Number(t[1]) : Number.MAX_SAFE_INTEGER });
    }
  }
  if (found === 0) {
    throw new SourceUnreadableError(`${dir}: not a maildir (no cur/ or new/ folder); ${SOURCE_HINT}`, dir);
  }
  entries.sort(compareEntries);
  for (const e of entries) {
    const path = join(dir, e.sub, e.name);
    let st;
    try {
      st = await stat(path);
    } catch (err) {
      // A mail client may move a message (new/ -> cur/) between readdir and here: say so, lose nothing silently.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new SourceUnreadableError(`${path}: vanished while reading the maildir (a mail client moved it?); run again when the maildir is quiet`, path);
      }
      throw ioError(path, err);
    }
    if (!st.isFile()) continue;
    yield* readRawFile(path);
  }
}
