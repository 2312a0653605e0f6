import { mkdtempSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { findBinary, freePort, mustRun, runCommand, spawnDaemon, waitForPort } from './proc.js';
import { withoutFromLine } from '../../../src/ingest/sources/mboxrd-entry.js';

/** Whether the Debian public-inbox tools are installed (tests that need them skip when not). */
export const hasPublicInbox: boolean = ['public-inbox-init', 'public-inbox-index', 'public-inbox-mda', 'public-inbox-httpd', 'public-inbox-nntpd'].every((b) => findBinary(b) !== null);

export interface PublicInboxOptions {
  /** Inbox name (URL path and config key). Default "bpf". */
  name?: string;
  /** The list address messages must be sent to (public-inbox-mda checks To/Cc). Default bpf@vger.kernel.org. */
  address?: string;
  /** NNTP newsgroup. Default "test.<name>". */
  newsgroup?: string;
  /** Entries in new.atom (publicinbox.<name>.feedmax; public-inbox's default is 25). */
  feedmax?: number;
  /** basic (no search), medium (Xapian: rt: search) or full. Default medium. */
  indexLevel?: 'basic' | 'medium' | 'full';
}

/** A real public-inbox v2 inbox in a temp folder, with its own HOME and PI_CONFIG. */
export interface PublicInbox {
  dir: string;
  name: string;
  address: string;
  newsgroup: string;
  /** The temp folder holding HOME, the config and the inbox; removed by remove(). */
  root: string;
  configFile: string;
  /** Environment for public-inbox commands (HOME, PI_CONFIG). */
  env: NodeJS.ProcessEnv;
  /** Deliver one message with the real public-inbox-mda (as the list's MTA would); throws when it is not stored. */
  add(raw: Buffer): Promise<void>;
  /** Commits in epoch 0 (one per stored message). */
  commits(): Promise<number>;
  remove(): Promise<void>;
}

function subjectOf(raw: Buffer): string {
  const head = raw.toString('latin1', 0, Math.min(raw.length, 64 * 1024));
  const m = /^Subject:[ \t]*(.*(?:\r?\n[ \t].*)*)/im.exec(head);
  return (m ? m[1]!.replace(/\r?\n[ \t]+/g, ' ') : 'message').slice(0, 200) || 'message';
}


/**
 * A public-inbox v2 inbox made with the real tools: `public-inbox-init -V2`, the initial messages
 * written to epoch 0 as public-inbox lays them out (one commit per message, blob "m") and indexed
 * with `public-inbox-index`; later messages delivered one by one with `public-inbox-mda`.
 */
export async function makePublicInbox(messages: Buffer[], opts: PublicInboxOptions = {}): Promise<PublicInbox> {
  if (!hasPublicInbox) throw new Error('public-inbox is not installed (apt-get install public-inbox)');
  const name = opts.name ?? 'bpf';
  const address = opts.address ?? 'bpf@vger.kernel.org';
  const newsgroup = opts.newsgroup ?? `test.${name}`;
  const root = mkdtempSync(join(tmpdir(), 'bpf-review-pi-'));
  const home = join(root, 'home');
  await mkdir(home, { recursive: true });
  const configFile = join(home, 'pi-config');
  const dir = join(root, name);
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, PI_CONFIG: configFile, PI_EMERGENCY: join(root, 'emergency'), TZ: 'UTC' };
  await mustRun('public-inbox-init', ['-V2', '-L', opts.indexLevel ?? 'medium', name, dir, `http://127.0.0.1/${name}`, address], { env });
  const set = (k: string, v: string): Promise<string> => mustRun('git', ['config', '-f', configFile, k, v], { env });
  await set('publicinboxmda.spamcheck', 'none');
  await set(`publicinbox.${name}.newsgroup`, newsgroup);
  if (opts.feedmax !== undefined) await set(`publicinbox.${name}.feedmax`, String(opts.feedmax));
  const epoch = join(dir, 'git', '0.git');

  if (messages.length > 0) {
    const parts: Buffer[] = [];
    const now = Math.floor(Date.now() / 1000);
    messages.forEach((m, i) => {
      const body = withoutFromLine(m);
      const subj = Buffer.from(`${subjectOf(body)}\n`, 'utf8');
      parts.push(Buffer.from(`commit refs/heads/master\nmark :${i + 1}\nauthor bpf-review test <test@bpf-review.invalid> ${now} +0000\ncommitter bpf-review test <test@bpf-review.invalid> ${now} +0000\ndata ${subj.length}\n`));
      parts.push(subj);
      if (i > 0) parts.push(Buffer.from(`from :${i}\n`));
      parts.push(Buffer.from(`M 100644 inline m\ndata ${body.length}\n`), body, Buffer.from('\n'));
    });
    parts.push(Buffer.from('done\n'));
    await mustRun('git', [`--git-dir=${epoch}`, 'fast-import', '--quiet', '--done'], { env, input: Buffer.concat(parts) });
    await mustRun('public-inbox-index', [dir], { env });
  }

  const commits = async (): Promise<number> => {
    const r = await runCommand('git', [`--git-dir=${epoch}`, 'rev-list', '--count', 'HEAD'], { env });
    return r.code === 0 ? Number(r.stdout.trim()) : 0;
  };

  return {
    dir,
    name,
    address,
    newsgroup,
    root,
    configFile,
    env,
    commits,
    async add(raw: Buffer) {
      const before = await commits();
      const r = await runCommand('public-inbox-mda', [], { env: { ...env, ORIGINAL_RECIPIENT: address }, input: raw });
      const after = await commits();
      if (r.code !== 0 || after !== before + 1) {
        throw new Error(`public-inbox-mda did not store the message (exit ${r.code}, ${after - before} new commits): ${r.stderr.trim()}`);
      }
    },
    async remove() {
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** A config file for an inbox folder made elsewhere (name = the folder's name). */
async function configFor(inboxDir: string): Promise<{ env: NodeJS.ProcessEnv; name: string; newsgroup: string; root: string }> {
  const root = mkdtempSync(join(tmpdir(), 'bpf-review-picfg-'));
  const name = basename(resolve(inboxDir));
  const configFile = join(root, 'pi-config');
  const newsgroup = `test.${name}`;
  await writeFile(configFile, `[publicinbox "${name}"]\n\tinboxdir = ${resolve(inboxDir)}\n\taddress = ${name}@localhost\n\turl = http://127.0.0.1/${name}\n\tnewsgroup = ${newsgroup}\n`);
  return { env: { ...process.env, HOME: root, PI_CONFIG: configFile, TZ: 'UTC' }, name, newsgroup, root };
}

async function daemonFor(
  inbox: PublicInbox | string,
  bin: 'public-inbox-httpd' | 'public-inbox-nntpd',
  scheme: 'http' | 'nntp',
  port: number | undefined,
): Promise<{ port: number; name: string; newsgroup: string; stop(): Promise<void> }> {
  const cfg = typeof inbox === 'string' ? await configFor(inbox) : { env: inbox.env, name: inbox.name, newsgroup: inbox.newsgroup, root: null };
  const p = port ?? (await freePort());
  const logDir = typeof inbox === 'string' ? cfg.root! : inbox.root;
  const logFile = join(logDir, `${bin}-${p}.log`);
  // -W0: no worker processes (one process, quick to start and stop)
  const d = spawnDaemon(bin, ['-W0', '-l', `${scheme}://127.0.0.1:${p}`], { env: cfg.env, logFile });
  try {
    await waitForPort(p, 15_000, d.alive);
  } catch (err) {
    await d.stop();
    throw new Error(`${bin} did not start: ${(err as Error).message}\n${d.log().slice(-2000)}`);
  }
  return {
    port: p,
    name: cfg.name,
    newsgroup: cfg.newsgroup,
    async stop() {
      await d.stop();
      if (cfg.root) await rm(cfg.root, { recursive: true, force: true });
    },
  };
}

export interface PublicInboxHttpd {
  /** The inbox URL, ending in "/": http://127.0.0.1:<port>/<name>/ */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** The real public-inbox-httpd serving one inbox on 127.0.0.1 (a free port unless `port` is given). */
export async function startPublicInboxHttpd(inbox: PublicInbox | string, opts: { port?: number } = {}): Promise<PublicInboxHttpd> {
  const d = await daemonFor(inbox, 'public-inbox-httpd', 'http', opts.port);
  return { url: `http://127.0.0.1:${d.port}/${d.name}/`, port: d.port, stop: d.stop };
}

export interface PublicInboxNntpd {
  host: string;
  port: number;
  group: string;
  stop(): Promise<void>;
}

/** The real public-inbox-nntpd serving one inbox's newsgroup on 127.0.0.1. */
export async function startPublicInboxNntpd(inbox: PublicInbox | string, opts: { port?: number } = {}): Promise<PublicInboxNntpd> {
  const d = await daemonFor(inbox, 'public-inbox-nntpd', 'nntp', opts.port);
  return { host: '127.0.0.1', port: d.port, group: d.newsgroup, stop: d.stop };
}
