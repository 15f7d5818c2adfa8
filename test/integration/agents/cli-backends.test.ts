// The backend-wiring case: each real agent CLI that can use a local model, through a profile on a backend
// (`--backend NAME --model M`, nothing else about the model), against a scripted Ollama, LM Studio or llama-server
// found on loopback. The server must see the CLI's requests for that model, and the run must succeed with its answer.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunInfo, TaskInfo } from '../../../shared/domain.js';
import { startLocalModelServer } from '../../fixtures/local-model-server.mjs';
import type { LocalKind, LocalModelServer } from '../../fixtures/local-model-server.mjs';
import { NOTE_CONTENT, NOTE_FILE, PLAIN_TEXT } from '../../fixtures/model-server.mjs';
import { cliBinary } from '../../support/agent-cli.js';
import type { AgentCli } from '../../support/agent-cli.js';
import { EventWatcher } from '../../support/event-watcher.js';
import { Sandbox } from '../../support/sandbox.js';

const DEAD_PROXY = 'http://127.0.0.1:9';
/** Codex reaches for chatgpt.com and GitHub whatever its provider: a dead proxy keeps it on loopback. */
const LOOPBACK_ONLY = ['HTTPS_PROXY', 'HTTP_PROXY', 'ALL_PROXY', 'https_proxy', 'http_proxy', 'all_proxy'].flatMap((k) => ['--env', `${k}=${DEAD_PROXY}`]);

/** What each CLI needs besides its model (no model, URL or key: the backend gives those). */
const QUIET: Record<string, string[]> = {
  opencode: ['--env', 'OPENCODE_DISABLE_AUTOUPDATE=1', '--env', 'OPENCODE_DISABLE_MODELS_FETCH=1', '--env', 'npm_config_offline=true'],
  codex: [...LOOPBACK_ONLY, '--env', 'NO_PROXY=127.0.0.1,localhost', '--env', 'no_proxy=127.0.0.1,localhost', '--permission-mode', 'workspace-write'],
  qwen: [],
  claude: ['--permission-mode', 'acceptEdits'],
};

interface World {
  sb: Sandbox;
  server: LocalModelServer;
  watch: EventWatcher;
  repo: string;
}

async function world(cli: AgentCli, kind: LocalKind): Promise<World> {
  const server = await startLocalModelServer({ kind, capacity: 4 });
  const sb = new Sandbox();
  sb.env.ERRAND_LOCAL_PORTS = `${kind}=${server.port}`;
  if (cli === 'qwen') {
    mkdirSync(join(sb.home, '.qwen'), { recursive: true });
    writeFileSync(join(sb.home, '.qwen/settings.json'), JSON.stringify({ privacy: { usageStatisticsEnabled: false } }));
  }
  const repo = sb.repo();
  await sb.errand(['daemon', 'start']);
  return { sb, server, watch: await EventWatcher.start(sb), repo };
}

async function close(w: World | undefined): Promise<void> {
  if (!w) return;
  w.watch.stop();
  await w.sb.cleanup();
  await w.server.close();
}

async function run(w: World, prompt: string, profile: string): Promise<RunInfo> {
  const task = await w.sb.json<TaskInfo>(['add', prompt, '--repo', w.repo, '--profile', profile]);
  await w.watch.waitFor((e) => e.type === 'run.status' && e.runId === task.run!.id && e.ended, `run ${task.run!.id} to end`, 150_000);
  const { runs } = await w.sb.json<{ runs: RunInfo[] }>(['show', String(task.id)]);
  return runs[0]!;
}

/** Each CLI, the server it runs on, the path its requests take, and whether the (slow) edit case runs too. */
const CASES: [AgentCli, LocalKind, string, boolean][] = [
  ['opencode', 'ollama', '/v1/chat/completions', true],
  ['codex', 'lmstudio', '/v1/responses', true],
  ['qwen', 'llama-server', '/v1/chat/completions', false],
  ['claude', 'ollama', '/v1/messages', false],
];

for (const [cli, kind, path, edits] of CASES) {
  describe(`${cli} on a ${kind} backend (real CLI, scripted ${kind})`, () => {
    let w: World;
    beforeAll(async () => {
      w = await world(cli, kind);
      const profile = (name: string, model: string) =>
        w.sb.json(['profile', 'add', name, '--adapter', cli, '--binary', cliBinary(cli), '--backend', kind, '--model', model, ...QUIET[cli]!]);
      await profile('local', 'errand-plain');
      await profile('local-edit', 'errand-edit');
    }, 60_000);
    afterAll(() => close(w));

    it('errand models lists the backend, and the profile on it as valid', async () => {
      const report = await w.sb.json<{ backends: { name: string; health: string }[]; profiles: { profile: string; ok: boolean; problems: string[] }[] }>(['models']);
      expect(report.backends.map((b) => [b.name, b.health])).toEqual([[kind, 'ok']]);
      expect(report.profiles.find((p) => p.profile === 'local')).toMatchObject({ ok: true, problems: [] });
    });

    it('answers through the backend: the server sees its requests for the profile\'s model, and the run succeeds', async () => {
      const done = await run(w, 'What is the answer? (backend)', 'local');
      expect(done).toMatchObject({ status: 'succeeded', resultText: PLAIN_TEXT });
      const work = w.server.generations().filter((r) => r.model === 'errand-plain' && !r.side);
      expect(work.length).toBeGreaterThan(0);
      expect(work.every((r) => r.path === path)).toBe(true);
      // Nothing about the backend is in the profile: the wiring added it at launch, with no config file in HOME.
      const { env } = (await w.sb.json<{ name: string; env: Record<string, string> }[]>(['profile', 'ls'])).find((p) => p.name === 'local')!;
      expect(Object.keys(env).some((k) => /BASE_URL|CONFIG_CONTENT|API_KEY/.test(k))).toBe(false);
      for (const config of ['.codex/config.toml', '.config/opencode/opencode.json', '.config/opencode/opencode.jsonc', '.claude/settings.json']) {
        expect(existsSync(join(w.sb.home, config))).toBe(false);
      }
    }, 180_000);

    it.runIf(edits)('edits a file in the worktree through the backend', async () => {
      const done = await run(w, 'Write the note.', 'local-edit');
      expect(done.status).toBe('succeeded');
      expect(readFileSync(join(done.worktree!, NOTE_FILE), 'utf8')).toBe(NOTE_CONTENT);
      expect(w.server.generations().some((r) => r.model === 'errand-edit' && r.hadToolResult)).toBe(true);
    }, 180_000);
  });
}
