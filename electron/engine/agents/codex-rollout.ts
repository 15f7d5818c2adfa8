// Codex's session rollout (`$CODEX_HOME/sessions/YYYY/MM/DD/rollout-…-<thread>.jsonl`): what a turn's tool calls
// were and what they answered. Codex 0.169 leaves a sandbox-denied command out of its JSON, so this names it.
import { closeSync, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';

const ROLLOUT_MAX_BYTES = 8 * 1024 * 1024;
const ROLLOUT_MAX_DAY_DIRS = 400;
/** What a tool's output says when the sandbox stopped it. */
export const SANDBOX_OUTPUT = /Read-only file system|Operation not permitted|blocked by .*sandbox|rejected by user approval settings/;

/** `/bin/bash -lc "sh -c 'x'"` → `sh -c 'x'`: the command as the model wrote it. */
export function unwrapShell(command: string): string {
  const m = /^\S*\/(?:ba|z)?sh -lc (.*)$/s.exec(command);
  if (!m) return command;
  const inner = m[1]!;
  if (inner.length >= 2 && inner.startsWith('"') && inner.endsWith('"')) return inner.slice(1, -1).replace(/\\(["\\$`])/g, '$1');
  if (inner.length >= 2 && inner.startsWith("'") && inner.endsWith("'")) return inner.slice(1, -1).replace(/'\\''/g, "'");
  return inner;
}

/** `$CODEX_HOME/sessions/YYYY/MM/DD/rollout-…-<thread>.jsonl`, newest days first. */
export function findRollout(home: string, threadId: string): string | null {
  const desc = (dir: string) => {
    try {
      return readdirSync(dir).sort().reverse();
    } catch {
      return [];
    }
  };
  const sessions = join(home, 'sessions');
  let days = 0;
  for (const year of desc(sessions)) {
    for (const month of desc(join(sessions, year))) {
      for (const day of desc(join(sessions, year, month))) {
        const dir = join(sessions, year, month, day);
        const file = desc(dir).find((f) => f.endsWith(`-${threadId}.jsonl`));
        if (file) return join(dir, file);
        if (++days >= ROLLOUT_MAX_DAY_DIRS) return null;
      }
    }
  }
  return null;
}

function readTail(path: string, maxBytes: number): string {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, maxBytes);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** What a tool call in the rollout tried: the command, or the files a patch touches. */
function describeCall(name: string, input: string): string {
  if (name === 'apply_patch' || input.startsWith('*** Begin Patch')) {
    const files = [...input.matchAll(/^\*\*\* (Add|Update|Delete) File: (.+)$/gm)].map((m) => `${m[1]!.toLowerCase()} ${m[2]}`);
    return `apply_patch (${files.join(', ') || 'a patch'})`;
  }
  try {
    const args = JSON.parse(input) as { cmd?: unknown; command?: unknown };
    const command = args.cmd ?? args.command;
    if (Array.isArray(command)) return command.length === 3 && /^-l?c$/.test(String(command[1])) ? String(command[2]) : command.join(' ');
    if (typeof command === 'string') return command;
  } catch {
    // Not JSON: show it as is.
  }
  return `${name} ${input}`.slice(0, 200);
}

/** The tool calls of the rollout's last turn whose output says the sandbox refused them. */
export function refusedInRollout(path: string): string[] {
  const lines = readTail(path, ROLLOUT_MAX_BYTES).split('\n');
  let start = 0;
  lines.forEach((line, i) => {
    if (line.includes('"type":"task_started"')) start = i;
  });
  const calls = new Map<string, string>();
  const refused: string[] = [];
  for (const line of lines.slice(start)) {
    if (!line.includes('"response_item"')) continue;
    let payload: Record<string, unknown>;
    try {
      payload = ((JSON.parse(line) as { payload?: Record<string, unknown> }).payload ?? {}) as Record<string, unknown>;
    } catch {
      continue;
    }
    const id = String(payload.call_id ?? '');
    if (payload.type === 'function_call' || payload.type === 'custom_tool_call') {
      calls.set(id, describeCall(String(payload.name ?? 'a tool'), String(payload.arguments ?? payload.input ?? '')));
    } else if (payload.type === 'function_call_output' || payload.type === 'custom_tool_call_output') {
      const output = typeof payload.output === 'string' ? payload.output : JSON.stringify(payload.output ?? '');
      if (SANDBOX_OUTPUT.test(output) && calls.has(id)) refused.push(calls.get(id)!);
    }
  }
  return refused;
}
