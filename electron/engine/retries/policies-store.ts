import type { RetryPolicy } from '../../../shared/domain.js';
import type { Db } from '../store/database.js';
import { prepared } from '../store/database.js';
import type { EffectivePolicy } from './retry-plan.js';

interface PolicyRow {
  profile_id: number;
  profile_name: string;
  retries: number;
  backoff_ms: number;
  transient_retries: number;
  escalate_to: number | null;
  escalate_name: string | null;
}

const SELECT = `SELECT rp.*, p.name AS profile_name, e.name AS escalate_name FROM retry_policies rp
  JOIN profiles p ON p.id = rp.profile_id LEFT JOIN profiles e ON e.id = rp.escalate_to`;

/** Each profile's retry policy; a profile without one has DEFAULT_POLICY. */
export class PoliciesStore {
  constructor(private readonly db: Db) {}

  get(profileId: number): (EffectivePolicy & { info: RetryPolicy }) | null {
    const row = prepared(this.db, `${SELECT} WHERE rp.profile_id = ?`).get(profileId) as PolicyRow | undefined;
    return row ? toPolicy(row) : null;
  }

  set(profileId: number, p: EffectivePolicy): void {
    prepared(
      this.db,
      `INSERT INTO retry_policies (profile_id, retries, backoff_ms, transient_retries, escalate_to) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(profile_id) DO UPDATE SET retries = excluded.retries, backoff_ms = excluded.backoff_ms,
         transient_retries = excluded.transient_retries, escalate_to = excluded.escalate_to`,
    ).run(profileId, p.retries, p.backoffMs, p.transientRetries, p.escalateTo);
  }

  clear(profileId: number): boolean {
    return prepared(this.db, 'DELETE FROM retry_policies WHERE profile_id = ?').run(profileId).changes > 0;
  }

  list(): RetryPolicy[] {
    return (prepared(this.db, `${SELECT} ORDER BY p.name`).all() as PolicyRow[]).map((row) => toPolicy(row).info);
  }
}

function toPolicy(row: PolicyRow): EffectivePolicy & { info: RetryPolicy } {
  return {
    retries: row.retries,
    backoffMs: row.backoff_ms,
    transientRetries: row.transient_retries,
    escalateTo: row.escalate_to,
    info: {
      profile: row.profile_name,
      retries: row.retries,
      backoffMs: row.backoff_ms,
      transientRetries: row.transient_retries,
      escalateTo: row.escalate_name,
    },
  };
}
