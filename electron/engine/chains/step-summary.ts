// What a step said when it was done: its agent's final message, or a command's last lines (as review shows it).
import { dataDirLayout, runFiles } from '../../../shared/data-dir.js';
import { adapterFor } from '../agents/registry.js';
import { prepared } from '../store/database.js';
import type { Store } from '../store/store.js';
import { logTail } from '../review/summary.js';
import type { ChainsStore } from './chains-store.js';

export async function stepSummary(store: Store, chains: ChainsStore, dataDir: string, runId: number | null): Promise<string | null> {
  const run = runId === null ? null : store.runs.byId(runId);
  if (!run) return null;
  if (run.resultText) return run.resultText;
  const profileId = prepared(chains.db, 'SELECT coalesce(r.profile_id, t.profile_id) FROM runs r JOIN tasks t ON t.id = r.task_id WHERE r.id = ?')
    .pluck()
    .get(run.id) as number;
  const adapter = adapterFor(store.profiles.byId(profileId)?.adapter ?? 'command');
  return adapter.id === 'command' ? logTail(runFiles(dataDirLayout(dataDir), run.id).log) : null;
}
