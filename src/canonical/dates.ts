import { z } from 'zod';

/** An accounting date: a calendar day, `YYYY-MM-DD`, never an instant. */
export const IsoDate = z.iso.date();
export type IsoDate = z.infer<typeof IsoDate>;

/** An instant, UTC, as ISO 8601 text. */
export const Instant = z.iso.datetime({ offset: true });
export type Instant = z.infer<typeof Instant>;

/** Days between two accounting dates (b − a), computed on the calendar, not on instants. */
export function daysBetween(a: IsoDate, b: IsoDate): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

export function addDays(d: IsoDate, days: number): IsoDate {
  const t = new Date(Date.parse(`${d}T00:00:00Z`) + days * 86_400_000);
  return t.toISOString().slice(0, 10);
}

/** The calendar day an instant falls on in an IANA time zone. */
export function dayInZone(instant: Date, timeZone: string): IsoDate {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(instant);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
