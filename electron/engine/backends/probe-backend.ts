// Asks a backend what it is and what it has: each kind by its own endpoints (AGENT-CLIS.md, "Local model servers").
import type { BackendHealth, BackendKind, BackendModel, ModelApi } from '../../../shared/domain.js';
import { KIND_APIS, KIND_LABEL, ollamaApis } from './backend-kinds.js';
import type { MissingApis } from './backend-kinds.js';
import { field, list, num, probeGet, str } from './probe-http.js';
import type { ProbeAnswer } from './probe-http.js';

export interface Probed {
  health: BackendHealth;
  problem: string | null;
  version: string | null;
  models: BackendModel[];
  apis: ModelApi[];
  /** What the server itself says it can serve at once (llama-server's slots). */
  slots: number | null;
  busy: number | null;
  /** APIs this version lacks, and what would serve them. */
  missing: MissingApis;
}

const empty = (kind: BackendKind): Probed => ({ health: 'ok', problem: null, version: null, models: [], apis: KIND_APIS[kind], slots: null, busy: null, missing: {} });

function failed(kind: BackendKind, answer: Extract<ProbeAnswer, { ok: false }>, what: string): Probed {
  return { ...empty(kind), health: answer.unreachable ? 'down' : 'error', problem: `${what}: ${answer.problem}` };
}

function notIt(kind: BackendKind, path: string): Probed {
  return { ...empty(kind), health: 'error', problem: `it answers, but not like ${KIND_LABEL[kind]} (GET ${path})` };
}

export function probeBackend(kind: BackendKind, url: string, apiKey: string | null): Promise<Probed> {
  switch (kind) {
    case 'ollama':
      return probeOllama(url);
    case 'lmstudio':
      return probeLmStudio(url, apiKey);
    case 'llama-server':
      return probeLlamaServer(url, apiKey);
    case 'openai':
      return probeCloud(kind, `${url}/v1/models`, apiKey ? { authorization: `Bearer ${apiKey}` } : {});
    case 'anthropic':
      return probeCloud(kind, `${url}/v1/models`, { 'anthropic-version': '2023-06-01', ...(apiKey ? { 'x-api-key': apiKey } : {}) });
  }
}

async function probeOllama(url: string): Promise<Probed> {
  const version = await probeGet(`${url}/api/version`);
  if (!version.ok) return failed('ollama', version, 'GET /api/version');
  const v = str(field(version.body, 'version'));
  if (!v) return notIt('ollama', '/api/version');
  const [tags, ps] = await Promise.all([probeGet(`${url}/api/tags`), probeGet(`${url}/api/ps`)]);
  const loaded = new Map<string, number | null>();
  if (ps.ok) for (const m of list(field(ps.body, 'models'))) loaded.set(str(field(m, 'name')) ?? '', num(field(m, 'context_length')));
  const models = list(tags.ok ? field(tags.body, 'models') : []).flatMap((m) => {
    const name = str(field(m, 'name'));
    return name ? [{ name, loaded: loaded.has(name), contextLength: loaded.get(name) ?? null }] : [];
  });
  // A loaded model that the list of installed ones leaves out is still loaded.
  for (const [name, contextLength] of loaded) if (name && !models.some((m) => m.name === name)) models.push({ name, loaded: true, contextLength });
  const { apis, missing } = ollamaApis(v);
  return { ...empty('ollama'), version: v, models, apis, missing };
}

async function probeLmStudio(url: string, apiKey: string | null): Promise<Probed> {
  const headers: Record<string, string> = apiKey ? { authorization: `Bearer ${apiKey}` } : {};
  const v1 = await probeGet(`${url}/api/v1/models`, headers);
  if (v1.ok && Array.isArray(field(v1.body, 'models'))) {
    const models = list(field(v1.body, 'models')).flatMap((m) => {
      const name = str(field(m, 'key'));
      if (!name || field(m, 'type') === 'embedding') return [];
      const instances = list(field(m, 'loaded_instances'));
      const contexts = instances.map((i) => num(field(field(i, 'config'), 'context_length'))).filter((n): n is number => n !== null);
      return [{ name, loaded: instances.length > 0, contextLength: contexts.length ? Math.min(...contexts) : null }];
    });
    return { ...empty('lmstudio'), models };
  }
  if (!v1.ok && v1.unreachable) return failed('lmstudio', v1, 'GET /api/v1/models');
  // Before 0.4: the v0 REST API says which models are loaded, and with what context.
  const v0 = await probeGet(`${url}/api/v0/models`, headers);
  if (v0.ok && Array.isArray(field(v0.body, 'data'))) {
    const models = list(field(v0.body, 'data')).flatMap((m) => {
      const name = str(field(m, 'id'));
      if (!name || field(m, 'type') === 'embeddings') return [];
      const loaded = field(m, 'state') === 'loaded';
      return [{ name, loaded, contextLength: loaded ? num(field(m, 'loaded_context_length')) : null }];
    });
    return { ...empty('lmstudio'), models };
  }
  return v0.ok ? notIt('lmstudio', '/api/v0/models') : failed('lmstudio', v0, 'GET /api/v0/models');
}

async function probeLlamaServer(url: string, apiKey: string | null): Promise<Probed> {
  const headers: Record<string, string> = apiKey ? { authorization: `Bearer ${apiKey}` } : {};
  const health = await probeGet(`${url}/health`, headers);
  if (!health.ok && health.status === 503) return { ...empty('llama-server'), health: 'loading', problem: 'it is loading its model' };
  if (!health.ok) return failed('llama-server', health, 'GET /health');
  const [props, slots, models] = await Promise.all([probeGet(`${url}/props`, headers), probeGet(`${url}/slots`, headers), probeGet(`${url}/v1/models`, headers)]);
  if (!props.ok) return props.unreachable ? failed('llama-server', props, 'GET /props') : notIt('llama-server', '/props');
  const settings = field(props.body, 'default_generation_settings');
  const contextLength = num(field(settings, 'n_ctx')) ?? num(field(props.body, 'n_ctx'));
  const total = num(field(props.body, 'total_slots'));
  // /slots may be turned off (--no-slots): then how many are busy is not known.
  const busy = slots.ok && Array.isArray(slots.body) ? slots.body.filter((s) => field(s, 'is_processing') === true).length : null;
  const modelPath = str(field(props.body, 'model_path'));
  const ids = list(models.ok ? field(models.body, 'data') : []).flatMap((m) => (str(field(m, 'id')) ? [str(field(m, 'id'))!] : []));
  const names = ids.length ? ids : modelPath ? [modelPath.split('/').pop()!.replace(/\.gguf$/i, '')] : [];
  const version = str(field(props.body, 'build_info'));
  return { ...empty('llama-server'), version, models: names.map((name) => ({ name, loaded: true, contextLength })), slots: total, busy };
}

async function probeCloud(kind: BackendKind, url: string, headers: Record<string, string>): Promise<Probed> {
  const answer = await probeGet(url, headers);
  if (!answer.ok) {
    const refused = answer.status === 401 || answer.status === 403;
    return { ...failed(kind, answer, 'GET /v1/models'), ...(refused ? { problem: `its key was refused (HTTP ${answer.status}): check the backend's --key-env or --key-keychain` } : {}) };
  }
  const models = list(field(answer.body, 'data')).flatMap((m) => (str(field(m, 'id')) ? [{ name: str(field(m, 'id'))!, loaded: false, contextLength: null }] : []));
  return { ...empty(kind), models };
}
