/**
 * The `serve` / `backfill` configuration: a YAML file (examples/serve.yml documents every key),
 * validated here with errors that name the key. Relative paths are taken from the config
 * file's folder.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigError, type Address } from '../model/index.js';
import { validatePolicy, type MailPolicy } from '../publish/smtp/mail-policy.js';
import { validateSmtpSettings } from '../publish/smtp/smtp-settings.js';
import type { SmtpSettings } from '../publish/smtp/smtp-sender.js';

export type SourceKindConfig = 'public-inbox' | 'mbox' | 'maildir' | 'imap';

export interface ImapSourceConfig {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  password: string;
  mailbox: string;
}

export interface ServeConfig {
  store: { sqlite: string } | { postgres: string; sqlite?: undefined };
  /** `path` for public-inbox, mbox and maildir; `imap` for imap. */
  sources: { name: string; kind: SourceKindConfig; path: string; imap?: ImapSourceConfig }[];
  pollMs: number;
  batchSize: number;
  completion: { waitMinutes: number };
  windowDays: number;
  review: { tree: string | null; module: string | null; concurrency: number };
  mail: {
    send: boolean;
    from: Address;
    messageIdDomain: string;
    reportUrl: string | null;
    smtp: SmtpSettings | null;
    lists: Record<string, MailPolicy>;
  };
  http: { host: string; port: number } | null;
  log: { level: string };
}

const KNOWN_TOP = ['store', 'sources', 'pollMs', 'batchSize', 'completion', 'windowDays', 'review', 'mail', 'http', 'log'];
const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validate a parsed config object. `baseDir` resolves relative paths; `where` names the file in errors. */
export function validateServeConfig(raw: unknown, baseDir: string, where = 'config'): ServeConfig {
  const bad = (key: string, what: string): never => {
    throw new ConfigError(`${where}: ${key}: ${what}`, where);
  };
  if (!isObj(raw)) bad('(top level)', 'expected a mapping of settings');
  const r = raw as Obj;
  for (const k of Object.keys(r)) if (!KNOWN_TOP.includes(k)) bad(k, `unknown setting (known: ${KNOWN_TOP.join(', ')})`);
  const path = (key: string, v: unknown): string => {
    if (typeof v !== 'string' || v.trim() === '') bad(key, 'a path is required');
    return isAbsolute(v as string) ? (v as string) : resolve(baseDir, v as string);
  };
  const int = (key: string, v: unknown, dflt: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) bad(key, `an integer ${min}..${max === Number.MAX_SAFE_INTEGER ? '' : max} is required, not ${JSON.stringify(v)}`);
    return v as number;
  };
  const num = (key: string, v: unknown, dflt: number): number => {
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) bad(key, `a number >= 0 is required, not ${JSON.stringify(v)}`);
    return v as number;
  };

  // store
  let store: ServeConfig['store'] = { sqlite: resolve(baseDir, 'bpf-review.sqlite') };
  if (r.store !== undefined) {
    if (!isObj(r.store)) bad('store', 'a mapping with sqlite: PATH or postgres: URL');
    const s = r.store as Obj;
    for (const k of Object.keys(s)) if (k !== 'sqlite' && k !== 'postgres') bad(`store.${k}`, 'unknown setting (sqlite or postgres)');
    if (s.sqlite !== undefined && s.postgres !== undefined) bad('store', 'give sqlite or postgres, not both');
    if (s.postgres !== undefined) {
      if (typeof s.postgres !== 'string' || !/^postgres(ql)?:\/\//.test(s.postgres)) bad('store.postgres', 'a postgres:// connection URL is required');
      store = { postgres: s.postgres as string };
    } else if (s.sqlite !== undefined) store = { sqlite: path('store.sqlite', s.sqlite) };
  }

  // sources
  if (!Array.isArray(r.sources) || r.sources.length === 0) bad('sources', 'a list of at least one source (name, kind, path) is required');
  const names = new Set<string>();
  const sources = (r.sources as unknown[]).map((s, i) => {
    const key = `sources[${i}]`;
    if (!isObj(s)) bad(key, 'a mapping with name, kind and path (or, for imap, host, user, password)');
    const o = s as Obj;
    const allowed = o.kind === 'imap' ? ['name', 'kind', 'host', 'port', 'secure', 'user', 'password', 'mailbox'] : ['name', 'kind', 'path'];
    for (const k of Object.keys(o)) if (!allowed.includes(k)) bad(`${key}.${k}`, `unknown setting (${allowed.join(', ')})`);
    if (typeof o.name !== 'string' || !/^[\w.-]+$/.test(o.name)) bad(`${key}.name`, 'a name of letters, digits, ".", "_" or "-" is required');
    if (names.has(o.name as string)) bad(`${key}.name`, `"${String(o.name)}" is used twice`);
    names.add(o.name as string);
    if (!['public-inbox', 'mbox', 'maildir', 'imap'].includes(o.kind as string)) bad(`${key}.kind`, `public-inbox, mbox, maildir or imap, not ${JSON.stringify(o.kind)}`);
    if (o.kind === 'imap') {
      if (typeof o.host !== 'string' || o.host === '') bad(`${key}.host`, 'a host name is required');
      for (const f of ['user', 'password'] as const) if (typeof o[f] !== 'string') bad(`${key}.${f}`, 'a string is required');
      if (o.secure !== undefined && typeof o.secure !== 'boolean') bad(`${key}.secure`, 'true or false');
      if (o.mailbox !== undefined && typeof o.mailbox !== 'string') bad(`${key}.mailbox`, 'a mailbox name');
      const secure = o.secure === true;
      const imap: ImapSourceConfig = { host: o.host as string, port: int(`${key}.port`, o.port, secure ? 993 : 143, 1, 65535), secure, user: o.user as string, password: o.password as string, mailbox: (o.mailbox as string | undefined) ?? 'INBOX' };
      return { name: o.name as string, kind: 'imap' as const, path: `imap://${imap.user}@${imap.host}:${imap.port}/${imap.mailbox}`, imap };
    }
    return { name: o.name as string, kind: o.kind as SourceKindConfig, path: path(`${key}.path`, o.path) };
  });

  const completion = { waitMinutes: 30 };
  if (r.completion !== undefined) {
    if (!isObj(r.completion)) bad('completion', 'a mapping with waitMinutes');
    for (const k of Object.keys(r.completion as Obj)) if (k !== 'waitMinutes') bad(`completion.${k}`, 'unknown setting (waitMinutes)');
    completion.waitMinutes = num('completion.waitMinutes', (r.completion as Obj).waitMinutes, 30);
  }

  const review: ServeConfig['review'] = { tree: null, module: null, concurrency: 1 };
  if (r.review !== undefined) {
    if (!isObj(r.review)) bad('review', 'a mapping with tree, module, concurrency');
    const o = r.review as Obj;
    for (const k of Object.keys(o)) if (!['tree', 'module', 'concurrency'].includes(k)) bad(`review.${k}`, 'unknown setting (tree, module, concurrency)');
    if (o.tree !== undefined && o.tree !== null) review.tree = path('review.tree', o.tree);
    if (o.module !== undefined && o.module !== null) review.module = path('review.module', o.module);
    review.concurrency = int('review.concurrency', o.concurrency, 1, 1, 64);
  }

  // mail
  const mail: ServeConfig['mail'] = {
    send: false,
    from: { name: 'bpf-review', address: 'bpf-review@localhost' },
    messageIdDomain: 'bpf-review.invalid',
    reportUrl: null,
    smtp: null,
    lists: {},
  };
  if (r.mail !== undefined) {
    if (!isObj(r.mail)) bad('mail', 'a mapping');
    const m = r.mail as Obj;
    for (const k of Object.keys(m)) if (!['send', 'from', 'messageIdDomain', 'reportUrl', 'smtp', 'lists'].includes(k)) bad(`mail.${k}`, 'unknown setting (send, from, messageIdDomain, reportUrl, smtp, lists)');
    if (m.send !== undefined && typeof m.send !== 'boolean') bad('mail.send', 'true or false');
    mail.send = m.send === true;
    if (m.from !== undefined) {
      if (!isObj(m.from) || typeof (m.from as Obj).address !== 'string' || !/^[^@\s]+@[^@\s]+$/.test((m.from as Obj).address as string)) bad('mail.from', 'a mapping with name and address (user@host)');
      const f = m.from as Obj;
      mail.from = { name: typeof f.name === 'string' ? f.name : '', address: f.address as string };
    }
    if (m.messageIdDomain !== undefined) {
      if (typeof m.messageIdDomain !== 'string' || !/^[\w.-]+$/.test(m.messageIdDomain)) bad('mail.messageIdDomain', 'a domain name');
      mail.messageIdDomain = m.messageIdDomain as string;
    }
    if (m.reportUrl !== undefined && m.reportUrl !== null) {
      if (typeof m.reportUrl !== 'string' || !/^https?:\/\//.test(m.reportUrl)) bad('mail.reportUrl', 'an http(s) URL');
      mail.reportUrl = m.reportUrl as string;
    }
    if (m.smtp !== undefined && m.smtp !== null) {
      try {
        mail.smtp = validateSmtpSettings(m.smtp, where);
      } catch (err) {
        bad('mail.smtp', err instanceof Error ? err.message.replace(/^smtp\./, '') : String(err));
      }
    }
    if (m.lists !== undefined) {
      if (!isObj(m.lists)) bad('mail.lists', 'a mapping of list address to policy');
      for (const [list, p] of Object.entries(m.lists as Obj)) {
        if (!/^[^@\s]+@[^@\s]+$/.test(list)) bad(`mail.lists.${list}`, 'the key must be a list address');
        if (!isObj(p)) bad(`mail.lists.${list}`, 'a mapping with mode, delayMinutes, maxPerHour, neverMail');
        for (const k of Object.keys(p as Obj)) if (!['mode', 'delayMinutes', 'maxPerHour', 'neverMail'].includes(k)) bad(`mail.lists.${list}.${k}`, 'unknown setting (mode, delayMinutes, maxPerHour, neverMail)');
        try {
          mail.lists[list] = validatePolicy(p as Partial<MailPolicy>, where);
        } catch (err) {
          bad(`mail.lists.${list}`, err instanceof Error ? err.message : String(err));
        }
      }
    }
    if (mail.send && !mail.smtp) bad('mail.send', 'sending needs mail.smtp (host and port)');
  }

  let http: ServeConfig['http'] = { host: '127.0.0.1', port: 8080 };
  if (r.http === null || r.http === false) http = null;
  else if (r.http !== undefined) {
    if (!isObj(r.http)) bad('http', 'a mapping with host and port, or false');
    const h = r.http as Obj;
    for (const k of Object.keys(h)) if (k !== 'host' && k !== 'port') bad(`http.${k}`, 'unknown setting (host, port)');
    if (h.host !== undefined && typeof h.host !== 'string') bad('http.host', 'a host name or address');
    http = { host: (h.host as string | undefined) ?? '127.0.0.1', port: int('http.port', h.port, 8080, 0, 65535) };
  }

  const log = { level: 'info' };
  if (r.log !== undefined) {
    if (!isObj(r.log) || (r.log as Obj).level === undefined || !LEVELS.includes((r.log as Obj).level as string)) bad('log.level', `one of ${LEVELS.join(', ')}`);
    log.level = (r.log as Obj).level as string;
  }

  return {
    store,
    sources,
    pollMs: int('pollMs', r.pollMs, 500, 10),
    batchSize: int('batchSize', r.batchSize, 200, 1),
    completion,
    windowDays: num('windowDays', r.windowDays, 30),
    review,
    mail,
    http,
    log,
  };
}

/** Read and validate a YAML config file. Throws ConfigError naming the key (or the YAML error's line). */
export function loadServeConfig(file: string): ServeConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${file}: cannot read the config: ${(err as Error).message}`, file);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`${file}: not valid YAML: ${(err as Error).message}`, file);
  }
  return validateServeConfig(raw, dirname(resolve(file)), file);
}
