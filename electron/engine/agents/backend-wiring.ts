// How each agent CLI is pointed at a model backend (AGENT-CLIS.md, "Local model"): environment variables, flags and
// config passed on the command line, never the person's own config files (HOME stays theirs). A key travels only in
// the agent's environment, never in its argv (which is stored as the run's command).
import type { BackendKind, ModelApi, ProfileInfo } from '../../../shared/domain.js';

/** Coding agents want this much; used where a CLI must be told a model's context and the backend did not say. */
const ASSUMED_CONTEXT_TOKENS = 65_536;
const ASSUMED_OUTPUT_TOKENS = 8192;

export interface BackendTarget {
  /** The backend's name (`errand backend ls`). */
  name: string;
  kind: BackendKind;
  /** Its root URL, without a trailing /v1 (each CLI adds what it needs). */
  url: string;
  apiKey: string | null;
  model: string;
  contextLength: number | null;
}

export interface Wired {
  env: Record<string, string>;
  args?: string[];
  /** The model as this CLI names it (OpenCode: provider/model). */
  model: string;
}

export interface BackendWiring {
  /** The model API the CLI speaks; null: any (a command profile is told the URL and picks). */
  readonly needs: ModelApi | null;
  wire(target: BackendTarget, profile: ProfileInfo): Wired;
}

/** A local server takes any key, but the CLIs' SDKs want one. */
const keyOrPlaceholder = (t: BackendTarget): string => t.apiKey ?? t.kind;
const PROVIDER = 'errand_backend';

export const claudeBackend: BackendWiring = {
  needs: 'messages',
  wire: (t) => ({
    env: {
      ANTHROPIC_BASE_URL: t.url,
      // Empty, so a key in the engine's environment never goes to another endpoint.
      ...(t.apiKey && t.kind === 'anthropic' ? { ANTHROPIC_API_KEY: t.apiKey, ANTHROPIC_AUTH_TOKEN: '' } : { ANTHROPIC_AUTH_TOKEN: keyOrPlaceholder(t), ANTHROPIC_API_KEY: '' }),
      // Its background calls (the "haiku" slot) go to the same model.
      ANTHROPIC_DEFAULT_HAIKU_MODEL: t.model,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    },
    model: t.model,
  }),
};

/** Codex speaks only the Responses API; a provider given as `-c` overrides leaves $CODEX_HOME/config.toml alone. */
export const codexBackend: BackendWiring = {
  needs: 'responses',
  wire: (t): Wired => {
    const set = (key: string, value: string) => ['-c', `${key}=${JSON.stringify(value)}`];
    return {
      args: [
        ...set('model_provider', PROVIDER),
        ...set(`model_providers.${PROVIDER}.name`, t.name),
        ...set(`model_providers.${PROVIDER}.base_url`, `${t.url}/v1`),
        ...set(`model_providers.${PROVIDER}.wire_api`, 'responses'),
        ...(t.apiKey ? set(`model_providers.${PROVIDER}.env_key`, 'ERRAND_BACKEND_API_KEY') : []),
      ],
      env: t.apiKey ? { ERRAND_BACKEND_API_KEY: t.apiKey } : {},
      model: t.model,
    };
  },
};

/** OpenCode takes its config in OPENCODE_CONFIG_CONTENT: the backend is added as a provider to what the profile has. */
export const opencodeBackend: BackendWiring = {
  needs: 'chat',
  wire: (t, profile) => {
    const own = parseObject(profile.env.OPENCODE_CONFIG_CONTENT);
    const provider = {
      npm: '@ai-sdk/openai-compatible',
      name: `${t.name} (Errand)`,
      options: { baseURL: `${t.url}/v1`, apiKey: keyOrPlaceholder(t) },
      models: { [t.model]: { limit: { context: t.contextLength ?? ASSUMED_CONTEXT_TOKENS, output: ASSUMED_OUTPUT_TOKENS } } },
    };
    const config = { ...own, provider: { ...parseObject(own.provider), [PROVIDER]: provider } };
    return { env: { OPENCODE_CONFIG_CONTENT: JSON.stringify(config) }, model: `${PROVIDER}/${t.model}` };
  },
};

/** Qwen Code's OpenAI auth (the adapter adds --auth-type openai when OPENAI_BASE_URL is set). */
export const qwenBackend: BackendWiring = {
  needs: 'chat',
  wire: (t) => ({ env: { OPENAI_BASE_URL: `${t.url}/v1`, OPENAI_API_KEY: keyOrPlaceholder(t), OPENAI_MODEL: t.model }, model: t.model }),
};

export const aiderBackend: BackendWiring = {
  needs: 'chat',
  wire: (t): Wired =>
    t.kind === 'ollama'
      ? { env: { OLLAMA_API_BASE: t.url }, model: `ollama_chat/${t.model}` }
      : { env: { OPENAI_API_BASE: `${t.url}/v1`, OPENAI_API_KEY: keyOrPlaceholder(t) }, model: `openai/${t.model}` },
};

/** A command profile is told where the model is, and picks its API itself. */
export const commandBackend: BackendWiring = {
  needs: null,
  wire: (t) => ({
    env: { ERRAND_MODEL_URL: t.url, ERRAND_MODEL: t.model, ERRAND_MODEL_KIND: t.kind, ...(t.apiKey ? { ERRAND_MODEL_API_KEY: t.apiKey } : {}) },
    model: t.model,
  }),
};

/** The profile as its CLI is launched on the backend: the wiring's environment, arguments and model name. */
export function wiredProfile(profile: ProfileInfo, wiring: BackendWiring, target: BackendTarget): ProfileInfo {
  const wired = wiring.wire(target, profile);
  const args = [...(profile.options.args ?? []), ...(wired.args ?? [])];
  return {
    ...profile,
    env: { ...profile.env, ...wired.env },
    options: { ...profile.options, model: wired.model, ...(args.length ? { args } : {}) },
  };
}

function parseObject(value: unknown): Record<string, unknown> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  if (typeof value !== 'string') return {};
  try {
    const parsed = JSON.parse(value) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
