import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/lib/errors.js';
import { backoffSeconds, validateJob, validateLease } from '../../../src/queue/validate.js';

const fieldsOf = (fn: () => void): string[] => {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return (e.fields ?? []).map((f) => f.path);
    throw e;
  }
  return [];
};

describe('job validation', () => {
  it('accepts a well-formed job', () => {
    expect(
      fieldsOf(() => validateJob({ type: 'webhook.process', payload: { id: 'evt_1' }, delaySeconds: 900 })),
    ).toEqual([]);
  });

  it('names every bad field of a job at once', () => {
    const bad = {
      type: 'has space',
      payload: [] as unknown as Record<string, unknown>,
      delaySeconds: 1.5,
      key: '',
      groupId: 'g'.repeat(129),
    };
    expect(fieldsOf(() => validateJob(bad))).toEqual(['type', 'payload', 'delaySeconds', 'key', 'groupId']);
  });

  it('refuses any delay on a queue that holds none (SQS FIFO)', () => {
    expect(fieldsOf(() => validateJob({ type: 'a', payload: {}, delaySeconds: 1 }, 0))).toEqual([
      'delaySeconds',
    ]);
    expect(fieldsOf(() => validateJob({ type: 'a', payload: {}, delaySeconds: 0 }, 0))).toEqual([]);
  });

  it('bounds a receive to the batch size and a lease to 12 hours', () => {
    expect(fieldsOf(() => validateLease(11, 30, 10))).toEqual(['max']);
    expect(fieldsOf(() => validateLease(10, 43_201, 10))).toEqual(['visibilitySeconds']);
    expect(fieldsOf(() => validateLease(1, 0, 10))).toEqual([]);
  });
});

describe('backoff', () => {
  it('doubles from 5 s per attempt and caps at 900 s', () => {
    const none = () => 0;
    expect([1, 2, 3, 4, 5, 8, 20].map((a) => backoffSeconds(a, none))).toEqual([5, 10, 20, 40, 80, 640, 900]);
  });

  it('adds at most 20 % jitter and never exceeds 900 s', () => {
    expect(backoffSeconds(1, () => 1)).toBe(6);
    expect(backoffSeconds(4, () => 0.5)).toBe(44);
    expect(backoffSeconds(9, () => 1)).toBe(900);
  });
});
