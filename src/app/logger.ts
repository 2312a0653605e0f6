import { pino, type Logger } from 'pino';

/** Structured logs to stderr (stdout is for the command's output). Quiet unless BPF_REVIEW_LOG is set. */
export function createLogger(name = 'bpf-review'): Logger {
  const level = process.env.BPF_REVIEW_LOG ?? 'warn';
  return pino({ name, level }, pino.destination(2));
}
