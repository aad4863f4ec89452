import type { IsoDate } from '../../canonical/index.js';
import { MS_DATE } from './wire.js';

/**
 * Xero's dates. `/Date(1539993600000+0000)/` is milliseconds since the epoch (UTC) plus the offset the
 * value was written in; for an accounting date the calendar day is read in that offset, so
 * `/Date(1419937200000+1300)/` is 2014-12-31 (2014-12-30T11:00Z seen at +13:00). Nothing here uses the
 * server's zone: every calendar computation is done on UTC fields after shifting by the stated offset.
 * `DateString` (`2018-10-20T00:00:00`) is already the calendar day and wins when present.
 */

function offsetMinutes(sign: string | undefined): number {
  if (!sign) return 0;
  const m = /^([+-])(\d{2})(\d{2})$/.exec(sign);
  if (!m) return 0;
  const mins = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -mins : mins;
}

/** The calendar day of a Xero date value (MS JSON or ISO text). Throws on anything else. */
export function xeroCalendarDate(value: string): IsoDate {
  const ms = MS_DATE.exec(value);
  if (ms) {
    const shifted = Number(ms[1]) + offsetMinutes(ms[2]) * 60_000;
    return new Date(shifted).toISOString().slice(0, 10);
  }
  const iso = /^(\d{4}-\d{2}-\d{2})/.exec(value);
  if (iso?.[1]) return iso[1];
  throw new Error(`"${value}" is not a Xero date`);
}

/** An accounting date from a document: `DateString` when given, else the `/Date(…)/` value. */
export function xeroDocDate(dateString: string | null | undefined, date: string): IsoDate {
  if (dateString && /^\d{4}-\d{2}-\d{2}/.test(dateString)) return dateString.slice(0, 10);
  return xeroCalendarDate(date);
}

/**
 * An instant (UpdatedDateUTC): the milliseconds are UTC whatever the offset says. ISO text without an
 * offset is UTC too (Xero's webhook `eventDateUtc`, connection `updatedDateUtc`).
 */
export function xeroInstant(value: string): Date {
  const ms = MS_DATE.exec(value);
  if (ms) return new Date(Number(ms[1]));
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(value);
  const t = Date.parse(hasZone ? value : `${value}Z`);
  if (Number.isNaN(t)) throw new Error(`"${value}" is not a Xero timestamp`);
  return new Date(t);
}

/** A calendar day as Xero's `/Date(ms+0000)/` (for replayed payloads and pushes). */
export function toXeroMsDate(day: IsoDate): string {
  return `/Date(${Date.parse(`${day}T00:00:00Z`)}+0000)/`;
}
