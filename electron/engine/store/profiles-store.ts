import type { AdapterId, NeedsInputRule, ProfileInfo, ProfileOptions, SecretRef } from '../../../shared/domain.js';
import type { Db } from './database.js';
import { prepared } from './database.js';

interface ProfileRow {
  id: number;
  name: string;
  adapter: string;
  command: string;
  env: string;
  needs_input: string | null;
  options: string;
  builtin: number;
  created_at: number;
}

export interface ProfileFields {
  name: string;
  adapter: AdapterId;
  command: string[];
  env: Record<string, string>;
  secretEnv?: Record<string, SecretRef>;
  needsInput: NeedsInputRule | null;
  options?: ProfileOptions;
  builtin?: boolean;
}

/**
 * The env column holds each variable as its plain value or, for a secret, a reference to where it is at launch
 * ({"from":"env","name":…} or {"from":"keychain",…}): the secret's value is never written here.
 */
function splitEnv(json: string): { env: Record<string, string>; secretEnv: Record<string, SecretRef> } {
  const env: Record<string, string> = {};
  const secretEnv: Record<string, SecretRef> = {};
  for (const [key, value] of Object.entries(JSON.parse(json) as Record<string, string | SecretRef>)) {
    if (typeof value === 'string') env[key] = value;
    else secretEnv[key] = value;
  }
  return { env, secretEnv };
}

function toProfile(row: ProfileRow): ProfileInfo {
  return {
    id: row.id,
    name: row.name,
    adapter: row.adapter as AdapterId,
    command: JSON.parse(row.command) as string[],
    ...splitEnv(row.env),
    needsInput: row.needs_input ? (JSON.parse(row.needs_input) as NeedsInputRule) : null,
    options: JSON.parse(row.options) as ProfileOptions,
    builtin: row.builtin === 1,
    createdAt: row.created_at,
  };
}

export class ProfilesStore {
  constructor(private readonly db: Db) {}

  byName(name: string): ProfileInfo | null {
    const row = prepared(this.db, 'SELECT * FROM profiles WHERE name = ?').get(name) as ProfileRow | undefined;
    return row ? toProfile(row) : null;
  }

  byId(id: number): ProfileInfo | null {
    const row = prepared(this.db, 'SELECT * FROM profiles WHERE id = ?').get(id) as ProfileRow | undefined;
    return row ? toProfile(row) : null;
  }

  list(): ProfileInfo[] {
    return (prepared(this.db, 'SELECT * FROM profiles ORDER BY name').all() as ProfileRow[]).map(toProfile);
  }

  upsert(fields: ProfileFields): ProfileInfo {
    prepared(this.db, 
        `INSERT INTO profiles (name, adapter, command, env, needs_input, options, builtin, created_at)
         VALUES (@name, @adapter, @command, @env, @needsInput, @options, @builtin, @now)
         ON CONFLICT(name) DO UPDATE SET adapter = excluded.adapter, command = excluded.command,
           env = excluded.env, needs_input = excluded.needs_input, options = excluded.options, builtin = excluded.builtin`,
      )
      .run({
        name: fields.name,
        adapter: fields.adapter,
        command: JSON.stringify(fields.command),
        env: JSON.stringify({ ...fields.env, ...fields.secretEnv }),
        needsInput: fields.needsInput ? JSON.stringify(fields.needsInput) : null,
        options: JSON.stringify(fields.options ?? {}),
        builtin: fields.builtin ? 1 : 0,
        now: Date.now(),
      });
    return this.byName(fields.name)!;
  }

  isUsed(id: number): boolean {
    // A chain step's run, a step still to come, a schedule or a retry ladder keeps its profile too.
    return (
      prepared(
        this.db,
        `SELECT 1 FROM tasks WHERE profile_id = @id UNION ALL SELECT 1 FROM runs WHERE profile_id = @id
          UNION ALL SELECT 1 FROM chain_steps WHERE profile_id = @id UNION ALL SELECT 1 FROM schedules WHERE profile_id = @id
          UNION ALL SELECT 1 FROM retry_policies WHERE escalate_to = @id LIMIT 1`,
      ).get({ id }) !== undefined
    );
  }

  remove(id: number): void {
    prepared(this.db, 'DELETE FROM profiles WHERE id = ?').run(id);
  }
}
