import { describe, expect, it } from 'vitest';
import { xeroCalendarDate, xeroDocDate, xeroInstant } from '../../../src/connectors/xero/dates.js';

// These must hold whatever the server's zone: run with TZ=UTC, America/Los_Angeles, Pacific/Auckland.
describe('Xero dates', () => {
  it('reads /Date(1539993600000+0000)/ as the calendar day 2018-10-20', () => {
    expect(xeroCalendarDate('/Date(1539993600000+0000)/')).toBe('2018-10-20');
  });

  it('reads /Date(1419937200000+1300)/ as 2014-12-31 (the day in the stated offset)', () => {
    expect(xeroCalendarDate('/Date(1419937200000+1300)/')).toBe('2014-12-31');
  });

  it('reads a negative offset and a value without offset', () => {
    // 2014-12-31T03:00Z at -0500 is still 2014-12-30 there
    expect(xeroCalendarDate('/Date(1419994800000-0500)/')).toBe('2014-12-30');
    expect(xeroCalendarDate('/Date(1539993600000)/')).toBe('2018-10-20');
  });

  it('prefers DateString, which is already the calendar day', () => {
    expect(xeroDocDate('2018-10-20T00:00:00', '/Date(1539993600000+0000)/')).toBe('2018-10-20');
    expect(xeroDocDate(null, '/Date(1419937200000+1300)/')).toBe('2014-12-31');
  });

  it('treats UpdatedDateUTC milliseconds as UTC and offset-less ISO timestamps as UTC', () => {
    expect(xeroInstant('/Date(1541176290160+0000)/').toISOString()).toBe('2018-11-02T16:31:30.160Z');
    expect(xeroInstant('/Date(1419937200000+1300)/').toISOString()).toBe('2014-12-30T11:00:00.000Z');
    expect(xeroInstant('2019-03-05T18:59:06').toISOString()).toBe('2019-03-05T18:59:06.000Z');
  });

  it('refuses what is not a Xero date', () => {
    expect(() => xeroCalendarDate('yesterday')).toThrow(/not a Xero date/);
  });
});
