// Which agent CLIs this machine has, and a built-in profile for each one found.
import type { AdapterId, ProfileInfo } from '../../shared/domain.js';
import type { Detection } from './agents/adapter.js';
import { detect, loginShellPath, searchDirs } from './agents/detect.js';
import { adapterFor, allAdapters } from './agents/registry.js';
import type { Store } from './store/store.js';

export class AgentsService {
  private detections = new Map<AdapterId, Detection>();
  private refreshing: Promise<Detection[]> | null = null;

  constructor(private readonly store: Store) {}

  get probed(): boolean {
    return this.detections.size > 0;
  }

  current(): Detection[] {
    return [...this.detections.values()];
  }

  /** Where the CLI is, probing first if nothing has been probed yet. */
  async binaryFor(adapter: AdapterId): Promise<string | null> {
    if (adapterFor(adapter).binaryNames.length === 0) return null;
    if (!this.probed) await this.refresh();
    return this.detections.get(adapter)?.binary ?? null;
  }

  /** Probes every CLI (concurrent callers share one probe) and makes or updates the built-in profiles. */
  refresh(): Promise<Detection[]> {
    this.refreshing ??= this.probe().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  builtinProfiles(): ProfileInfo[] {
    return this.store.profiles.list().filter((p) => p.builtin);
  }

  private async probe(): Promise<Detection[]> {
    const dirs = searchDirs(await loginShellPath());
    const adapters = allAdapters().filter((a) => a.binaryNames.length > 0);
    const results = await Promise.all(adapters.map((a) => detect(a, dirs)));
    this.detections = new Map(results.map((d) => [d.adapter, d]));
    for (const detection of results) {
      if (!detection.usable) continue;
      const existing = this.store.profiles.byName(detection.adapter);
      if (existing && !existing.builtin) continue;
      const adapter = adapters.find((a) => a.id === detection.adapter)!;
      this.store.profiles.upsert({
        name: detection.adapter,
        adapter: detection.adapter,
        command: [detection.binary!],
        env: existing?.env ?? {},
        needsInput: null,
        // A built-in profile takes the adapter's current defaults: an upgrade that changes them reaches it.
        options: adapter.defaultOptions ?? {},
        builtin: true,
      });
    }
    return results;
  }
}
