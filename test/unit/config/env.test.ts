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
});
