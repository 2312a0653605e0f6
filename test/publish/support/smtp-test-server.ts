import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

export interface Received {
  from: string;
  to: string[];
  raw: Buffer;
}

/** What the server does with the n-th DATA (0-based) it sees. */
export type DataBehaviour = 'accept' | 'tempfail' | 'reject' | 'drop';

/**
 * A real SMTP server (npm smtp-server) on 127.0.0.1 and a random port, recording every message
 * it accepted. `behaviour(n)` decides per DATA: accept it, answer 451, answer 550, or cut the
 * connection in the middle of DATA.
 */
export async function startSmtpServer(behaviour: (n: number) => DataBehaviour = () => 'accept') {
  const received: Received[] = [];
  let dataCount = 0;
  const server: SMTPServer = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    disableReverseLookup: true,
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null) => void) {
      const n = dataCount++;
      const what = behaviour(n);
      const chunks: Buffer[] = [];
      if (what === 'drop') {
        stream.once('data', () => {
          for (const c of (server as unknown as { connections: Set<{ _socket: { destroy(): void } }> }).connections) c._socket.destroy();
        });
        stream.resume();
        return;
      }
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (what === 'tempfail') return callback(Object.assign(new Error('try again later'), { responseCode: 451 }));
        if (what === 'reject') return callback(Object.assign(new Error('policy rejection'), { responseCode: 550 }));
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
        });
        callback(null);
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    received,
    dataCount: () => dataCount,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
