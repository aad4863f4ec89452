import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../../../src/lib/errors.js';
import { type JobContext, JobHandlerRegistry } from '../../../src/worker/handlers.js';

const ctx = {} as JobContext;

describe('job handler registry', () => {
  it('passes the parsed payload to the handler registered for the type', async () => {
    const registry = new JobHandlerRegistry();
    const seen: { amountMinor: number }[] = [];
    registry.register(
      'payments.apply',
      async (p) => {
        seen.push(p);
      },
      { schema: z.object({ amountMinor: z.number().int() }) },
    );
    await registry.get('payments.apply')?.run({ amountMinor: 1250 }, ctx);
    expect(seen).toEqual([{ amountMinor: 1250 }]);
    expect(registry.types()).toEqual(['payments.apply']);
  });

  it('refuses a payload that fails the schema with validation_failed naming the field', async () => {
    const registry = new JobHandlerRegistry();
    registry.register('payments.apply', async () => {}, {
      schema: z.object({ amountMinor: z.number().int() }),
    });
    const err = await registry
      .get('payments.apply')
      ?.run({ amountMinor: 12.5 }, ctx)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('validation_failed');
    expect((err as AppError).retryable).toBe(false);
    expect((err as AppError).fields?.map((f) => f.path)).toEqual(['amountMinor']);
  });

  it('refuses a second handler for the same type', () => {
    const registry = new JobHandlerRegistry();
    registry.register('sync.connection', async () => {});
    expect(() => registry.register('sync.connection', async () => {})).toThrow('already registered');
    expect(registry.get('nothing')).toBeUndefined();
  });
});
