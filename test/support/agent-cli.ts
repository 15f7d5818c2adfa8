// A sandbox for running a real agent CLI through the engine against the scripted model server: every CLI's
// configuration lives in the sandbox's HOME, every request goes to 127.0.0.1.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { looksSecret } from '../../shared/domain.js';
import { codexModelCatalog, startModelServer } from '../fixtures/model-server.mjs';
import type { ModelServer } from '../fixtures/model-server.mjs';
import { EventWatcher } from './event-watcher.js';
import { ROOT, Sandbox } from './sandbox.js';

export const MODEL_KEY = 'errand-test-key';
/** The engine's environment variable that holds MODEL_KEY, for profiles to refer to (--env-from). */
const MODEL_KEY_VAR = 'ERRAND_TEST_MODEL_KEY';
export type AgentCli = 'claude' | 'codex' | 'opencode' | 'qwen' | 'gemini';

export function cliBinary(cli: AgentCli): string {
  return join(ROOT, 'node_modules/.bin', cli);
}

export interface AgentWorld {
  sb: Sandbox;
  server: ModelServer;
  watch: EventWatcher;
  repo: string;
  /** Adds a profile for the CLI that talks to the scripted server's `model` (its name picks the scenario). */
  profile(name: string, model: string, extra?: { permissionMode?: string; args?: string[]; env?: Record<string, string> }): Promise<void>;
  close(): Promise<void>;
}

const DEAD_PROXY = 'http://127.0.0.1:9';
const LOOPBACK_ONLY = {
  HTTPS_PROXY: DEAD_PROXY,
  HTTP_PROXY: DEAD_PROXY,
  ALL_PROXY: DEAD_PROXY,
  https_proxy: DEAD_PROXY,
  http_proxy: DEAD_PROXY,
  all_proxy: DEAD_PROXY,
  NO_PROXY: '127.0.0.1,localhost',
  no_proxy: '127.0.0.1,localhost',
};

/** The environment each CLI needs to reach the scripted server and nothing else (see the model server's notes). */
function cliEnv(cli: AgentCli, server: ModelServer, sb: Sandbox, model: string): Record<string, string> {
  switch (cli) {
    case 'claude':
      return {
        ANTHROPIC_BASE_URL: server.url,
        ANTHROPIC_API_KEY: MODEL_KEY,
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        ANTHROPIC_DEFAULT_HAIKU_MODEL: 'errand-side',
      };
    case 'codex':
      // Codex also calls chatgpt.com and GitHub (plugin sync, experiments) whatever its config says: a dead proxy for
      // everything but loopback keeps it on 127.0.0.1.
      return { CODEX_HOME: join(sb.home, '.codex'), ERRAND_MODEL_KEY: MODEL_KEY, ...LOOPBACK_ONLY };
    case 'opencode':
      return {
        OPENCODE_CONFIG_CONTENT: JSON.stringify({
          provider: {
            errand: {
              npm: '@ai-sdk/openai-compatible',
              name: 'Errand',
              options: { baseURL: `${server.url}/v1`, apiKey: MODEL_KEY },
              models: { [model]: { limit: { context: 65536, output: 8192 } } },
            },
          },
          permission: { bash: 'ask' },
        }),
        OPENCODE_DISABLE_AUTOUPDATE: '1',
        OPENCODE_DISABLE_MODELS_FETCH: '1',
        npm_config_offline: 'true',
      };
    case 'qwen':
      return { OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: MODEL_KEY, OPENAI_MODEL: model };
    case 'gemini':
      return {
        GOOGLE_GEMINI_BASE_URL: server.url,
        GEMINI_API_KEY: MODEL_KEY,
        GEMINI_CLI_TRUST_WORKSPACE: 'true',
        TMPDIR: join(sb.root, 'tmp'),
      };
  }
}

/** Files a CLI reads from HOME to talk to the scripted server (written once per sandbox). */
function writeHomeConfig(cli: AgentCli, server: ModelServer, sb: Sandbox): void {
  if (cli === 'codex') {
    const codexHome = join(sb.home, '.codex');
    mkdirSync(codexHome, { recursive: true });
    const catalog = join(codexHome, 'errand-models.json');
    writeFileSync(catalog, JSON.stringify(codexModelCatalog()));
    writeFileSync(
      join(codexHome, 'config.toml'),
      [
        'model_provider = "local"',
        `model_catalog_json = "${catalog}"`,
        '[model_providers.local]',
        'name = "local"',
        `base_url = "${server.url}/v1"`,
        'wire_api = "responses"',
        'env_key = "ERRAND_MODEL_KEY"',
        '',
      ].join('\n'),
    );
  }
  if (cli === 'gemini') {
    mkdirSync(join(sb.home, '.gemini'), { recursive: true });
    mkdirSync(join(sb.root, 'tmp'), { recursive: true });
    writeFileSync(
      join(sb.home, '.gemini/settings.json'),
      JSON.stringify({ security: { auth: { selectedType: 'gemini-api-key' } }, general: { maxAttempts: 1 }, privacy: { usageStatisticsEnabled: false } }),
    );
  }
  if (cli === 'qwen') {
    mkdirSync(join(sb.home, '.qwen'), { recursive: true });
    writeFileSync(join(sb.home, '.qwen/settings.json'), JSON.stringify({ privacy: { usageStatisticsEnabled: false } }));
  }
}

export async function agentWorld(cli: AgentCli): Promise<AgentWorld> {
  const server = await startModelServer();
  const sb = new Sandbox();
  writeHomeConfig(cli, server, sb);
  const repo = sb.repo();
  // A profile may not hold a key as plain text: the engine has it in its environment, and profiles refer to it.
  sb.env[MODEL_KEY_VAR] = MODEL_KEY;
  await sb.errand(['daemon', 'start']);
  const watch = await EventWatcher.start(sb);
  return {
    sb,
    server,
    watch,
    repo,
    async profile(name, model, extra = {}) {
      const env = { ...cliEnv(cli, server, sb, model), ...extra.env };
      const args = [
        'profile',
        'add',
        name,
        '--adapter',
        cli,
        '--binary',
        cliBinary(cli),
        '--model',
        cli === 'opencode' ? `errand/${model}` : model,
        ...(extra.permissionMode ? ['--permission-mode', extra.permissionMode] : []),
        ...Object.entries(env).flatMap(([k, v]) => (v === MODEL_KEY && looksSecret(k) ? ['--env-from', `${k}=${MODEL_KEY_VAR}`] : ['--env', `${k}=${v}`])),
        ...(extra.args?.length ? ['--', ...extra.args] : []),
      ];
      const result = await sb.errand(args);
      if (result.code !== 0) throw new Error(`profile add ${name} failed: ${result.stderr}`);
    },
    async close() {
      watch.stop();
      await sb.cleanup();
      await server.close();
    },
  };
}
