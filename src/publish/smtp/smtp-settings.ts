import { ConfigError } from '../../model/index.js';
import type { SmtpSettings } from './smtp-sender.js';

/** Check SMTP settings from a config file; every problem names its field. */
export function validateSmtpSettings(raw: unknown, source = 'smtp settings'): SmtpSettings {
  if (typeof raw !== 'object' || raw === null) throw new ConfigError('smtp: expected a mapping with host and port', source);
  const r = raw as Record<string, unknown>;
  const bad = (field: string, what: string): never => {
    throw new ConfigError(`smtp.${field}: ${what}`, source);
  };
  if (typeof r.host !== 'string' || r.host.trim() === '') bad('host', 'a host name is required');
  if (!Number.isInteger(r.port) || (r.port as number) < 1 || (r.port as number) > 65535) bad('port', 'an integer 1-65535 is required');
  for (const b of ['secure', 'ignoreTLS', 'requireTLS', 'tlsRejectUnauthorized'] as const) {
    if (r[b] !== undefined && typeof r[b] !== 'boolean') bad(b, 'true or false');
  }
  for (const n of ['attempts', 'backoffMs', 'maxBackoffMs', 'timeoutMs'] as const) {
    if (r[n] !== undefined && (!Number.isInteger(r[n]) || (r[n] as number) < (n === 'attempts' ? 1 : 0))) bad(n, 'a non-negative integer');
  }
  if (r.auth !== undefined) {
    const a = r.auth as Record<string, unknown> | null;
    if (typeof a !== 'object' || a === null || typeof a.user !== 'string' || typeof a.pass !== 'string') bad('auth', 'user and pass strings');
  }
  if (r.name !== undefined && typeof r.name !== 'string') bad('name', 'a host name for EHLO');
  return r as unknown as SmtpSettings;
}
