import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/env.js';

describe('configuration', () => {
  it('defaults to the embedded database and port 3000', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.DATA_DIR).toBe('./.ledgerbridge');
    expect(c.QUEUE).toBe('postgres');
  });

  it('names every bad variable', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', QBO_ENVIRONMENT: 'staging' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const vars = (error as ConfigError).problems.map((p) => p.variable).sort();
    expect(vars).toEqual(['DATABASE_URL', 'PORT', 'QBO_ENVIRONMENT']);
    expect((error as Error).message).toMatch(/PORT:/);
  });

  it('requires SQS_QUEUE_URL with QUEUE=sqs', () => {
    expect(() => loadConfig({ QUEUE: 'sqs' })).toThrow(/SQS_QUEUE_URL/);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).PORT).toBe(3000);
  });

  it('checks TOKEN_ENCRYPTION_KEYS at start: kid:base64 of 32 bytes', () => {
    const good = `k1:${Buffer.alloc(32, 7).toString('base64')}`;
    expect(
      loadConfig({ TOKEN_ENCRYPTION_KEYS: `${good},k0:${Buffer.alloc(32, 1).toString('base64')}` })
        .TOKEN_ENCRYPTION_KEYS,
    ).toContain('k1:');
    expect(() => loadConfig({ TOKEN_ENCRYPTION_KEYS: 'garbage' })).toThrow(/TOKEN_ENCRYPTION_KEYS/);
    expect(() => loadConfig({ TOKEN_ENCRYPTION_KEYS: `k1:${Buffer.alloc(16).toString('base64')}` })).toThrow(
      /32-byte/,
    );
  });
});
