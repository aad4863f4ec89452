import { z } from 'zod';
import { dayInZone, Matter, type Money, TimeEntry, toDecimalString, toMinor } from '../../canonical/index.js';
import { err, ok, type Result } from '../../lib/result.js';
import type { CanonicalRecord, RecordError } from '../connector.js';

/**
 * Xero Projects API (projects.xro/2.0): projects (a contact, a status, an estimate), their tasks (a
 * rate and a charge type), and time entries (minutes, user, task, status). Projects become matters; a
 * time entry takes its contact from its project and its rate from its task. Its `dateUtc` is an instant:
 * the calendar day is read in the firm's zone.
 */
const Amount = z.looseObject({ currency: z.string().min(3), value: z.union([z.number(), z.string()]) });

export const XProject = z.looseObject({
  projectId: z.string().min(1),
  contactId: z.string().nullish(),
  name: z.string().min(1),
  currencyCode: z.string().nullish(),
  status: z.string().min(1),
  estimate: Amount.nullish(),
});
export type XProject = z.infer<typeof XProject>;

export const XTask = z.looseObject({
  taskId: z.string().min(1),
  name: z.string().min(1),
  rate: Amount.nullish(),
  chargeType: z.string().nullish(),
  status: z.string().nullish(),
});
export type XTask = z.infer<typeof XTask>;

export const XTimeEntry = z.looseObject({
  timeEntryId: z.string().min(1),
  userId: z.string().nullish(),
  projectId: z.string().min(1),
  taskId: z.string().nullish(),
  dateUtc: z.string().min(1),
  duration: z.number().int().min(0),
  description: z.string().nullish(),
  status: z.string().min(1),
});

function fail(
  entity: 'matters' | 'time_entries',
  id: string | null,
  e: z.ZodError,
  raw: unknown,
): RecordError {
  const i = e.issues[0];
  return {
    entity,
    externalId: id,
    field: i ? i.path.map(String).join('.') || null : null,
    message: i?.message ?? 'invalid',
    raw,
  };
}

export function mapProject(raw: unknown): Result<CanonicalRecord, RecordError> {
  const id = (raw as { projectId?: unknown } | null)?.projectId;
  const p = XProject.safeParse(raw);
  if (!p.success) return err(fail('matters', typeof id === 'string' ? id : null, p.error, raw));
  const x = p.data;
  let estimate: Money | null = null;
  if (x.estimate && Number(x.estimate.value) !== 0)
    estimate = { amountMinor: toMinor(x.estimate.value, x.estimate.currency), currency: x.estimate.currency };
  const s = x.status.toUpperCase();
  const data: Matter = {
    externalId: x.projectId,
    contactExternalId: x.contactId ?? null,
    name: x.name,
    status: s === 'CLOSED' ? 'closed' : s === 'DELETED' ? 'deleted' : 'open',
    estimate,
  };
  return ok({ kind: 'matter', data: Matter.parse(data), raw });
}

export function mapTimeEntry(
  raw: unknown,
  ctx: { project: XProject | undefined; tasks: ReadonlyMap<string, XTask>; timezone: string },
): Result<CanonicalRecord, RecordError> {
  const id = (raw as { timeEntryId?: unknown } | null)?.timeEntryId;
  const p = XTimeEntry.safeParse(raw);
  if (!p.success) return err(fail('time_entries', typeof id === 'string' ? id : null, p.error, raw));
  const x = p.data;
  const at = Date.parse(/(Z|[+-]\d{2}:?\d{2})$/.test(x.dateUtc) ? x.dateUtc : `${x.dateUtc}Z`);
  if (Number.isNaN(at))
    return err({
      entity: 'time_entries',
      externalId: x.timeEntryId,
      field: 'dateUtc',
      message: 'not a timestamp',
      raw,
    });
  const task = x.taskId ? ctx.tasks.get(x.taskId) : undefined;
  const charge = (task?.chargeType ?? 'TIME').toUpperCase();
  const status = x.status.toLowerCase();
  const data: TimeEntry = {
    externalId: x.timeEntryId,
    date: dayInZone(new Date(at), ctx.timezone),
    durationMinutes: x.duration,
    contactExternalId: ctx.project?.contactId ?? null,
    matterExternalId: x.projectId,
    userExternalId: x.userId ?? null,
    userName: null,
    taskExternalId: x.taskId ?? null,
    taskName: task?.name ?? null,
    description: x.description ?? null,
    hourlyRate: charge === 'TIME' && task?.rate ? toDecimalString(task.rate.value) : null,
    rateCurrency: charge === 'TIME' && task?.rate ? task.rate.currency : null,
    billableStatus:
      status === 'invoiced' ? 'billed' : charge === 'NON_CHARGEABLE' ? 'not_billable' : 'billable',
    status,
  };
  return ok({ kind: 'time_entry', data: TimeEntry.parse(data), raw });
}
