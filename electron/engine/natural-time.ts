// Natural times the person types ("2h", "tomorrow 9am", "monday", "2026-12-01 14:00"), read in their time zone.
import * as chrono from 'chrono-node';
import { ErrandError } from '../../shared/protocol/errors.js';

/** A day given without a time ("tomorrow", "monday") means this hour. */
export const DEFAULT_HOUR = 9;
const DAY_MS = 86_400_000;
const MAX_WHEN_CHARS = 200;
const EXAMPLES = '"2h", "30m", "tomorrow 9am", "monday", "tonight 2am" or "2026-12-01 14:00"';

export interface WhenOptions {
  now?: number;
  /** An IANA zone ("Europe/Berlin"); by default the engine's own. */
  timeZone?: string;
}

/** The moment `text` names, in the future; a clear error when it names none, or one that has passed. */
export function parseWhen(text: string, options: WhenOptions = {}): number {
  const now = options.now ?? Date.now();
  const timeZone = options.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const wanted = text.trim().replace(/^(?:at|on|in)\s+(?=\d|[a-z])/i, (m) => (/^in/i.test(m) ? m : ''));
  if (!wanted || wanted.length > MAX_WHEN_CHARS) throw unreadable(text);
  const at = parseAt(wanted, now, offsetMinutes(timeZone, now));
  // Across a daylight-saving change the zone's offset at that moment differs from now's: read it again with that one.
  const offsetThen = offsetMinutes(timeZone, at);
  const settled = offsetThen === offsetMinutes(timeZone, now) ? at : parseAt(wanted, now, offsetThen);
  if (settled <= now) {
    throw new ErrandError('invalid_params', `"${text}" is in the past (${formatWhen(settled, timeZone)}). Give a time still to come.`);
  }
  return settled;
}

function parseAt(wanted: string, now: number, offset: number): number {
  const [result] = chrono.parse(wanted, { instant: new Date(now), timezone: offset }, { forwardDate: true });
  if (!result || result.index !== 0 || result.text.length !== wanted.length) throw unreadable(wanted);
  const start = result.start;
  // A day without a time gets the default hour; words such as "evening" or "tonight" imply their own, which are kept.
  const defaultHour = !start.isCertain('hour') && start.get('meridiem') === null;
  let at = defaultHour
    ? Date.UTC(start.get('year')!, start.get('month')! - 1, start.get('day')!, DEFAULT_HOUR) - offset * 60_000
    : start.date().getTime();
  // "5pm" said at 6pm, or "tonight 2am" said after 2am, means the coming one: roll forward a day.
  const dayFromClock = !start.isCertain('day') && !start.isCertain('weekday');
  if (at <= now && (dayFromClock || start.tags().has('casualReference/tonight'))) at += DAY_MS;
  return at;
}

function unreadable(text: string): ErrandError {
  return new ErrandError('invalid_params', `Could not read "${text.slice(0, MAX_WHEN_CHARS)}" as a time. Try ${EXAMPLES}.`);
}

/** Minutes east of UTC of `timeZone` at `instant`. */
export function offsetMinutes(timeZone: string, instant: number): number {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    }).formatToParts(new Date(instant));
  } catch {
    throw new ErrandError('invalid_params', `"${timeZone}" is not a time zone this machine knows. Use an IANA name such as Europe/Berlin.`);
  }
  const part = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const asUtc = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  return Math.round((asUtc - Math.floor(instant / 1000) * 1000) / 60_000);
}

/** "Thu 3 Dec 09:00", in the person's zone. */
export function formatWhen(at: number, timeZone?: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  })
    .format(new Date(at))
    .replace(',', '');
}
