// The digest: set times of day ("9:00,13:00,17:00", in the person's zone) when what did not interrupt is delivered.
// Stored as a setting; the next time is a persisted timer, so a digest missed while the engine was down comes once.
import { Cron } from 'croner';
import { ErrandError } from '../../../shared/protocol/errors.js';
import type { DigestSetting } from '../../../shared/protocol/methods.js';
import { formatWhen, offsetMinutes } from '../natural-time.js';
import type { SettingsStore } from '../store/settings-store.js';
import type { Timers } from '../timers.js';

const SETTING = 'digest';
export const DIGEST_TIMER = 'digest';
const DIGEST_KEY = 1;
const MAX_DIGEST_TIMES = 24;
const TIME_OF_DAY = /^([01]?\d|2[0-3])(?::([0-5]\d))?$/;

/** "9:00", "13:30" or "17" to "09:00"; a clear error otherwise. */
export function readTimes(times: readonly string[]): string[] {
  const read = times.map((t) => {
    const m = TIME_OF_DAY.exec(t.trim());
    if (!m) throw new ErrandError('invalid_params', `"${t}" is not a time of day. Give times as H:MM, e.g. "9:00,13:00,17:00", or "off".`);
    return `${m[1]!.padStart(2, '0')}:${m[2] ?? '00'}`;
  });
  if (read.length > MAX_DIGEST_TIMES) throw new ErrandError('invalid_params', `A digest takes at most ${MAX_DIGEST_TIMES} times a day.`);
  return [...new Set(read)].sort();
}

/** The first of the times after `now`, in the zone. */
export function nextDigestAt(times: readonly string[], timeZone: string, now: number): number | null {
  let soonest: number | null = null;
  for (const time of times) {
    const [hour, minute] = time.split(':').map(Number);
    const next = new Cron(`${minute} ${hour} * * *`, { timezone: timeZone }).nextRun(new Date(now));
    if (next && (soonest === null || next.getTime() < soonest)) soonest = next.getTime();
  }
  return soonest;
}

export class Digest {
  constructor(
    private readonly settings: SettingsStore,
    private readonly timers: Timers,
    onDue: () => void,
    private readonly now: () => number = Date.now,
  ) {
    // The next time is set first, so the digest can say when it is.
    timers.on(DIGEST_TIMER, () => {
      this.schedule();
      onDue();
    });
    if (this.stored().times.length > 0 && timers.at(DIGEST_TIMER, DIGEST_KEY) === null) this.schedule();
  }

  get(): DigestSetting {
    const { times, timeZone } = this.stored();
    const nextAt = times.length > 0 ? this.timers.at(DIGEST_TIMER, DIGEST_KEY) : null;
    return { times, timeZone, nextAt, nextText: nextAt === null ? null : formatWhen(nextAt, timeZone ?? undefined) };
  }

  isOn(): boolean {
    return this.stored().times.length > 0;
  }

  /** Sets the times (none: off); bad input changes nothing. */
  set(times: readonly string[], timeZone: string | undefined): DigestSetting {
    const read = readTimes(times);
    const zone = timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
    offsetMinutes(zone, this.now());
    this.settings.set(SETTING, JSON.stringify({ times: read, timeZone: zone }));
    this.schedule();
    return this.get();
  }

  private schedule(): void {
    const { times, timeZone } = this.stored();
    const next = times.length > 0 && timeZone ? nextDigestAt(times, timeZone, this.now()) : null;
    if (next === null) this.timers.clear(DIGEST_TIMER, DIGEST_KEY);
    else this.timers.set(DIGEST_TIMER, DIGEST_KEY, next);
  }

  private stored(): { times: string[]; timeZone: string | null } {
    const raw = this.settings.getString(SETTING);
    if (!raw) return { times: [], timeZone: null };
    try {
      const parsed = JSON.parse(raw) as { times?: string[]; timeZone?: string };
      return { times: parsed.times ?? [], timeZone: parsed.timeZone ?? null };
    } catch {
      return { times: [], timeZone: null };
    }
  }
}
