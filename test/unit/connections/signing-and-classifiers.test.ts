import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { signToken, verifyToken } from '../../../src/connections/signing.js';
import { classifyQboAuthFailure, parseRealmId } from '../../../src/connectors/qbo/oauth.js';
import { toOAuthError } from '../../../src/connectors/shared/oauth.js';
import { classifyXeroAuthFailure } from '../../../src/connectors/xero/oauth.js';
import { generateKeyEntry } from '../../../src/lib/crypto.js';
import { AppError } from '../../../src/lib/errors.js';
import { jsonFixture } from '../../support/fixtures.js';

const config = { TOKEN_ENCRYPTION_KEYS: generateKeyEntry('k1'), STATE_SIGNING_KEY: undefined };
const Data = z.object({ firmId: z.string() });
const now = new Date('2026-12-03T10:00:00Z');
const later = new Date('2026-12-03T10:10:00Z');

describe('signed tokens', () => {
  it('verifies its own token and returns the data', () => {
    const t = signToken(config, 'state', { firmId: 'f1' }, later);
    expect(verifyToken(config, 'state', t, Data, now)).toEqual({ firmId: 'f1' });
  });

  it('refuses a token signed by another key, for another purpose, expired, or edited', () => {
    const t = signToken(config, 'state', { firmId: 'f1' }, later);
    const other = { TOKEN_ENCRYPTION_KEYS: generateKeyEntry('k2'), STATE_SIGNING_KEY: undefined };
    expect(() => verifyToken(other, 'state', t, Data, now)).toThrow(/signature/);
    expect(() => verifyToken(config, 'connect', t, Data, now)).toThrow(/signature/);
    expect(() => verifyToken(config, 'state', t, Data, later)).toThrow(/expired/);
    const [body, sig] = t.split('.');
    const edited = Buffer.from(Buffer.from(body!, 'base64url').toString().replace('f1', 'f2')).toString(
      'base64url',
    );
    expect(() => verifyToken(config, 'state', `${edited}.${sig}`, Data, now)).toThrow(AppError);
    expect(() => verifyToken(config, 'state', undefined, Data, now)).toThrow(/missing/);
  });

  it('uses STATE_SIGNING_KEY when it is set', () => {
    const a = { ...config, STATE_SIGNING_KEY: 'a-signing-key-of-some-length' };
    const t = signToken(a, 'connect', { firmId: 'f1' }, later);
    expect(() => verifyToken(config, 'connect', t, Data, now)).toThrow(/signature/);
    expect(verifyToken(a, 'connect', t, Data, now)).toEqual({ firmId: 'f1' });
  });
});

describe('auth failure classifiers', () => {
  it('treats the Xero tier refusal as tier_refused, not an expired token', () => {
    expect(
      classifyXeroAuthFailure(
        401,
        jsonFixture('xero', 'auth-401-authorization-unsuccessful.journals-tier.json'),
      ),
    ).toBe('tier_refused');
  });

  it('recognises Xero TokenExpired, a disconnected tenant and other answers', () => {
    expect(
      classifyXeroAuthFailure(401, {
        Title: 'Unauthorized',
        Status: 401,
        Detail: 'TokenExpired: token expired at 04/09/2023 05:16:59',
      }),
    ).toBe('token_expired');
    expect(
      classifyXeroAuthFailure(403, jsonFixture('xero', 'auth-403-authentication-unsuccessful.json')),
    ).toBe('tenant_disconnected');
    expect(classifyXeroAuthFailure(401, 'not json')).toBe('token_invalid');
    expect(classifyXeroAuthFailure(429, {})).toBe('not_auth');
  });

  it('reads the QBO 401 AUTHENTICATION fault as an invalid token', () => {
    expect(classifyQboAuthFailure(401, jsonFixture('qbo', 'fault-401-authentication-lowercase.json'))).toBe(
      'token_invalid',
    );
    expect(classifyQboAuthFailure(403, {})).toBe('forbidden');
    expect(classifyQboAuthFailure(400, {})).toBe('not_auth');
  });

  it('parses invalid_grant from both providers and keeps no raw body', () => {
    const x = toOAuthError('xero', 400, jsonFixture('xero', 'oauth-token-refresh.invalid-grant.400.json'));
    expect(x.needsReauth).toBe(true);
    expect(x.code).toBe('provider_auth_expired');
    const q = toOAuthError('qbo', 400, jsonFixture('qbo', 'oauth-invalid-grant.json'));
    expect(q.oauthError).toBe('invalid_grant');
    expect(q.message).toBe(
      'qbo token endpoint answered 400 invalid_grant: Incorrect or invalid refresh token',
    );
    const five = toOAuthError('xero', 503, { error: 'temporarily_unavailable' });
    expect(five.needsReauth).toBe(false);
    expect(five.retryable).toBe(true);
  });

  it('accepts only numeric realm ids', () => {
    expect(parseRealmId('9130349553457836')).toBe('9130349553457836');
    expect(parseRealmId('9130<script>')).toBeNull();
    expect(parseRealmId(undefined)).toBeNull();
  });
});
