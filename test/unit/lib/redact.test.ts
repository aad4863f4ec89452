import { describe, expect, it } from 'vitest';
import { redactText, redactValue, registerSecret } from '../../../src/lib/redact.js';

describe('redaction', () => {
  it('masks bearer tokens, Stripe keys, our API keys and secret query parameters', () => {
    const out = redactText(
      'Authorization: Bearer abcdefghijklmnop123 key sk_test_51Habcdef rk_live_9x8y7z6w lb_abcdefghijklmnopqrstuvwx https://x/cb?code=SECRET123&state=zzz',
    );
    expect(out).not.toMatch(
      /abcdefghijklmnop123|sk_test_51Habcdef|rk_live_9x8y7z6w|lb_abcdefghijklmnopqrstuvwx|SECRET123/,
    );
    expect(out).toContain('Bearer [redacted]');
  });

  it('masks a registered secret and echoed fragments of it', () => {
    const token = 'eyQWERTYUIOPASDFGHJKLZXCVBNM1234567890qwertyuiop';
    registerSecret(token);
    expect(redactText(`token=${token}`)).not.toContain(token);
    expect(redactText(`detail: ...${token.slice(-14)}`)).not.toContain(token.slice(-12));
  });

  it('masks secret-named keys in objects', () => {
    expect(redactValue({ access_token: 'x', nested: { refresh_token: 'y', ok: 1 } })).toEqual({
      access_token: '[redacted]',
      nested: { refresh_token: '[redacted]', ok: 1 },
    });
  });
});
