import { describe, expect, it } from 'vitest';
import { formatWhen } from '../../../../electron/engine/natural-time.js';
import { nextOccurrence, toCron } from '../../../../electron/engine/schedules/recurrence.js';

// Wednesday 2 December 2026, 02:41 in Berlin (UTC+1).
const now = Date.UTC(2026, 11, 2, 1, 41);

describe('toCron', () => {
  it.each([
    ['every weekday 9:00', '0 9 * * 1-5'],
    ['every weekday at 9:00', '0 9 * * 1-5'],
    ['Every  Weekdays 9am', '0 9 * * 1-5'],
    ['every day 18:30', '30 18 * * *'],
    ['every day at 6:30pm', '30 18 * * *'],
    ['every day', '0 9 * * *'],
    ['daily 7:45', '45 7 * * *'],
    ['hourly', '0 * * * *'],
    ['every weekend 10am', '0 10 * * 0,6'],
    ['every monday 8am', '0 8 * * 1'],
    ['every mondays 8am', '0 8 * * 1'],
    ['every tuesday and thursday 14:15', '15 14 * * 2,4'],
    ['every fri, mon noon', '0 12 * * 1,5'],
    ['every day midnight', '0 0 * * *'],
    ['every day 0', '0 0 * * *'],
    ['every day 18', '0 18 * * *'],
    ['every 2h', '0 */2 * * *'],
    ['every hour', '0 * * * *'],
    ['every 6 hours', '0 */6 * * *'],
    ['every 15m', '*/15 * * * *'],
    ['every 30 minutes', '*/30 * * * *'],
    ['0 9 * * 1-5', '0 9 * * 1-5'],
    ['*/10  * * * *', '*/10 * * * *'],
  ])('reads %j as %j', (when, cron) => {
    expect(toCron(when)).toBe(cron);
  });

  it.each([
    ['every day 25:00', /not a time of day/],
    ['every day 9:75', /not a time of day/],
    ['every day 13pm', /not a time of day/],
    ['every day 9:5', /not a time of day/],
  ])('refuses the impossible time %j', (when, message) => {
    expect(() => toCron(when)).toThrow(message);
  });

  it('refuses an hour that could be morning or evening, and says what to write', () => {
    expect(() => toCron('every day 7')).toThrow(/could be morning or evening\. Say "7am" or "7pm" \(or "07:00", "19:00"\)/);
  });

  it.each([
    ['every 5h', /does not divide the day evenly.*every 1h, 2h, 3h, 4h, 6h, 8h, 12h/],
    ['every 90m', /does not divide the hour evenly/],
    ['every 24h', /does not divide the day/],
    ['every someday 9am', /Could not read/],
    ['every', /not a recurring time/],
    ['tomorrow 9am', /not a recurring time.*--at/],
    ['', /Could not read/],
    ['0 0 30 2 *', /never comes/],
    ['0 0 9 * * 1-5', /six fields|has 6 fields/],
    ['99 * * * *', /not a cron expression/],
  ])('refuses %j with what to write instead', (when, message) => {
    expect(() => toCron(when)).toThrow(message);
  });
});

describe('nextOccurrence', () => {
  it('comes in the person’s zone', () => {
    const next = nextOccurrence('0 9 * * 1-5', 'Europe/Berlin', now)!;
    expect(formatWhen(next, 'Europe/Berlin')).toBe('Wed 2 Dec 09:00');
    expect(formatWhen(nextOccurrence('0 9 * * 1-5', 'Europe/Berlin', next)!, 'Europe/Berlin')).toBe('Thu 3 Dec 09:00');
    expect(formatWhen(nextOccurrence('0 9 * * 1-5', 'America/New_York', now)!, 'America/New_York')).toBe('Wed 2 Dec 09:00');
  });

  it('skips the weekend', () => {
    const friday = Date.UTC(2026, 11, 4, 9, 0);
    expect(formatWhen(nextOccurrence('0 9 * * 1-5', 'UTC', friday)!, 'UTC')).toBe('Mon 7 Dec 09:00');
  });
});
