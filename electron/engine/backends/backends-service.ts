// The model backends: the ones the person added, and local servers found on loopback. Probes are short and run
// concurrently, off every other request's path; their results are cached briefly and shared by concurrent callers.
import type { BackendInfo, BackendKind, BackendStatus, ProfileInfo, SecretRef } from '../../../shared/domain.js';
import { describeSecretRef } from '../../../shared/domain.js';
import { ErrandError } from '../../../shared/protocol/errors.js';
import type { MethodParams, ModelsReport } from '../../../shared/protocol/methods.js';
import { wiredProfile } from '../agents/backend-wiring.js';
import { adapterFor } from '../agents/registry.js';
import type { EventHub } from '../event-hub.js';
import { secretValue } from '../runner/secret-env.js';
import type { Store } from '../store/store.js';
import { API_LABEL, DEFAULT_CAPACITY, KIND_APIS, KIND_LABEL } from './backend-kinds.js';
import type { MissingApis } from './backend-kinds.js';
import { BackendsStore } from './backends-store.js';
import { checkProfile, combosFor, statusWarnings } from './compatibility.js';
import { localCandidates } from './local-candidates.js';
import { backendUrl } from './backend-url.js';
import { probeBackend } from './probe-backend.js';

/** A report younger than this is answered as is; older, it is probed again. */
export const STATUS_FRESH_MS = 5000;

export interface ResolvedBackend {
  name: string;
  kind: BackendKind;
  url: string;
  key: SecretRef | null;
  capacity: number | null;
  source: 'configured' | 'detected';
}

interface Probe {
  status: BackendStatus;
  missing: MissingApis;
}

export class BackendsService {
  private readonly backends: BackendsStore;
  private cached: { at: number; probes: Probe[] } | null = null;
  private probing: Promise<Probe[]> | null = null;

  constructor(
    private readonly store: Store,
    private readonly hub: EventHub,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.backends = new BackendsStore(store.db);
  }

  list(): BackendInfo[] {
    return this.backends.list();
  }

  add(p: MethodParams<'backend.add'>): BackendInfo {
    const url = backendUrl(p.url);
    if (!p.replace && this.backends.byName(p.name)) {
      throw new ErrandError('conflict', `A backend named "${p.name}" exists. Pass --replace to change it.`);
    }
    const saved = this.backends.upsert({ name: p.name, kind: p.kind, url, key: p.key ?? null, capacity: p.capacity ?? null });
    this.changed(saved.name, saved);
    return saved;
  }

  remove(name: string): { removed: string } {
    if (!this.backends.byName(name)) throw new ErrandError('not_found', `There is no backend "${name}" to remove. \`errand backend ls\` lists them.`);
    const users = this.store.profiles.list().filter((p) => p.options.backend === name);
    if (users.length > 0) {
      throw new ErrandError('conflict', `Backend "${name}" is used by profile(s) ${users.map((p) => p.name).join(', ')}; remove them first (errand profile rm NAME). It was kept.`);
    }
    this.backends.remove(name);
    this.changed(name, null);
    return { removed: name };
  }

  /** A backend by name: one the person added, else a local server at its default place ("ollama"). */
  resolve(name: string): ResolvedBackend | null {
    const own = this.backends.byName(name);
    if (own) return { ...own, source: 'configured' };
    const local = localCandidates(this.env).find((c) => c.name === name);
    return local ? { ...local, key: null, capacity: null, source: 'detected' } : null;
  }

  /** Refuses a profile binding that can never work: an unknown backend, a CLI without local-model support, no model. */
  checkBinding(adapter: ProfileInfo['adapter'], name: string, model: string | undefined): void {
    const backend = this.resolve(name);
    if (!backend) {
      const locals = localCandidates(this.env).map((c) => c.name);
      throw new ErrandError('not_found', `There is no backend "${name}". Add it with errand backend add ${name} <url> --kind …${locals.length ? `, or use a local one (${locals.join(', ')})` : ''}.`);
    }
    const wiring = adapterFor(adapter).backend;
    if (!wiring) throw new ErrandError('invalid_params', `The ${adapter} adapter cannot use a model backend (the CLI has no local-model support).`);
    if (wiring.needs && !KIND_APIS[backend.kind].includes(wiring.needs)) {
      throw new ErrandError('invalid_params', `${adapter} cannot use ${name}: it needs ${API_LABEL[wiring.needs]}, which ${KIND_LABEL[backend.kind]} backends do not serve. errand models shows which agents can use it.`);
    }
    if (!model) throw new ErrandError('invalid_params', `A profile on a backend needs a model: pass --model (errand models lists what ${name} has).`);
  }

  /** The profile as its CLI is launched: pointed at its backend, with the backend's key looked up now. */
  async wire(profile: ProfileInfo): Promise<ProfileInfo> {
    const name = profile.options.backend;
    if (!name) return profile;
    const backend = this.resolve(name);
    if (!backend) throw new ErrandError('not_found', `Profile ${profile.name} uses backend "${name}", which no longer exists: add it again with errand backend add ${name} <url> --kind …`);
    const wiring = adapterFor(profile.adapter).backend;
    if (!wiring) throw new ErrandError('invalid_params', `The ${profile.adapter} adapter cannot use a model backend.`);
    const model = profile.options.model;
    if (!model) throw new ErrandError('invalid_params', `Profile ${profile.name} names no model for backend ${name}: re-add it with --model.`);
    const apiKey = backend.key ? await secretValue(`The key of backend ${name}`, backend.key, this.env) : null;
    const known = this.cached?.probes.find((p) => p.status.name === name)?.status.models.find((m) => m.name === model);
    return wiredProfile(profile, wiring, { name, kind: backend.kind, url: backend.url, apiKey, model, contextLength: known?.contextLength ?? null });
  }

  /** Every backend's status, what can run on it, and each profile bound to one. */
  async report(refresh = false): Promise<ModelsReport> {
    const fresh = this.cached && Date.now() - this.cached.at < STATUS_FRESH_MS;
    const probes = !refresh && fresh ? this.cached!.probes : await this.probeAll();
    const profiles = this.store.profiles.list().filter((p) => p.options.backend);
    return {
      backends: probes.map((p) => p.status),
      combos: probes.flatMap((p) => combosFor(p.status, p.missing)),
      profiles: profiles.map((profile) => {
        const probe = probes.find((p) => p.status.name === profile.options.backend) ?? this.unlisted(profile.options.backend!, probes);
        return checkProfile(profile, probe?.status ?? null, probe?.missing);
      }),
    };
  }

  /** A local backend a profile names that detection did not find: it is down. */
  private unlisted(name: string, probes: Probe[]): Probe | null {
    const backend = this.resolve(name);
    if (!backend || probes.some((p) => p.status.name === name)) return null;
    return { status: { ...this.baseStatus(backend), health: 'down', problem: `nothing answers at ${backend.url}` }, missing: {} };
  }

  private probeAll(): Promise<Probe[]> {
    this.probing ??= this.probeNow()
      .then((probes) => {
        this.cached = { at: Date.now(), probes };
        return probes;
      })
      .finally(() => (this.probing = null));
    return this.probing;
  }

  private async probeNow(): Promise<Probe[]> {
    const own = this.backends.list().map((b): ResolvedBackend => ({ ...b, source: 'configured' }));
    const taken = new Set(own.flatMap((b) => [b.name, b.url]));
    const locals = localCandidates(this.env)
      .filter((c) => !taken.has(c.name) && !taken.has(c.url))
      .map((c): ResolvedBackend => ({ ...c, key: null, capacity: null, source: 'detected' }));
    const probes = await Promise.all([...own, ...locals].map((b) => this.probe(b)));
    // A local server is listed when it answered as what it should be; silence on a default port is not news.
    return probes.filter((p) => p.status.source === 'configured' || p.status.health === 'ok' || p.status.health === 'loading');
  }

  private async probe(backend: ResolvedBackend): Promise<Probe> {
    const base = this.baseStatus(backend);
    let apiKey: string | null = null;
    try {
      apiKey = backend.key ? await secretValue(`The key of backend ${backend.name}`, backend.key, this.env) : null;
    } catch (error) {
      return { status: { ...base, health: 'error', problem: (error as Error).message }, missing: {} };
    }
    const found = await probeBackend(backend.kind, backend.url, apiKey);
    const contexts = found.models.filter((m) => m.loaded && m.contextLength !== null).map((m) => m.contextLength!);
    const status: BackendStatus = {
      ...base,
      health: found.health,
      problem: found.problem,
      version: found.version,
      models: found.models,
      contextLength: contexts.length ? Math.min(...contexts) : null,
      apis: found.apis,
      ...capacityOf(backend, found.slots),
      busy: found.busy,
    };
    const combos = combosFor(status, found.missing);
    return { status: { ...status, warnings: status.health === 'ok' ? statusWarnings(status, combos) : [] }, missing: found.missing };
  }

  private baseStatus(backend: ResolvedBackend): BackendStatus {
    return {
      name: backend.name,
      kind: backend.kind,
      url: backend.url,
      source: backend.source,
      health: 'down',
      problem: null,
      version: null,
      models: [],
      contextLength: null,
      apis: KIND_APIS[backend.kind],
      ...capacityOf(backend, null),
      busy: null,
      key: backend.key ? describeSecretRef(backend.key) : null,
      warnings: [],
      checkedAt: Date.now(),
    };
  }

  private changed(name: string, backend: BackendInfo | null): void {
    this.cached = null;
    this.hub.emit({ type: 'backend.changed', name, backend, at: Date.now() });
  }
}


/** The person's setting first, then what the server says (llama-server's slots), then the kind's default. */
function capacityOf(backend: ResolvedBackend, slots: number | null): Pick<BackendStatus, 'capacity' | 'capacitySource'> {
  if (backend.capacity !== null) return { capacity: backend.capacity, capacitySource: 'configured' };
  if (slots !== null) return { capacity: slots, capacitySource: 'slots' };
  const fallback = DEFAULT_CAPACITY[backend.kind];
  return fallback !== null ? { capacity: fallback, capacitySource: 'default' } : { capacity: null, capacitySource: 'none' };
}
