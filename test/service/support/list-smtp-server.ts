import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

export interface ListReceived {
  from: string;
  to: string[];
  raw: Buffer;
  messageId: string | null;
}

/**
 * A real SMTP server (npm smtp-server) on 127.0.0.1 that plays the mailing list: every message
 * it accepts is handed to `deliver` (the test appends it to the archive the daemon follows, as
 * the list and lore would) and recorded before the server answers 250 (after `acceptDelayMs`).
 */
export async function startListSmtpServer(deliver: (raw: Buffer) => void = () => undefined, opts: { acceptDelayMs?: number } = {}) {
  const received: ListReceived[] = [];
  const server: SMTPServer = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    disableReverseLookup: true,
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null) => void) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        deliver(raw);
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          messageId: /^Message-ID:\s*<([^>]+)>/im.exec(raw.toString('utf8'))?.[1] ?? null,
        });
        // a delay between taking the message (and passing it to the list) and the 250: the
        // window in which a crash leaves the sender not knowing the message went through
        if (opts.acceptDelayMs) setTimeout(() => callback(null), opts.acceptDelayMs);
        else callback(null);
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { port, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
