import { describe, expect, it } from 'vitest';
import { formatWhen, offsetMinutes, parseWhen } from '../../../electron/engine/natural-time.js';

// Wednesday 2 December 2026, 02:41 in Berlin (UTC+1).
const now = Date.UTC(2026, 11, 2, 1, 41);
const berlin = (text: string) => formatWhen(parseWhen(text, { now, timeZone: 'Europe/Berlin' }), 'Europe/Berlin');

describe('parseWhen', () => {
  it.each([
    ['2h', 'Wed 2 Dec 04:41'],
    ['30m', 'Wed 2 Dec 03:11'],
    ['in 2 hours', 'Wed 2 Dec 04:41'],
    ['tomorrow 9am', 'Thu 3 Dec 09:00'],
    ['tomorrow', 'Thu 3 Dec 09:00'],
    ['monday', 'Mon 7 Dec 09:00'],
    ['on friday', 'Fri 4 Dec 09:00'],
    ['this evening', 'Wed 2 Dec 20:00'],
    ['at 5pm', 'Wed 2 Dec 17:00'],
    ['tonight 2am', 'Thu 3 Dec 02:00'],
    ['2026-12-09 14:00', 'Wed 9 Dec 14:00'],
  ])('reads %s as %s, in the person’s zone', (text, expected) => {
    expect(berlin(text)).toBe(expected);
  });

  it('uses the offset of the moment named, across a daylight-saving change', () => {
    expect(formatWhen(parseWhen('2027-07-01 12:00', { now, timeZone: 'Europe/Berlin' }), 'UTC')).toBe('Thu 1 Jul 10:00');
    expect(formatWhen(parseWhen('2027-01-04 12:00', { now, timeZone: 'Europe/Berlin' }), 'UTC')).toBe('Mon 4 Jan 11:00');
  });

  it.each(['garbage', 'tomorrow garbage', 'feb 30', '', ' ', 'x'.repeat(300)])('refuses %j with examples', (text) => {
    expect(() => parseWhen(text, { now, timeZone: 'Europe/Berlin' })).toThrow(/Could not read .* as a time\. Try "2h"/);
  });

  it('refuses a time that has passed, saying when it was', () => {
    expect(() => parseWhen('2026-12-01 14:00', { now, timeZone: 'Europe/Berlin' })).toThrow(
      '"2026-12-01 14:00" is in the past (Tue 1 Dec 14:00). Give a time still to come.',
    );
  });

  it('refuses an unknown time zone', () => {
    expect(() => parseWhen('2h', { now, timeZone: 'Mars/Olympus' })).toThrow(/not a time zone/);
  });

  it('knows zone offsets', () => {
    expect(offsetMinutes('Europe/Berlin', now)).toBe(60);
    expect(offsetMinutes('America/New_York', now)).toBe(-300);
    expect(offsetMinutes('Asia/Kolkata', now)).toBe(330);
  });
});
