// Which agent CLIs can run on which backend, and why not: the API each CLI speaks against what the backend serves,
// a model's context against what coding agents need, a profile's model against what the backend has.
import type { AdapterId, BackendCombo, BackendStatus, ModelApi, ProfileBackendCheck, ProfileInfo } from '../../../shared/domain.js';
import { ADAPTER_IDS, LOCAL_BACKEND_KINDS } from '../../../shared/domain.js';
import { adapterFor } from '../agents/registry.js';
import { API_LABEL, CONTEXT_HINT, KIND_LABEL, MIN_CONTEXT_TOKENS } from './backend-kinds.js';
import type { MissingApis } from './backend-kinds.js';

/** The agent CLIs (not the command adapter, which can use anything it is told). */
const AGENT_IDS = ADAPTER_IDS.filter((id) => id !== 'command');

/** Why `adapter` cannot use a backend serving `apis`, or null when it can. */
export function cannotUse(adapter: AdapterId, apis: readonly ModelApi[], backend: Pick<BackendStatus, 'kind' | 'version'>, missing: MissingApis = {}): string | null {
  const wiring = adapterFor(adapter).backend;
  if (!wiring) return `${adapter} cannot use a model backend (it has no local-model support)`;
  if (!wiring.needs || apis.includes(wiring.needs)) return null;
  const server = LOCAL_BACKEND_KINDS.includes(backend.kind)
    ? `${KIND_LABEL[backend.kind]}${backend.version ? ` ${backend.version}` : ''}`
    : `an ${KIND_LABEL[backend.kind]} backend`;
  const later = missing[wiring.needs];
  return `${adapter} needs ${API_LABEL[wiring.needs]}, which ${server} does not serve${later ? ` (${later})` : ''}`;
}

export function combosFor(status: BackendStatus, missing: MissingApis = {}): BackendCombo[] {
  return AGENT_IDS.map((adapter) => {
    const why = cannotUse(adapter, status.apis, status, missing);
    return { adapter, backend: status.name, ok: why === null, why };
  });
}

function contextWarning(status: BackendStatus, model: string, contextLength: number): string {
  return `${model} is loaded with a ${contextLength}-token context on ${status.name}; coding agents need ${MIN_CONTEXT_TOKENS} or more: ${CONTEXT_HINT[status.kind]}`;
}

/** What the person should know about a backend: a loaded context under 64k, and CLIs it cannot serve. */
export function statusWarnings(status: BackendStatus, combos: BackendCombo[]): string[] {
  const warnings: string[] = [];
  for (const m of status.models) {
    if (m.loaded && m.contextLength !== null && m.contextLength < MIN_CONTEXT_TOKENS) warnings.push(contextWarning(status, m.name, m.contextLength));
  }
  for (const c of combos) if (!c.ok && adapterFor(c.adapter).backend) warnings.push(c.why!);
  return warnings;
}

/** Ollama names "qwen3-coder" and "qwen3-coder:latest" alike. */
export function sameModel(a: string, b: string): boolean {
  const plain = (name: string) => name.replace(/:latest$/, '');
  return plain(a) === plain(b);
}

/** A profile bound to a backend, against what the backend's last probe found (null: the backend is unknown). */
export function checkProfile(profile: ProfileInfo, status: BackendStatus | null, missing: MissingApis = {}): ProfileBackendCheck {
  const backend = profile.options.backend!;
  const model = profile.options.model ?? null;
  const problems: string[] = [];
  const warnings: string[] = [];
  if (!status) {
    problems.push(`there is no backend "${backend}": add it with errand backend add ${backend} <url> --kind …`);
  } else {
    const why = cannotUse(profile.adapter, status.apis, status, missing);
    if (why) problems.push(why);
    if (status.health !== 'ok') problems.push(`${backend} is ${status.health}${status.problem ? `: ${status.problem}` : ''}`);
    if (!model) problems.push(`the profile names no model: re-add it with --model (errand models lists what ${backend} has)`);
    const found = model ? status.models.find((m) => sameModel(m.name, model)) : undefined;
    if (model && status.health === 'ok' && status.models.length > 0 && !found) {
      const has = status.models.slice(0, 8).map((m) => m.name).join(', ');
      problems.push(`${backend} has no model "${model}" (it has ${has}${status.models.length > 8 ? ', …' : ''})`);
    }
    if (found?.loaded && found.contextLength !== null && found.contextLength < MIN_CONTEXT_TOKENS) warnings.push(contextWarning(status, found.name, found.contextLength));
  }
  return { profile: profile.name, adapter: profile.adapter, backend, model, ok: problems.length === 0, problems, warnings };
}
