// The recurring times a person types ("every weekday 9:00", "every 2h") as cron, and the occurrences of either in
// their zone (croner). Anything that is not clearly one time of day is refused with what to write instead.
import { Cron } from 'croner';
import { ErrandError } from '../../../shared/protocol/errors.js';
import { DEFAULT_HOUR } from '../natural-time.js';

const MAX_WHEN_CHARS = 200;
const EXAMPLES = '"every weekday 9:00", "every day 18:30", "every monday 8am", "every 2h", or a cron expression such as "0 9 * * 1-5"';
const WEEKDAYS: Record<string, number> = {
  sunday: 0, sun: 0, monday: 1, mon: 1, tuesday: 2, tue: 2, tues: 2, wednesday: 3, wed: 3,
  thursday: 4, thu: 4, thur: 4, thurs: 4, friday: 5, fri: 5, saturday: 6, sat: 6,
};
const DAY_SETS: Record<string, string> = { day: '*', weekday: '1-5', weekend: '0,6' };
const CRON_FIELD = /^[0-9*/,\-A-Za-z?#]+$/;
const TIME_AT_END = /(?:^|\s)(?:at\s+)?(noon|midnight|\d{1,2}(?::\d{1,2})?\s?(?:am|pm)?)$/;

/** `when` as a five-field cron expression (minute hour day-of-month month day-of-week). */
export function toCron(when: string): string {
  const spec = when
    .trim()
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/^(?:daily|hourly)\b/, (word) => (word === 'daily' ? 'every day' : 'every hour'));
  if (!spec || spec.length > MAX_WHEN_CHARS) throw unreadable(when);
  const fields = spec.split(' ');
  if (!spec.startsWith('every') && fields.length >= 5 && fields.every((f) => CRON_FIELD.test(f))) return checkedCron(when.trim());
  const every = /^every (.+)$/.exec(spec);
  if (!every) {
    throw new ErrandError(
      'invalid_params',
      `"${when.slice(0, MAX_WHEN_CHARS)}" is not a recurring time. Try ${EXAMPLES}. For one time, errand add "<prompt>" --at "<when>" files the task once.`,
    );
  }
  return interval(every[1]!, when) ?? daysAndTime(every[1]!, when);
}

/** "2h", "hour", "30 minutes": only steps that divide the hour or the day, so every gap is the same. */
function interval(rest: string, when: string): string | null {
  const m = /^(\d+)? ?(m|mins?|minutes?|h|hrs?|hours?)$/.exec(rest);
  if (!m) return null;
  const n = m[1] === undefined ? 1 : Number(m[1]);
  const hours = m[2]!.startsWith('h');
  const whole = hours ? 24 : 60;
  if (n >= whole || n === 0 || whole % n !== 0) {
    const near = divisors(whole).filter((d) => d < whole);
    const unit = hours ? 'h' : 'm';
    throw new ErrandError(
      'invalid_params',
      `"${when}" does not divide the ${hours ? 'day' : 'hour'} evenly, so its gaps would differ. Use every ${near.map((d) => `${d}${unit}`).join(', ')}` +
        `${hours ? ', "every day 9:00"' : ', or hours'}, or a cron expression.`,
    );
  }
  if (hours) return n === 1 ? '0 * * * *' : `0 */${n} * * *`;
  return n === 1 ? '* * * * *' : `*/${n} * * * *`;
}

function daysAndTime(rest: string, when: string): string {
  const time = TIME_AT_END.exec(rest);
  const daysText = (time ? rest.slice(0, time.index) : rest).trim();
  const [hour, minute] = time ? timeOfDay(time[1]!.replace(/\s/g, ''), when) : [DEFAULT_HOUR, 0];
  return `${minute} ${hour} * * ${dayField(daysText, when)}`;
}

function dayField(text: string, when: string): string {
  const singular = text.replace(/s$/, '');
  if (DAY_SETS[singular]) return DAY_SETS[singular]!;
  const names = text.split(/\s*(?:,|\band\b|\s)\s*/).filter(Boolean);
  const days = names.map((name) => WEEKDAYS[name.replace(/s$/, '')] ?? WEEKDAYS[name]);
  if (names.length === 0 || days.some((d) => d === undefined)) throw unreadable(when);
  return [...new Set(days as number[])].sort((a, b) => a - b).join(',');
}

/** [hour, minute] of "9:00", "18:30", "8am", "noon"; a bare 1–12 could be morning or evening, so it is refused. */
function timeOfDay(text: string, when: string): [number, number] {
  if (text === 'noon') return [12, 0];
  if (text === 'midnight') return [0, 0];
  const m = /^(\d{1,2})(?::(\d{1,2}))?(am|pm)?$/.exec(text)!;
  const hour = Number(m[1]);
  const minute = m[2] === undefined ? 0 : Number(m[2]);
  const meridiem = m[3];
  const impossible = () =>
    new ErrandError('invalid_params', `"${text}" in "${when}" is not a time of day: hours go 0–23 (or 1–12 with am/pm), minutes 0–59.`);
  if (minute > 59 || (m[2] !== undefined && m[2].length !== 2)) throw impossible();
  if (meridiem) {
    if (hour < 1 || hour > 12) throw impossible();
    return [(hour % 12) + (meridiem === 'pm' ? 12 : 0), minute];
  }
  if (hour > 23) throw impossible();
  if (m[2] === undefined && hour >= 1 && hour <= 12) {
    throw new ErrandError(
      'invalid_params',
      `"${text}" in "${when}" could be morning or evening. Say "${hour}am" or "${hour}pm" (or "${String(hour).padStart(2, '0')}:00", "${hour + 12}:00").`,
    );
  }
  return [hour, minute];
}

function checkedCron(expression: string): string {
  const fields = expression.split(/\s+/);
  if (fields.length !== 5) {
    throw new ErrandError('invalid_params', `"${expression}" has ${fields.length} fields; a schedule takes five: minute hour day-of-month month day-of-week.`);
  }
  let next: Date | null;
  try {
    next = new Cron(expression, { timezone: 'UTC' }).nextRun();
  } catch (error) {
    throw new ErrandError('invalid_params', `"${expression}" is not a cron expression croner reads (${(error as Error).message}). Try ${EXAMPLES}.`);
  }
  if (!next) throw new ErrandError('invalid_params', `"${expression}" never comes (no such date). Try ${EXAMPLES}.`);
  return fields.join(' ');
}

/** The first occurrence of `cron` after `after`, in `timeZone`; null if it never comes again. */
export function nextOccurrence(cron: string, timeZone: string, after: number): number | null {
  return new Cron(cron, { timezone: timeZone }).nextRun(new Date(after))?.getTime() ?? null;
}

function divisors(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1).filter((d) => n % d === 0);
}

function unreadable(when: string): ErrandError {
  return new ErrandError('invalid_params', `Could not read "${when.slice(0, MAX_WHEN_CHARS)}" as a recurring time. Try ${EXAMPLES}.`);
}
