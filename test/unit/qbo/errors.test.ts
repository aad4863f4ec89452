import { describe, expect, it } from 'vitest';
import { parseFaults, qboError } from '../../../src/connectors/qbo/errors.js';
import { jsonFixture, readFixture } from '../../support/fixtures.js';

const now = Date.parse('2026-12-03T10:00:00Z');

describe('QBO fault classification', () => {
  it('reads the lower-case 401 body as provider_auth_expired without its token-echoing detail', () => {
    const body = readFixture('qbo', 'fault-401-authentication-lowercase.json');
    expect(parseFaults(body).faults.map((f) => f.code)).toEqual(['3200']);
    const e = qboError('query Invoice', { status: 401, headers: {}, body: JSON.parse(body) }, now);
    expect(e.code).toBe('provider_auth_expired');
    expect(e.retryable).toBe(false);
    expect(e.message).toBe(
      'QBO query Invoice failed (HTTP 401, fault 3200 message=AuthenticationFailed; errorCode=003200; statusCode=401)',
    );
    expect(e.message).not.toContain('AB0160');
    expect(e.cause).toBeUndefined();
  });

  it('reads an XML ThrottleExceeded as provider_rate_limited with a default wait', () => {
    const { body } = jsonFixture<{ body: string }>('qbo', 'fault-3001-throttle-exceeded-xml.json');
    const e = qboError('cdc', { status: 429, headers: {}, body }, now);
    expect(e).toMatchObject({ code: 'provider_rate_limited', retryable: true, retryAfterMs: 60_000 });
    expect(e.details).toMatchObject({ faultCodes: ['3001'], faultType: 'SERVICE' });
  });

  it('classifies by code, not by message text', () => {
    const cases: [number, string, string][] = [
      [400, '6240', 'provider_duplicate'],
      [400, '6140', 'provider_duplicate'],
      [400, '5010', 'provider_conflict'],
      [400, '2010', 'provider_validation'],
      [400, '610', 'not_found'],
      [403, '3100', 'provider_forbidden'],
      [500, '10000', 'provider_unavailable'],
      // a misleading message does not change the class
      [400, '2020', 'provider_validation'],
    ];
    for (const [status, code, expected] of cases) {
      const body = {
        Fault: {
          Error: [{ Message: 'ThrottleExceeded AuthenticationFailed', Detail: 'x', code }],
          type: 'ValidationFault',
        },
      };
      expect(qboError('op', { status, headers: {}, body }, now).code).toBe(expected);
    }
    expect(
      qboError(
        'op',
        { status: 200, headers: {}, body: jsonFixture('qbo', 'fault-6240-duplicate-name.json') },
        now,
      ).code,
    ).toBe('provider_duplicate');
    expect(
      qboError(
        'op',
        { status: 400, headers: {}, body: jsonFixture('qbo', 'fault-2010-unsupported-property.json') },
        now,
      ).code,
    ).toBe('provider_validation');
    expect(qboError('op', { status: null, headers: {}, body: null }, now)).toMatchObject({
      code: 'provider_error',
      retryable: true,
    });
  });
});
