// The environment an agent starts with: the engine's own, minus what belongs to the engine or its launcher.
const ENGINE_PREFIXES = ['ERRAND_', 'npm_', 'ELECTRON_'];
const ENGINE_NAMES = new Set(['INIT_CWD', 'NODE_CHANNEL_FD', 'NODE_CHANNEL_SERIALIZATION_MODE']);

export function baseRunEnv(source: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(source)) {
    if (value === undefined || ENGINE_NAMES.has(key) || ENGINE_PREFIXES.some((p) => key.startsWith(p))) continue;
    env[key] = value;
  }
  return env;
}

export function runEnv(
  profileEnv: Record<string, string>,
  run: { taskId: number; runId: number; port: number },
  source: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  return {
    ...baseRunEnv(source),
    ...profileEnv,
    TERM: 'xterm-256color',
    COLORTERM: 'truecolor',
    ERRAND_TASK_ID: String(run.taskId),
    ERRAND_RUN_ID: String(run.runId),
    PORT: String(run.port),
  };
}
