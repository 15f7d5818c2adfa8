// Runs one OpenCode turn the way `opencode run --format json` does, but through `opencode serve`, so a permission or
// question it asks waits for the person instead of being auto-rejected. The engine runs this in the agent's PTY:
// JSON lines out (events.ts), and the person's answers in on stdin, one JSON line each (see `answerLine`).
//
//   opencode-driver --opencode BIN --prompt-file FILE [--model PROVIDER/MODEL] [--session ID] [--agent NAME]
//                   [--variant NAME] [-- ARGS FOR opencode serve]
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { DriverLine } from './events.js';
import { EventTranslator } from './events.js';
import { OpenCodeServer } from './server.js';

/** What the engine writes to answer a request (opencode-adapter.ts). */
export type AnswerLine =
  | { type: 'permission_reply'; requestID: string; reply: 'once' | 'always' | 'reject'; message?: string }
  | { type: 'question_reply'; requestID: string; answers: string[][] }
  | { type: 'question_reject'; requestID: string };

const EXIT_FAILED = 1;
const EXIT_USAGE = 2;
const ABORT_TIMEOUT_MS = 2000;

function print(line: DriverLine): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

/** The server of this run, once started: whatever ends the driver ends it too. */
let running: OpenCodeServer | null = null;

function fail(message: string, code = EXIT_FAILED): never {
  print({ type: 'error', timestamp: Date.now(), error: { name: 'ErrandDriverError', data: { message } } });
  running?.stop();
  process.exit(code);
}

function options() {
  try {
    const { values, positionals } = parseArgs({
      options: {
        opencode: { type: 'string' },
        'prompt-file': { type: 'string' },
        model: { type: 'string' },
        session: { type: 'string' },
        agent: { type: 'string' },
        variant: { type: 'string' },
      },
      allowPositionals: true,
    });
    if (!values.opencode || !values['prompt-file']) throw new Error('--opencode and --prompt-file are required');
    return { ...values, opencode: values.opencode, promptFile: values['prompt-file'], serveArgs: positionals };
  } catch (error) {
    return fail(`opencode driver: ${(error as Error).message}`, EXIT_USAGE);
  }
}

/** `provider/model` as the API wants it; the model part may itself contain slashes. */
function modelRef(model: string | undefined): { providerID: string; modelID: string } | undefined {
  if (!model) return undefined;
  const slash = model.indexOf('/');
  if (slash <= 0) fail(`OpenCode models are named provider/model; "${model}" has no provider. Fix the profile's --model.`, EXIT_USAGE);
  return { providerID: model.slice(0, slash), modelID: model.slice(slash + 1) };
}

async function openSession(server: OpenCodeServer, sessionId: string | undefined): Promise<string> {
  if (sessionId) {
    const session = (await server.request('GET', `/session/${encodeURIComponent(sessionId)}`).catch(() => null)) as { id?: unknown } | null;
    if (typeof session?.id !== 'string') fail(`OpenCode has no session ${sessionId} in this worktree; start a new task instead.`);
    return session.id;
  }
  // As `run` does: no switching into plan mode, which needs OpenCode's own UI. Questions stay on: the person answers.
  const permission = ['plan_enter', 'plan_exit'].map((name) => ({ permission: name, action: 'deny', pattern: '*' }));
  const created = (await server.request('POST', '/session', { permission })) as { id?: unknown };
  if (typeof created?.id !== 'string') fail('OpenCode did not create a session.');
  return created.id;
}

function answer(server: OpenCodeServer, line: string): void {
  let message: AnswerLine;
  try {
    message = JSON.parse(line) as AnswerLine;
  } catch {
    return;
  }
  const id = encodeURIComponent(String(message.requestID));
  const sent =
    message.type === 'permission_reply'
      ? server.request('POST', `/permission/${id}/reply`, { reply: message.reply, ...(message.message ? { message: message.message } : {}) })
      : message.type === 'question_reply'
        ? server.request('POST', `/question/${id}/reply`, { answers: message.answers })
        : message.type === 'question_reject'
          ? server.request('POST', `/question/${id}/reject`)
          : null;
  sent?.catch((error: Error) => process.stderr.write(`errand: could not pass the answer to OpenCode: ${error.message}\n`));
}

async function main(): Promise<void> {
  const opts = options();
  const prompt = readFileSync(opts.promptFile, 'utf8');
  const model = modelRef(opts.model);
  const server = await OpenCodeServer.start(opts.opencode, opts.serveArgs, (text) => process.stderr.write(text)).catch((error: Error) =>
    fail(error.message),
  );
  running = server;
  const events = new AbortController();
  let sessionId: string | null = null;
  const stop = (code: number) => {
    events.abort();
    const aborting = sessionId ? server.request('POST', `/session/${sessionId}/abort`, undefined, ABORT_TIMEOUT_MS) : Promise.resolve();
    void aborting.catch(() => undefined).finally(() => {
      server.stop();
      process.exit(code);
    });
  };
  for (const [signal, code] of [['SIGTERM', 143], ['SIGHUP', 129], ['SIGINT', 130]] as const) process.once(signal, () => stop(code));
  void server.exited.then((how) => {
    if (!events.signal.aborted) fail(`opencode serve exited (${how}) during the run.`);
  });

  sessionId = await openSession(server, opts.session).catch((error: Error) => fail(error.message));
  const translator = new EventTranslator(sessionId);
  const reading = await server
    .subscribe((event) => {
      for (const line of translator.translate(event)) print(line);
      if (translator.idle) events.abort();
    }, events.signal)
    .catch((error: Error) => fail(`could not follow OpenCode's events: ${error.message}`));
  createInterface({ input: process.stdin }).on('line', (line) => answer(server, line));

  await server
    .request('POST', `/session/${sessionId}/prompt_async`, {
      parts: [{ type: 'text', text: prompt }],
      ...(model ? { model } : {}),
      ...(opts.agent ? { agent: opts.agent } : {}),
      ...(opts.variant ? { variant: opts.variant } : {}),
    })
    .catch((error: Error) => fail(error.message));
  await reading.done.catch((error: Error) => {
    if (!events.signal.aborted) fail(`lost OpenCode's events: ${error.message}`);
  });
  if (!translator.idle) fail('OpenCode stopped sending events before the turn ended.');
  server.stop();
  process.exit(translator.error ? EXIT_FAILED : 0);
}

void main().catch((error: Error) => fail(error.message));
