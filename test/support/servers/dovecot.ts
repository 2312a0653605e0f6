import { accessSync, chmodSync, chownSync, constants, mkdtempSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { findBinary, freePort, mustRun, runCommand, spawnDaemon, waitForPort, type Daemon } from './proc.js';

const DOVECOT = findBinary('dovecot');
const DOVEADM = findBinary('doveadm');

function executable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Whether Debian's dovecot-imapd (dovecot, doveadm and the imap service binary) is installed. */
export const hasDovecot: boolean = DOVECOT !== null && DOVEADM !== null && ['/usr/lib/dovecot/imap', '/usr/libexec/dovecot/imap'].some(executable);

export interface DovecotOptions {
  user?: string;
  password?: string;
  /** Default: a free port. */
  port?: number;
}

/** A real Dovecot IMAP server on 127.0.0.1 with its own config, users and maildir in a temp folder. */
export interface DovecotServer {
  host: string;
  port: number;
  user: string;
  password: string;
  /** The temp folder (config, logs, mail). */
  dir: string;
  /** The user's INBOX maildir. */
  mailboxDir: string;
  /** IMAP APPEND the message to INBOX (or `mailbox`); resolves with its UID. */
  append(raw: Buffer, mailbox?: string): Promise<number>;
  /** Drop the user's IMAP connections (doveadm kick). */
  kick(): Promise<void>;
  /** Give the mailbox a new UIDVALIDITY (doveadm mailbox update), as recreating it would. */
  setUidValidity(value: number, mailbox?: string): Promise<void>;
  /** Stop the server, keeping the mail (restart() brings it back on the same port). `crash` (default): SIGKILL
   *  every Dovecot process at once, connections drop without a goodbye; `graceful`: SIGTERM the master. */
  kill(how?: 'crash' | 'graceful'): Promise<void>;
  restart(): Promise<void>;
  /** Stop the server and remove the temp folder. */
  stop(): Promise<void>;
}

/**
 * Start Dovecot (Debian dovecot-imapd) as a private instance: listen on 127.0.0.1 only, plaintext
 * auth from a passwd-file, mail in maildir under the temp folder, nothing system-wide touched.
 * As root the mail is owned by uid/gid 65534 (nobody); otherwise everything runs as the current user.
 */
export async function startDovecot(opts: DovecotOptions = {}): Promise<DovecotServer> {
  if (!hasDovecot || !DOVECOT || !DOVEADM) throw new Error('dovecot is not installed (apt-get install dovecot-imapd)');
  const user = opts.user ?? 'bpfreview';
  const password = opts.password ?? 'test-password';
  const port = opts.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'bpf-review-dovecot-'));
  const isRoot = process.getuid?.() === 0;
  const me = userInfo();
  const uid = isRoot ? 65534 : me.uid;
  const gid = isRoot ? 65534 : me.gid;
  const home = join(dir, 'home', user);
  await mkdir(join(dir, 'run'), { recursive: true });
  await mkdir(join(dir, 'state'), { recursive: true });
  await mkdir(home, { recursive: true });
  if (isRoot) {
    // mail processes run as nobody: they must be able to walk down to the maildir
    chmodSync(dir, 0o711);
    chownSync(join(dir, 'home'), uid, gid);
    chownSync(home, uid, gid);
  }
  await writeFile(join(dir, 'passwd'), `${user}:{PLAIN}${password}\n`, { mode: 0o644 });
  const conf = join(dir, 'dovecot.conf');
  const internal = isRoot ? '' : `default_internal_user = ${me.username}\ndefault_login_user = ${me.username}\n`;
  await writeFile(
    conf,
    `# private test instance written by test/support/servers/dovecot.ts
base_dir = ${join(dir, 'run')}
state_dir = ${join(dir, 'state')}
instance_name = bpf-review-${port}
log_path = ${join(dir, 'dovecot.log')}
${internal}listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
first_valid_gid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${join(dir, 'passwd')}
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${join(dir, 'home')}/%u
}
mail_location = maildir:~/Maildir
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
`,
  );
  let daemon: Daemon | null = null;
  const start = async (): Promise<void> => {
    const d = spawnDaemon(DOVECOT, ['-F', '-c', conf], { logFile: join(dir, 'dovecot.out') });
    daemon = d;
    try {
      await waitForPort(port, 15_000, d.alive);
    } catch (err) {
      await d.stop();
      const log = await runCommand('tail', ['-20', join(dir, 'dovecot.log')]);
      throw new Error(`dovecot did not start: ${(err as Error).message}\n${d.log()}\n${log.stdout}`);
    }
  };
  await start();
  const doveadm = (args: string[]): Promise<string> => mustRun(DOVEADM, ['-c', conf, ...args]);

  const server: DovecotServer = {
    host: '127.0.0.1',
    port,
    user,
    password,
    dir,
    mailboxDir: join(home, 'Maildir'),
    async append(raw, mailbox = 'INBOX') {
      const client = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user, pass: password }, logger: false });
      client.on('error', () => undefined);
      await client.connect();
      try {
        const r = await client.append(mailbox, raw);
        if (!r || typeof r.uid !== 'number') throw new Error('APPEND gave no UID');
        return r.uid;
      } finally {
        await client.logout().catch(() => client.close());
      }
    },
    async kick() {
      // exit 68 = nobody was connected
      const r = await runCommand(DOVEADM, ['-c', conf, 'kick', user]);
      if (r.code !== 0 && r.code !== 68) throw new Error(`doveadm kick: ${r.stderr}`);
    },
    async setUidValidity(value, mailbox = 'INBOX') {
      await doveadm(['mailbox', 'update', '-u', user, '--uid-validity', String(value), mailbox]);
    },
    async kill(how = 'crash') {
      const d = daemon as Daemon | null;
      daemon = null;
      if (d) await (how === 'crash' ? d.crash() : d.stop());
    },
    async restart() {
      await server.kill();
      await start();
    },
    async stop() {
      await server.kill('crash');
      await rm(dir, { recursive: true, force: true });
    },
  };
  return server;
}
