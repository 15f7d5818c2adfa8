// Numbered migrations: entry N brings a database from user_version N to N + 1. Never edit a shipped entry; append.
import { MERGE_STRATEGIES, REVIEW_STATES, RUN_STATUSES } from '../../../shared/domain.js';

const sqlList = (values: readonly string[]) => values.map((s) => `'${s}'`).join(', ');
const statusList = sqlList(RUN_STATUSES);
const reviewList = sqlList(REVIEW_STATES);
const strategyList = sqlList(MERGE_STRATEGIES);

export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE repos (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    base_branch TEXT NOT NULL,
    setup_command TEXT,
    copy_files TEXT NOT NULL DEFAULT '[]',
    max_running INTEGER,
    created_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE profiles (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    adapter TEXT NOT NULL,
    command TEXT NOT NULL,
    env TEXT NOT NULL DEFAULT '{}',
    needs_input TEXT,
    created_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    prompt TEXT NOT NULL,
    repo_id INTEGER NOT NULL REFERENCES repos(id),
    profile_id INTEGER NOT NULL REFERENCES profiles(id),
    priority INTEGER NOT NULL DEFAULT 0,
    current_run_id INTEGER,
    created_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    attempt INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN (${statusList})),
    command TEXT,
    worktree TEXT,
    branch TEXT,
    pid INTEGER,
    exit_code INTEGER,
    reason TEXT,
    question TEXT,
    session_id TEXT,
    log_bytes INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    ended_at INTEGER
  ) STRICT;
  CREATE INDEX runs_by_status ON runs(status);
  CREATE INDEX runs_by_task ON runs(task_id);

  -- Where each stretch of a run's log starts, and when it was written: one row per ~64 KB or per second.
  CREATE TABLE run_chunks (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    offset INTEGER NOT NULL,
    length INTEGER NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (run_id, offset)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    type TEXT NOT NULL,
    task_id INTEGER,
    run_id INTEGER,
    data TEXT NOT NULL
  ) STRICT;
  CREATE INDEX events_by_task ON events(task_id);

  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) STRICT;

  -- Full-text search over what the person asked and what agents asked back.
  CREATE VIRTUAL TABLE search_text USING fts5(body, kind UNINDEXED, task_id UNINDEXED);
  `,
  `
  ALTER TABLE profiles ADD COLUMN options TEXT NOT NULL DEFAULT '{}';
  ALTER TABLE profiles ADD COLUMN builtin INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE runs ADD COLUMN kind TEXT NOT NULL DEFAULT 'start' CHECK (kind IN ('start', 'reply', 'resume'));
  ALTER TABLE runs ADD COLUMN message TEXT;
  ALTER TABLE runs ADD COLUMN request TEXT;
  ALTER TABLE runs ADD COLUMN result_text TEXT;
  ALTER TABLE runs ADD COLUMN progress TEXT NOT NULL DEFAULT '{}';
  `,
  `
  ALTER TABLE runs ADD COLUMN reply_grant TEXT;
  `,
  `
  ALTER TABLE repos ADD COLUMN check_command TEXT;
  ALTER TABLE repos ADD COLUMN check_retries INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE repos ADD COLUMN check_timeout_ms INTEGER;
  ALTER TABLE runs ADD COLUMN check_result TEXT;
  `,
  // Review: the state a review action left (it holds for the run it names), and how a repo's approvals merge.
  `
  ALTER TABLE tasks ADD COLUMN review_state TEXT CHECK (review_state IN (${reviewList}));
  ALTER TABLE tasks ADD COLUMN review_run_id INTEGER;
  ALTER TABLE tasks ADD COLUMN review_detail TEXT;
  ALTER TABLE repos ADD COLUMN merge_strategy TEXT NOT NULL DEFAULT 'squash' CHECK (merge_strategy IN (${strategyList}));
  `,
  // Wake-up times (snooze, --at, schedules, retry backoff): one table, so one timer serves them all and they survive restarts.
  `
  CREATE TABLE timers (
    kind TEXT NOT NULL,
    key INTEGER NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (kind, key)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX timers_by_at ON timers(at);
  `,
  // Merge trains (issue 8, collisions and the merge train): each train's tasks in merge order, with where each stands;
  // and whether a repo's merged branches are deleted.
  `
  CREATE TABLE merge_trains (
    id INTEGER PRIMARY KEY,
    repo_id INTEGER NOT NULL REFERENCES repos(id),
    status TEXT NOT NULL CHECK (status IN ('running', 'done')),
    items TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    ended_at INTEGER
  ) STRICT;
  CREATE INDEX merge_trains_running ON merge_trains(status) WHERE status = 'running';
  ALTER TABLE repos ADD COLUMN delete_merged_branches INTEGER NOT NULL DEFAULT 1;
  `,
];
