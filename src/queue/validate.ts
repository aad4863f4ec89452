import { AppError } from '../lib/errors.js';
import { type JobInput, MAX_DELAY_SECONDS } from './port.js';

/** Checks a job before any adapter stores it, so both adapters refuse the same input the same way. */
export function validateJob(job: JobInput, maxDelaySeconds = MAX_DELAY_SECONDS): void {
  const fields: { path: string; message: string }[] = [];
  if (typeof job.type !== 'string' || !/^[a-z][a-z0-9_.:-]{0,99}$/i.test(job.type)) {
    fields.push({ path: 'type', message: 'a handler name of letters, digits and . _ : - (max 100)' });
  }
  if (job.payload === null || typeof job.payload !== 'object' || Array.isArray(job.payload)) {
    fields.push({ path: 'payload', message: 'must be an object' });
  }
  if (job.delaySeconds !== undefined) {
    const d = job.delaySeconds;
    if (!Number.isInteger(d) || d < 0 || d > maxDelaySeconds) {
      fields.push({
        path: 'delaySeconds',
        message: `whole seconds from 0 to ${maxDelaySeconds} on this queue; use sendAt for longer waits`,
      });
    }
  }
  if (job.key !== undefined && (job.key.length < 1 || job.key.length > 128)) {
    fields.push({ path: 'key', message: '1 to 128 characters' });
  }
  if (job.groupId !== undefined && (job.groupId.length < 1 || job.groupId.length > 128)) {
    fields.push({ path: 'groupId', message: '1 to 128 characters' });
  }
  if (fields.length > 0) throw new AppError('validation_failed', 'invalid job', { fields });
}

export function validateLease(max: number, visibilitySeconds: number, maxBatch: number): void {
  const fields: { path: string; message: string }[] = [];
  if (!Number.isInteger(max) || max < 1 || max > maxBatch) {
    fields.push({ path: 'max', message: `1 to ${maxBatch}` });
  }
  if (!Number.isInteger(visibilitySeconds) || visibilitySeconds < 0 || visibilitySeconds > 43_200) {
    fields.push({ path: 'visibilitySeconds', message: 'whole seconds from 0 to 43200' });
  }
  if (fields.length > 0) throw new AppError('validation_failed', 'invalid receive', { fields });
}

/** Exponential backoff in whole seconds: 5, 10, 20, … capped at 900, with up to 20 % jitter. */
export function backoffSeconds(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_DELAY_SECONDS, 5 * 2 ** Math.max(0, attempt - 1));
  return Math.min(MAX_DELAY_SECONDS, Math.round(base * (1 + 0.2 * random())));
}
