// Recurring tasks: each schedule's next occurrence is a persisted timer, so it runs only while the engine is up, and
// an occurrence missed while it was down runs once at start (the next one is counted from then, not caught up).
import type { ScheduleInfo, TaskInfo } from '../../../shared/domain.js';
import { isLiveStatus } from '../../../shared/domain.js';
import { ErrandError } from '../../../shared/protocol/errors.js';
import type { MethodParams } from '../../../shared/protocol/methods.js';
import type { EventHub } from '../event-hub.js';
import { offsetMinutes } from '../natural-time.js';
import type { Store } from '../store/store.js';
import type { TasksService } from '../tasks-service.js';
import type { Timers } from '../timers.js';
import { nextOccurrence, toCron } from './recurrence.js';
import { SchedulesStore } from './schedules-store.js';

export const SCHEDULE_TIMER = 'schedule';
/** How many of its latest tasks `schedule show` lists. */
const SHOWN_TASKS = 20;

export class ScheduleService {
  private readonly schedules: SchedulesStore;

  constructor(
    private readonly store: Store,
    private readonly hub: EventHub,
    private readonly timers: Timers,
    private readonly tasks: TasksService,
  ) {
    this.schedules = new SchedulesStore(store.db);
    timers.on(SCHEDULE_TIMER, (id, at) => this.fire(id, at));
  }

  async add(p: MethodParams<'schedule.add'>): Promise<ScheduleInfo> {
    const fields = await this.checked(p);
    const id = this.store.db.transaction(() => {
      const newId = this.schedules.insert(fields);
      this.arm(newId, fields.cron, fields.timeZone, Date.now());
      return newId;
    })();
    return this.announce(id);
  }

  list(): { schedules: ScheduleInfo[] } {
    return { schedules: this.schedules.list().map((s) => this.withNext(s)) };
  }

  get(id: number): { schedule: ScheduleInfo; tasks: TaskInfo[] } {
    const schedule = this.schedule(id);
    const tasks = this.schedules.taskIds(id, SHOWN_TASKS).map((taskId) => this.store.tasks.byId(taskId)!);
    return { schedule, tasks };
  }

  async edit(p: MethodParams<'schedule.edit'>): Promise<ScheduleInfo> {
    const now = this.schedule(p.id);
    const fields = await this.checked({
      when: p.when ?? now.when,
      prompt: p.prompt ?? now.prompt,
      repo: p.repo ?? now.repoPath,
      profile: p.profile ?? now.profile,
      timeZone: p.timeZone ?? now.timeZone,
    });
    this.store.db.transaction(() => {
      this.schedules.update(p.id, fields);
      if (!now.paused) this.arm(p.id, fields.cron, fields.timeZone, Date.now());
    })();
    return this.announce(p.id);
  }

  pause(id: number): ScheduleInfo {
    const now = this.schedule(id);
    if (now.paused) throw new ErrandError('conflict', `Schedule ${id} is paused already. \`errand schedule resume ${id}\` resumes it.`);
    this.store.db.transaction(() => {
      this.schedules.setPaused(id, true);
      this.timers.clear(SCHEDULE_TIMER, id);
    })();
    return this.announce(id);
  }

  /** Resumes from now: occurrences that passed while it was paused are not run. */
  resume(id: number): ScheduleInfo {
    const now = this.schedule(id);
    if (!now.paused) throw new ErrandError('conflict', `Schedule ${id} is not paused.`);
    this.store.db.transaction(() => {
      this.schedules.setPaused(id, false);
      this.arm(id, now.cron, now.timeZone, Date.now());
    })();
    return this.announce(id);
  }

  remove(id: number): { removed: number } {
    this.schedule(id);
    this.store.db.transaction(() => {
      this.timers.clear(SCHEDULE_TIMER, id);
      this.schedules.remove(id);
    })();
    this.hub.emit({ type: 'schedule.removed', scheduleId: id, at: Date.now() });
    return { removed: id };
  }

  /** An occurrence came (or passed while the engine was down): arm the next one from now, then file its task. */
  private fire(id: number, at: number): void {
    const schedule = this.schedules.byId(id);
    if (!schedule || schedule.paused) return;
    this.arm(id, schedule.cron, schedule.timeZone, Math.max(Date.now(), at));
    const last = schedule.lastTaskId === null ? null : this.store.tasks.byId(schedule.lastTaskId);
    if (last && (last.status === 'queued' || isLiveStatus(last.status))) {
      const skipped = `task ${last.id} from the last occurrence is still ${last.status}`;
      this.hub.emit({ type: 'schedule.fired', scheduleId: id, taskId: null, skipped, at: Date.now() });
      this.announce(id);
      return;
    }
    this.tasks
      .add({ prompt: schedule.prompt, repo: schedule.repoPath, profile: schedule.profile, timeZone: schedule.timeZone }, id)
      .then((task) => {
        this.schedules.ran(id, at, task.id);
        this.hub.emit({ type: 'schedule.fired', scheduleId: id, taskId: task.id, skipped: null, at: Date.now() });
        this.announce(id);
      })
      .catch((error: unknown) => {
        const message = `schedule ${id} could not file its task: ${(error as Error).message}`;
        console.error(`[engine] ${message}`);
        this.hub.emit({ type: 'schedule.fired', scheduleId: id, taskId: null, skipped: message, at: Date.now() });
      });
  }

  private arm(id: number, cron: string, timeZone: string, after: number): void {
    const next = nextOccurrence(cron, timeZone, after);
    if (next === null) this.timers.clear(SCHEDULE_TIMER, id);
    else this.timers.set(SCHEDULE_TIMER, id, next);
  }

  /** Everything a schedule names, checked before anything is stored. */
  private async checked(p: { when: string; prompt: string; repo: string; profile: string; timeZone?: string | undefined }) {
    const cron = toCron(p.when);
    const timeZone = p.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
    offsetMinutes(timeZone, Date.now());
    const profile = this.store.profiles.byName(p.profile);
    if (!profile) {
      throw new ErrandError('not_found', `There is no profile "${p.profile}". \`errand profile ls\` lists them; \`errand profile add\` makes one.`);
    }
    const repo = this.store.repos.byPath(p.repo) ?? (await this.tasks.addRepo({ path: p.repo }));
    return { when: p.when.trim(), cron, prompt: p.prompt, repoId: repo.id, profileId: profile.id, timeZone };
  }

  private schedule(id: number): ScheduleInfo {
    const found = this.schedules.byId(id);
    if (!found) throw new ErrandError('not_found', `There is no schedule ${id}. \`errand schedule ls\` lists them.`);
    return this.withNext(found);
  }

  private withNext(s: Omit<ScheduleInfo, 'nextAt'> & { profileId?: number }): ScheduleInfo {
    const shown: ScheduleInfo & { profileId?: number } = { ...s, nextAt: this.timers.at(SCHEDULE_TIMER, s.id) };
    delete shown.profileId;
    return shown;
  }

  private announce(id: number): ScheduleInfo {
    const schedule = this.schedule(id);
    this.hub.emit({ type: 'schedule.changed', schedule, at: Date.now() });
    return schedule;
  }
}
