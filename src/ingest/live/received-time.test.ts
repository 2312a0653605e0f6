import { describe, expect, it } from 'vitest';
import { headerFields, messageIdOf, parseMailDate, receivedTime } from './received-time.js';

const msg = (headers: string[], body = 'hello\n'): Buffer => Buffer.from(`${headers.join('\n')}\n\n${body}`);

describe('receivedTime (public-inbox MsgTime rules)', () => {
  it('takes the top-most Received: header that has a date, not the Date: header', () => {
    const m = msg([
      'Received: from a.example (a.example [192.0.2.1])\n\tby b.example (Postfix) with ESMTPS id 1\n\tfor <x@example.org>; Thu, 14 Aug 2025 16:04:55 +0200 (CEST)',
      'Received: from c.example by d.example; Thu, 14 Aug 2025 13:57:21 +0000',
      'Date: Mon, 11 Aug 2025 10:00:00 +0000',
    ]);
    expect(receivedTime(m)).toBe(Date.UTC(2025, 7, 14, 14, 4, 55) / 1000);
  });

  it('skips Received: headers without a date and falls back to Date:', () => {
    expect(receivedTime(msg(['Received: by local.example (no date here)', 'Date: Sat, 21 Aug 2021 02:58:32 -0700']))).toBe(Date.UTC(2021, 7, 21, 9, 58, 32) / 1000);
    expect(receivedTime(msg(['Subject: no dates']))).toBeNull();
  });

  it('reads dates as RFC 5322 writes them: offsets, two-digit years, no weekday', () => {
    expect(parseMailDate('1 Jan 70 00:00:01 +0000')).toBe(1);
    expect(parseMailDate('Thu, 1 Jan 2004 01:30:00 +0130')).toBe(Date.UTC(2004, 0, 1) / 1000);
    expect(parseMailDate('not a date')).toBeNull();
  });

  it('reads CRLF headers, folded lines, and the Message-ID without brackets', () => {
    const m = Buffer.from('Message-ID:\r\n <abc@example.org>\r\nSubject: x\r\n\r\nMessage-ID: <body@example.org>\r\n');
    expect(messageIdOf(m)).toBe('abc@example.org');
    expect(headerFields(m)).toEqual([
      ['message-id', '<abc@example.org>'],
      ['subject', 'x'],
    ]);
  });
});
