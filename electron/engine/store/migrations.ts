// Numbered migrations: entry N brings a database from user_version N to N + 1. Never edit a shipped entry; append.
import { BACKEND_KINDS, MERGE_STRATEGIES, REVIEW_STATES, RUN_STATUSES } from '../../../shared/domain.js';

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
  // Attention and the inbox (w-inbox): what needs the person, kept as history; a snoozed task holds its attention back.
  `
  CREATE TABLE attention_items (
    id INTEGER PRIMARY KEY,
    task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    run_id INTEGER,
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    seen_at INTEGER,
    resolved_at INTEGER,
    resolution TEXT,
    snoozed_until INTEGER,
    snoozed_with_task INTEGER NOT NULL DEFAULT 0,
    snooze_ended INTEGER NOT NULL DEFAULT 0
  ) STRICT;
  -- Covers what ranking the inbox reads of every open item, so it never reads their rows.
  CREATE INDEX attention_open ON attention_items(created_at, id, task_id, kind, snoozed_until, seen_at, resolved_at) WHERE resolved_at IS NULL;
  CREATE INDEX attention_open_by_task ON attention_items(task_id) WHERE resolved_at IS NULL;
  CREATE TABLE task_snoozes (
    task_id INTEGER PRIMARY KEY REFERENCES tasks(id) ON DELETE CASCADE,
    until INTEGER NOT NULL
  ) STRICT;
  `,
  // Batches, best-of-N and dependencies (w-groups): the groups tasks are filed in, and what each task waits for.
  `
  CREATE TABLE task_groups (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('batch', 'best_of')),
    created_at INTEGER NOT NULL
  ) STRICT;
  ALTER TABLE tasks ADD COLUMN group_id INTEGER REFERENCES task_groups(id);
  CREATE INDEX tasks_by_group ON tasks(group_id) WHERE group_id IS NOT NULL;
  CREATE TABLE task_dependencies (
    task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    prereq_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    needs TEXT NOT NULL CHECK (needs IN ('success', 'merge')),
    satisfied_at INTEGER,
    blocked_reason TEXT,
    PRIMARY KEY (task_id, prereq_id)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX dependencies_by_prereq ON task_dependencies(prereq_id);
  `,
  // Model backends (issue 9, w-backends): the person's own; a key is a reference (a SecretRef's JSON), never its value.
  `
  CREATE TABLE backends (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN (${sqlList(BACKEND_KINDS)})),
    url TEXT NOT NULL,
    key_ref TEXT,
    capacity INTEGER CHECK (capacity IS NULL OR capacity > 0),
    created_at INTEGER NOT NULL
  ) STRICT;
  `,
  // Chains: a run's step and its own profile; saved templates; each task's chain and its steps (with the prompt rendered).
  `
  ALTER TABLE runs ADD COLUMN step INTEGER;
  ALTER TABLE runs ADD COLUMN profile_id INTEGER REFERENCES profiles(id);
  CREATE TABLE chain_templates (
    name TEXT PRIMARY KEY,
    description TEXT NOT NULL DEFAULT '',
    steps TEXT NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE task_chains (
    task_id INTEGER PRIMARY KEY REFERENCES tasks(id) ON DELETE CASCADE,
    template TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    total INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('running', 'waiting', 'halted', 'done'))
  ) STRICT;
  CREATE TABLE chain_steps (
    task_id INTEGER NOT NULL REFERENCES task_chains(task_id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    name TEXT NOT NULL,
    profile_id INTEGER REFERENCES profiles(id),
    gate INTEGER NOT NULL DEFAULT 0,
    prompt TEXT NOT NULL,
    rendered TEXT,
    status TEXT NOT NULL,
    run_id INTEGER,
    PRIMARY KEY (task_id, idx)
  ) STRICT, WITHOUT ROWID;
  `,
  // Schedules and --at (w-sched): the zone a task's start time was given in, the schedule that filed it, and the schedules.
  `
  ALTER TABLE tasks ADD COLUMN time_zone TEXT;
  ALTER TABLE tasks ADD COLUMN schedule_id INTEGER;
  CREATE TABLE schedules (
    id INTEGER PRIMARY KEY,
    spec TEXT NOT NULL,
    cron TEXT NOT NULL,
    prompt TEXT NOT NULL,
    repo_id INTEGER NOT NULL REFERENCES repos(id),
    profile_id INTEGER NOT NULL REFERENCES profiles(id),
    time_zone TEXT NOT NULL,
    paused INTEGER NOT NULL DEFAULT 0,
    last_at INTEGER,
    last_task_id INTEGER,
    created_at INTEGER NOT NULL
  ) STRICT;
  `,
  // Retries and escalation (w-sched): why the engine made an attempt (its profile is runs.profile_id), each profile's policy.
  `
  ALTER TABLE runs ADD COLUMN retry TEXT;
  CREATE TABLE retry_policies (
    profile_id INTEGER PRIMARY KEY REFERENCES profiles(id) ON DELETE CASCADE,
    retries INTEGER NOT NULL,
    backoff_ms INTEGER NOT NULL,
    transient_retries INTEGER NOT NULL,
    escalate_to INTEGER REFERENCES profiles(id)
  ) STRICT;
  `,
  // Remembered decisions (w-allow): "allow always" rules, per task, repo or profile.
  `
  CREATE TABLE decision_rules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    scope TEXT NOT NULL CHECK (scope IN ('task', 'repo', 'profile')),
    scope_id INTEGER NOT NULL,
    adapter TEXT NOT NULL,
    tool TEXT NOT NULL,
    patterns TEXT NOT NULL,
    from_task_id INTEGER,
    created_at INTEGER NOT NULL,
    applied_count INTEGER NOT NULL DEFAULT 0,
    last_applied_at INTEGER
  ) STRICT;
  CREATE INDEX decision_rules_by_scope ON decision_rules(scope, scope_id);
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
