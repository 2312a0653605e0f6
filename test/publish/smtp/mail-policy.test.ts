import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/model/index.js';
import { DEFAULT_POLICY, selectPolicy, validatePolicy } from '../../../src/publish/smtp/index.js';

describe('mail policy', () => {
  const bpf = validatePolicy({ mode: 'author+list', delayMinutes: 60, maxPerHour: 10 });
  const netdev = validatePolicy({ mode: 'author' });
  const policies = { 'bpf@vger.kernel.org': bpf, 'netdev@vger.kernel.org': netdev };

  it('sends nothing unless a list opts in', () => {
    expect(DEFAULT_POLICY.mode).toBe('nobody');
    expect(selectPolicy(policies, { to: [{ address: 'linux-kernel@vger.kernel.org' }], cc: [], headers: {} })).toEqual({ list: null, policy: DEFAULT_POLICY });
    expect(selectPolicy(policies, null).policy.mode).toBe('nobody');
  });

  it('picks the list by List-Id or by To/Cc', () => {
    expect(selectPolicy(policies, { to: [], cc: [], headers: { 'list-id': '<bpf.vger.kernel.org>' } })).toEqual({ list: 'bpf@vger.kernel.org', policy: bpf });
    expect(selectPolicy(policies, { to: [{ address: 'A@x' }], cc: [{ address: 'NETDEV@vger.kernel.org' }], headers: {} }).list).toBe('netdev@vger.kernel.org');
  });

  it('rejects a policy it cannot follow, naming the field', () => {
    expect(() => validatePolicy({ mode: 'everyone' as never })).toThrow(ConfigError);
    expect(() => validatePolicy({ maxPerHour: -1 })).toThrow(/maxPerHour/);
    expect(() => validatePolicy({ delayMinutes: Number.NaN })).toThrow(/delayMinutes/);
  });
});

describe('validateSmtpSettings', () => {
  it('accepts host and port and names the field that is wrong', async () => {
    const { validateSmtpSettings } = await import('../../../src/publish/smtp/index.js');
    expect(validateSmtpSettings({ host: 'smtp.example.org', port: 587, requireTLS: true, auth: { user: 'u', pass: 'p' } })).toMatchObject({ host: 'smtp.example.org', port: 587 });
    expect(() => validateSmtpSettings({ host: 'x', port: 70000 })).toThrow(/smtp\.port/);
    expect(() => validateSmtpSettings({ host: '', port: 25 })).toThrow(/smtp\.host/);
    expect(() => validateSmtpSettings({ host: 'x', port: 25, auth: { user: 'u' } })).toThrow(/smtp\.auth/);
    expect(() => validateSmtpSettings(null)).toThrow(ConfigError);
  });
});
