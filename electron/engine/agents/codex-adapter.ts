// Codex: `codex exec --json`, whose JSONL events say when a turn completes or fails.
//
// exec never asks for approval: its sandbox refuses what the profile's mode does not allow, the model is told, and the
// turn still completes. Codex 0.169 often leaves a sandbox-denied command out of its JSON altogether, so a refusal is
// read from Codex's own log on stderr (the `codex_sandboxing::violation` warning we turn on with RUST_LOG, and the tool
// router's "rejected by user approval settings" error); the refused command is named from the JSON when it is there,
// else from the session's rollout file. Such a turn ends `needs_input` offering a grant one step wider, and
// `errand reply` re-runs it with that grant.
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ProfileInfo, ReplyGrant, RunProgress } from '../../../shared/domain.js';
import type { AgentAdapter, ExitInfo, Interpreter, LaunchContext, LaunchSpec, Signal, Verdict } from './adapter.js';
import { codexBackend } from './backend-wiring.js';
import { findRollout, refusedInRollout, SANDBOX_OUTPUT, unwrapShell } from './codex-rollout.js';
import { exitVerdict } from './command-adapter.js';
import { JsonLines } from './json-lines.js';
import { refusedReason } from './verdict-wording.js';

const INTERESTING = /^\{"type":"(thread\.started|turn\.|item\.completed|item\.updated|item\.started|error)/;
// CSI and OSC sequences: Codex colours its log lines when stderr is a terminal.
const ANSI_ESCAPE = /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\))/g;
const VIOLATION_LOG = 'codex_sandboxing::violation=warn';
const VIOLATION = /codex_sandboxing::violation: recorded sandbox violation: resource=(\w+)/;
const ROUTER_REFUSAL = /codex_core::tools::router: error=(.*(?:rejected by user approval settings|blocked by .*sandbox).*)$/;
/**
 * One step wider than `mode`, enough for what was refused; never as far as danger-full-access, which a reply must not
 * grant by itself (the person sets that in the profile if they mean it).
 */
function widen(mode: string | undefined, resources: Set<string>): ReplyGrant | null {
  if (mode === 'danger-full-access') return null;
  if ([...resources].some((r) => r !== 'network')) return mode === 'workspace-write' ? null : { sandbox: 'workspace-write', network: false };
  return { sandbox: 'workspace-write', network: true };
}

/** The wider sandbox a reply to a refusal runs in: what that refusal offered. */
function grantFor(context: LaunchContext): ReplyGrant | null {
  if (context.kind !== 'reply' || context.previous?.status !== 'needs_input') return null;
  return context.previous.replyGrant;
}

function codexHome(profile: ProfileInfo): string {
  return profile.env.CODEX_HOME ?? process.env.CODEX_HOME ?? join(profile.env.HOME ?? homedir(), '.codex');
}

class CodexInterpreter implements Interpreter {
  readonly quietMs = null;
  readonly screenLines = 0;
  private readonly lines = new JsonLines();
  private threadId: string | null = null;
  private lastMessage: string | null = null;
  private lastError: string | null = null;
  /** Resources Codex's sandbox refused this turn (its violation log), and tool errors its router logged. */
  private readonly violations = new Set<string>();
  private readonly routerRefusals: string[] = [];
  /** Commands and edits the JSON shows failing on the sandbox. */
  private readonly refusedItems: string[] = [];

  constructor(private readonly profile: ProfileInfo) {}

  onOutput(batch: Buffer): Signal[] {
    const out: Signal[] = [];
    this.lines.pushText(batch, (line) => {
      const brace = line.indexOf('{');
      if (brace !== -1 && INTERESTING.test(line.slice(brace, brace + 30))) {
        try {
          const event = JSON.parse(line.slice(brace)) as Record<string, unknown>;
          if (event && typeof event === 'object') return this.read(event, out);
        } catch {
          // Not JSON after all: a log line.
        }
      }
      if (!line.includes('codex_')) return;
      const plain = line.replace(ANSI_ESCAPE, '');
      const violation = VIOLATION.exec(plain);
      if (violation) this.violations.add(violation[1]!);
      const routed = ROUTER_REFUSAL.exec(plain);
      if (routed) this.routerRefusals.push(routed[1]!.trim());
    });
    return out;
  }

  onQuiet(): Signal | null {
    return null;
  }

  onExit(exit: ExitInfo, done: Verdict | null): Verdict {
    if (done) return done;
    if (exit.exitCode === 0 && !exit.signal) return { status: 'unknown', reason: 'Codex exited without completing a turn; check its log' };
    const verdict = exitVerdict(exit);
    return { status: 'failed', reason: this.lastError ? `Codex failed: ${this.lastError}` : `Codex ${verdict.reason}` };
  }

  private read(event: Record<string, unknown>, out: Signal[]): void {
    const item = (event.item ?? {}) as Record<string, unknown>;
    switch (event.type) {
      case 'thread.started':
        if (typeof event.thread_id === 'string') {
          this.threadId = event.thread_id;
          out.push({ type: 'session', sessionId: event.thread_id });
        }
        return;
      case 'item.started':
      case 'item.updated':
      case 'item.completed':
        if (item.type === 'todo_list' && Array.isArray(item.items)) {
          const items = item.items as { completed?: boolean }[];
          out.push({ type: 'progress', progress: { todosDone: items.filter((i) => i.completed).length, todosTotal: items.length } });
        }
        if (event.type !== 'item.completed') return;
        if (item.type === 'agent_message' && typeof item.text === 'string') this.lastMessage = item.text;
        if (item.type === 'error' && typeof item.message === 'string') this.lastError = item.message;
        if (item.type === 'command_execution' && item.status === 'failed' && SANDBOX_OUTPUT.test(String(item.aggregated_output ?? ''))) {
          this.refusedItems.push(unwrapShell(String(item.command ?? 'a command')));
        }
        if (item.type === 'file_change' && item.status === 'failed' && Array.isArray(item.changes)) {
          const changes = item.changes as { path?: string; kind?: string }[];
          this.refusedItems.push(`apply_patch (${changes.map((c) => `${c.kind ?? 'change'} ${c.path ?? '?'}`).join(', ')})`);
        }
        if (item.type === 'request_user_input') {
          const question = [item.question, item.prompt, item.text, item.message].find((q) => typeof q === 'string') as string | undefined;
          out.push({ type: 'needs_input', question: `Codex asks: ${question ?? 'a question (see its log)'}` });
        }
        return;
      case 'error':
        if (typeof event.message === 'string') this.lastError = event.message;
        return;
      case 'turn.completed': {
        const usage = (event.usage ?? {}) as Record<string, number>;
        const progress: RunProgress = { inputTokens: usage.input_tokens ?? 0, outputTokens: usage.output_tokens ?? 0 };
        out.push({ type: 'progress', progress });
        out.push({ type: 'done', verdict: this.refusal() ?? { status: 'succeeded', reason: null }, resultText: this.lastMessage });
        return;
      }
      case 'turn.failed': {
        const message = String((event.error as { message?: string } | undefined)?.message ?? this.lastError ?? 'the turn failed');
        out.push({ type: 'done', verdict: { status: 'failed', reason: `API error: ${message.slice(0, 500)}` }, resultText: this.lastMessage });
        return;
      }
    }
  }

  /** A turn that completed with something refused by the sandbox: the person decides whether to widen it. */
  private refusal(): Verdict | null {
    if (this.violations.size === 0 && this.routerRefusals.length === 0) return null;
    const resources = new Set(this.violations);
    if (this.routerRefusals.length > 0) resources.add('filesystem');
    let what = [...this.refusedItems];
    if (what.length === 0 && this.threadId) {
      try {
        const rollout = findRollout(codexHome(this.profile), this.threadId);
        if (rollout) what = refusedInRollout(rollout);
      } catch {
        // The rollout is only for naming what was refused.
      }
    }
    if (what.length === 0) what = [...this.routerRefusals, ...[...this.violations].map((r) => `a ${r} access`)];
    const mode = this.profile.options.permissionMode;
    const grant = widen(mode, resources);
    const reply = grant
      ? `errand reply re-runs it with sandbox ${grant.sandbox}${grant.network ? ' and network access' : ''}.`
      : 'Only a wider profile can allow that: give it --permission-mode danger-full-access if you mean it, then errand reply.';
    const reason = refusedReason('Codex', what, reply, `by its ${mode ?? 'default'} sandbox`);
    return { status: 'needs_input', reason, ...(grant ? { replyGrant: grant } : {}) };
  }
}

export const codexAdapter: AgentAdapter = {
  id: 'codex',
  binaryNames: ['codex'],
  backend: codexBackend,
  install: 'npm install -g @openai/codex, then run `codex login` or set OPENAI_API_KEY',
  defaultOptions: { permissionMode: 'workspace-write' },
  version: (output) => output.match(/codex-cli (\d+\.\d+\.\d+)/)?.[1] ?? output.match(/(\d+\.\d+\.\d+)/)?.[1] ?? null,

  launch(profile: ProfileInfo, context: LaunchContext): LaunchSpec {
    const { model, args = [] } = profile.options;
    const grant = grantFor(context);
    const mode = grant?.sandbox ?? profile.options.permissionMode;
    const common = ['--json', '--skip-git-repo-check', ...(model ? ['-m', model] : [])];
    const network = grant?.network ? ['-c', 'sandbox_workspace_write.network_access=true'] : [];
    // The prompt arrives on stdin ("-"), so no prompt is too long for an argument. `resume` takes its flags after
    // the word resume, and has no -s: the sandbox is set as config there.
    const argv =
      context.kind === 'start'
        ? [context.binary ?? 'codex', 'exec', ...common, ...(mode ? ['-s', mode] : []), ...network, ...args, '-']
        : [context.binary ?? 'codex', 'exec', 'resume', ...common, ...(mode ? ['-c', `sandbox_mode=${JSON.stringify(mode)}`] : []), ...network, ...args, context.sessionId!, '-'];
    // Codex logs each sandbox violation at warn: that is how a refusal it leaves out of its JSON is seen.
    const rustLog = profile.env.RUST_LOG ?? process.env.RUST_LOG ?? 'error';
    const env = { ...profile.env, RUST_LOG: rustLog.includes(VIOLATION_LOG) ? rustLog : `${rustLog},${VIOLATION_LOG}` };
    return { argv, env, stdinFile: context.promptFile };
  },

  interpreter(profile: ProfileInfo): Interpreter {
    return new CodexInterpreter(profile);
  },
};
