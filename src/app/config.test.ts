import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ConfigError } from '../model/index.js';
import { loadServeConfig, validateServeConfig } from './config.js';

const minimal = { sources: [{ name: 'bpf', kind: 'public-inbox', path: 'lore/bpf' }] };

describe('serve config', () => {
  it('fills defaults, resolves paths from the config folder, and is dry-run unless told', () => {
    const c = validateServeConfig(minimal, '/etc/bpf-review');
    expect(c.store).toEqual({ sqlite: '/etc/bpf-review/bpf-review.sqlite' });
    expect(c.sources).toEqual([{ name: 'bpf', kind: 'public-inbox', path: '/etc/bpf-review/lore/bpf' }]);
    expect(c.mail.send).toBe(false);
    expect(c.mail.lists).toEqual({});
    expect(c.completion.waitMinutes).toBe(30);
    expect(c.http).toEqual({ host: '127.0.0.1', port: 8080 });
  });

  it.each([
    [{}, /sources: a list of at least one source/],
    [{ ...minimal, bogus: 1 }, /bogus: unknown setting/],
    [{ sources: [{ name: 'a b', kind: 'mbox', path: 'x' }] }, /sources\[0\]\.name/],
    [{ sources: [{ name: 'a', kind: 'pop3', path: 'x' }] }, /sources\[0\]\.kind: public-inbox, mbox, maildir or imap, not "pop3"/],
    [{ sources: [{ name: 'a', kind: 'imap', host: 'h', user: 'u' }] }, /sources\[0\]\.password: a string is required/],
    [{ sources: [{ name: 'a', kind: 'imap', path: 'x' }] }, /sources\[0\]\.path: unknown setting/],
    [{ sources: [{ name: 'a', kind: 'mbox', path: 'x' }, { name: 'a', kind: 'mbox', path: 'y' }] }, /sources\[1\]\.name: "a" is used twice/],
    [{ ...minimal, pollMs: 1.5 }, /pollMs: an integer/],
    [{ ...minimal, completion: { waitMinutes: -1 } }, /completion\.waitMinutes: a number >= 0/],
    [{ ...minimal, mail: { send: true } }, /mail\.send: sending needs mail\.smtp/],
    [{ ...minimal, mail: { smtp: { host: 'h', port: 70000 } } }, /mail\.smtp: .*port/],
    [{ ...minimal, mail: { lists: { 'bpf@vger.kernel.org': { mode: 'everyone' } } } }, /mail\.lists\.bpf@vger\.kernel\.org: mode must be/],
    [{ ...minimal, mail: { lists: { notalist: {} } } }, /mail\.lists\.notalist: the key must be a list address/],
    [{ ...minimal, store: { sqlite: 'a', postgres: 'postgres://x' } }, /store: give sqlite or postgres, not both/],
    [{ ...minimal, store: { postgres: 'mysql://x' } }, /store\.postgres: a postgres:\/\/ connection URL/],
    [{ ...minimal, log: { level: 'loud' } }, /log\.level: one of/],
  ])('rejects %j naming the key', (raw, msg) => {
    expect(() => validateServeConfig(raw, '/x', 'serve.yml')).toThrow(ConfigError);
    expect(() => validateServeConfig(raw, '/x', 'serve.yml')).toThrow(msg);
  });

  it('reads YAML files and says which line is broken', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpf-review-config-'));
    try {
      writeFileSync(join(dir, 'bad.yml'), 'sources:\n  - name: [unclosed\n');
      expect(() => loadServeConfig(join(dir, 'bad.yml'))).toThrow(/not valid YAML.*line/s);
      expect(() => loadServeConfig(join(dir, 'absent.yml'))).toThrow(/cannot read the config/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('accepts the documented example, examples/serve.yml', () => {
    const path = join(import.meta.dirname, '..', '..', 'examples', 'serve.yml');
    const c = loadServeConfig(path);
    expect(c.mail.send).toBe(false);
    expect(c.sources.length).toBeGreaterThan(0);
    // every top-level key the validator knows is shown in the example
    const keys = Object.keys(parse(readFileSync(path, 'utf8')) as object);
    expect(keys.sort()).toEqual(['batchSize', 'completion', 'http', 'log', 'mail', 'pollMs', 'review', 'sources', 'store', 'windowDays']);
  });
});
