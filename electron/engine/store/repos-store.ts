import type { MergeStrategy, RepoInfo } from '../../../shared/domain.js';
import type { Db } from './database.js';
import { prepared } from './database.js';

interface RepoRow {
  id: number;
  path: string;
  name: string;
  base_branch: string;
  setup_command: string | null;
  copy_files: string;
  max_running: number | null;
  merge_strategy: string;
  check_command: string | null;
  check_retries: number;
  check_timeout_ms: number | null;
  delete_merged_branches: number;
  created_at: number;
}

export interface RepoFields {
  path: string;
  name: string;
  baseBranch: string;
  setupCommand: string | null;
  copyFiles: string[];
  maxRunning: number | null;
  mergeStrategy: MergeStrategy;
  checkCommand: string | null;
  checkRetries: number;
  checkTimeoutMs: number | null;
  deleteMergedBranches: boolean;
}

function toRepo(row: RepoRow): RepoInfo {
  return {
    id: row.id,
    path: row.path,
    name: row.name,
    baseBranch: row.base_branch,
    setupCommand: row.setup_command,
    copyFiles: JSON.parse(row.copy_files) as string[],
    maxRunning: row.max_running,
    mergeStrategy: row.merge_strategy as MergeStrategy,
    checkCommand: row.check_command,
    checkRetries: row.check_retries,
    checkTimeoutMs: row.check_timeout_ms,
    deleteMergedBranches: row.delete_merged_branches === 1,
    createdAt: row.created_at,
  };
}

export class ReposStore {
  constructor(private readonly db: Db) {}

  byPath(path: string): RepoInfo | null {
    const row = prepared(this.db, 'SELECT * FROM repos WHERE path = ?').get(path) as RepoRow | undefined;
    return row ? toRepo(row) : null;
  }

  byId(id: number): RepoInfo | null {
    const row = prepared(this.db, 'SELECT * FROM repos WHERE id = ?').get(id) as RepoRow | undefined;
    return row ? toRepo(row) : null;
  }

  list(): RepoInfo[] {
    return (prepared(this.db, 'SELECT * FROM repos ORDER BY path').all() as RepoRow[]).map(toRepo);
  }

  /** Inserts the repo, or updates the given fields of the one at the same path. */
  upsert(fields: RepoFields): RepoInfo {
    prepared(this.db, 
        `INSERT INTO repos (path, name, base_branch, setup_command, copy_files, max_running, check_command, check_retries,
           check_timeout_ms, merge_strategy, delete_merged_branches, created_at)
         VALUES (@path, @name, @baseBranch, @setupCommand, @copyFiles, @maxRunning, @checkCommand, @checkRetries,
           @checkTimeoutMs, @mergeStrategy, @deleteMergedBranches, @now)
         ON CONFLICT(path) DO UPDATE SET name = excluded.name, base_branch = excluded.base_branch,
           setup_command = excluded.setup_command, copy_files = excluded.copy_files, max_running = excluded.max_running,
           check_command = excluded.check_command, check_retries = excluded.check_retries,
           check_timeout_ms = excluded.check_timeout_ms, merge_strategy = excluded.merge_strategy,
           delete_merged_branches = excluded.delete_merged_branches`,
      )
      .run({ ...fields, copyFiles: JSON.stringify(fields.copyFiles), deleteMergedBranches: fields.deleteMergedBranches ? 1 : 0, now: Date.now() });
    return this.byPath(fields.path)!;
  }
}
