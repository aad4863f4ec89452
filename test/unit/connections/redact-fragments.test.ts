import { describe, expect, it } from 'vitest';
import { redactText, redactValue, registerSecret } from '../../../src/lib/redact.js';

describe('redaction of echoed token fragments', () => {
  const refresh = 'RT1-39-H3-1785429816rcysb9dns1ofreknypnm';
  const access = 'AB01601390262kxzxOlnHYdhtEVRXISU7piPqQrCmmbDN35Yjd';
  registerSecret(refresh);
  registerSecret(access);

  it('masks a middle part of a registered token that a provider echoes', () => {
    const out = redactText(`Token expired: ${access.slice(5, 30)} (request 8a2f)`);
    expect(out).toBe('Token expired: [redacted] (request 8a2f)');
  });

  it('masks a fragment glued to other characters', () => {
    const out = redactText(`invalid refresh_token hint=xx${refresh.slice(12, 26)}zz`);
    expect(out).not.toContain(refresh.slice(12, 26));
  });

  it('leaves ordinary text and short words alone', () => {
    expect(redactText('grant refreshed for connection 7cb59f93 in 120 ms')).toBe(
      'grant refreshed for connection 7cb59f93 in 120 ms',
    );
  });

  it('masks fragments inside nested values', () => {
    const v = redactValue({ body: { detail: `bad token …${access.slice(-14)}` } }) as {
      body: { detail: string };
    };
    expect(v.body.detail).not.toContain(access.slice(-14));
  });
});
