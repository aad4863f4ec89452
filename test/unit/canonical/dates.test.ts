import { describe, expect, it } from 'vitest';
import { addDays, dayInZone, daysBetween } from '../../../src/canonical/dates.js';

describe('accounting dates', () => {
  it('counts calendar days whatever the server zone', () => {
    expect(daysBetween('2026-03-01', '2026-03-31')).toBe(30);
    expect(daysBetween('2026-03-31', '2026-03-01')).toBe(-30);
    expect(addDays('2026-02-27', 2)).toBe('2026-03-01');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
  });

  it('finds the calendar day of an instant in a firm time zone', () => {
    const instant = new Date('2026-07-01T03:30:00Z');
    expect(dayInZone(instant, 'America/Los_Angeles')).toBe('2026-06-30');
    expect(dayInZone(instant, 'Pacific/Auckland')).toBe('2026-07-01');
    expect(dayInZone(instant, 'UTC')).toBe('2026-07-01');
  });
});
