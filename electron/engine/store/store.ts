import type { Db } from './database.js';
import { EventsStore } from './events-store.js';
import { ProfilesStore } from './profiles-store.js';
import { ReposStore } from './repos-store.js';
import { RunsStore } from './runs-store.js';
import { SettingsStore } from './settings-store.js';
import { TasksStore } from './tasks-store.js';
import { TimersStore } from './timers-store.js';

/** Every table of the engine's database, behind one handle. */
export class Store {
  readonly repos: ReposStore;
  readonly profiles: ProfilesStore;
  readonly tasks: TasksStore;
  readonly runs: RunsStore;
  readonly settings: SettingsStore;
  readonly events: EventsStore;
  readonly timers: TimersStore;

  constructor(readonly db: Db) {
    this.repos = new ReposStore(db);
    this.profiles = new ProfilesStore(db);
    this.runs = new RunsStore(db);
    this.tasks = new TasksStore(db, this.runs.pending);
    this.settings = new SettingsStore(db);
    this.events = new EventsStore(db);
    this.timers = new TimersStore(db);
  }

  close(): void {
    this.runs.pending.stop();
    this.db.close();
  }
}
