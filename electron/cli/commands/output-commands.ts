// errand logs | attach | send | watch
import { isFinalStatus } from '../../../shared/domain.js';
import type { EngineEvent } from '../../../shared/protocol/events.js';
import type { MethodResults } from '../../../shared/protocol/methods.js';
import { MAX_LOG_READ_BYTES } from '../../../shared/protocol/limits.js';
import type { CliContext } from '../cli-context.js';
import { parse, taskIdArg, UsageError } from '../cli-context.js';
import type { EngineClient } from '../engine-client.js';
import { oneLine } from '../format.js';

/** Ctrl-] detaches, as in telnet and docker attach. */
const DETACH_BYTE = 0x1d;

function writeOut(engine: EngineClient, data: Buffer): void {
  if (!process.stdout.write(data)) {
    engine.pauseReading();
    process.stdout.once('drain', () => engine.resumeReading());
  }
}

async function printLog(engine: EngineClient, taskId: number, runId: number, from: number, to: number): Promise<number> {
  let offset = from;
  while (offset < to) {
    const length = Math.min(MAX_LOG_READ_BYTES, to - offset);
    const piece = await engine.request('run.readLog', { taskId, runId, offset, length });
    const data = Buffer.from(piece.data, 'base64');
    if (data.length === 0) break;
    writeOut(engine, data);
    offset += data.length;
  }
  return offset;
}

/** Streams a live run's output from `offset` until the run ends; catches up from the log if the engine drops us. */
function followRun(engine: EngineClient, taskId: number, runId: number, offset: number, onEnd: (status: string) => void): Promise<void> {
  let printed = offset;
  let catchingUp: Promise<void> = Promise.resolve();
  const queue: Extract<EngineEvent, { type: 'run.output' }>[] = [];
  return new Promise((resolve, reject) => {
    engine.onClose((reason) => reject(new Error(reason)));
    engine.onEvent((event) => {
      if (event.type === 'run.output' && event.runId === runId) {
        queue.push(event);
        catchingUp = catchingUp.then(() => drain());
      } else if (event.type === 'run.dropped' && event.runId === runId) {
        catchingUp = catchingUp.then(async () => {
          const again = await engine.request('run.subscribe', { taskId });
          printed = await printLog(engine, taskId, runId, printed, again.offset);
        });
      } else if (event.type === 'run.status' && event.runId === runId && isFinalStatus(event.status)) {
        void catchingUp.then(async () => {
          const detail = await engine.request('run.readLog', { taskId, runId, offset: printed, length: 1 });
          printed = await printLog(engine, taskId, runId, printed, detail.size);
          onEnd(event.status);
          resolve();
        }, reject);
      }
    });
    const drain = async () => {
      while (queue.length > 0) {
        const event = queue.shift()!;
        const data = Buffer.from(event.data, 'base64');
        if (event.offset > printed) printed = await printLog(engine, taskId, runId, printed, event.offset);
        const skip = printed - event.offset;
        if (skip < data.length) {
          writeOut(engine, skip > 0 ? data.subarray(skip) : data);
          printed = event.offset + data.length;
        }
      }
    };
  });
}

/** Subscribes to the task's run, first waiting for it to leave the queue if it has not started yet. */
async function subscribeOnceStarted(engine: EngineClient, taskId: number): Promise<MethodResults['run.subscribe']> {
  let started = () => {};
  const starting = new Promise<void>((resolve, reject) => {
    started = resolve;
    engine.onClose((reason) => reject(new Error(reason)));
  });
  starting.catch(() => {});
  // Listening before subscribing, so a start between the two is not missed.
  engine.onEvent((event) => {
    if (event.type === 'run.status' && event.taskId === taskId && event.status !== 'queued') started();
  });
  const sub = await engine.request('run.subscribe', { taskId });
  if (sub.status !== 'queued') return sub;
  await starting;
  return engine.request('run.subscribe', { taskId });
}

export async function logs(ctx: CliContext, args: string[]): Promise<void> {
  const usage = 'errand logs <id> [--follow] [--run <attempt id>]';
  const { values, positionals } = parse(args, { follow: { type: 'boolean', short: 'f' }, run: { type: 'string' } }, usage);
  const taskId = taskIdArg(positionals[0], usage);
  const engine = await ctx.engine();
  if (values.run !== undefined || !values.follow) {
    const runId = values.run === undefined ? undefined : taskIdArg(values.run as string, usage);
    const head = await engine.request('run.readLog', { taskId, ...(runId ? { runId } : {}), offset: 0, length: 1 });
    await printLog(engine, taskId, head.runId, 0, head.size);
    return;
  }
  await engine.request('events.subscribe');
  const sub = await subscribeOnceStarted(engine, taskId);
  const printed = await printLog(engine, taskId, sub.runId, 0, sub.offset);
  if (isFinalStatus(sub.status)) {
    const rest = await engine.request('run.readLog', { taskId, runId: sub.runId, offset: printed, length: 1 });
    await printLog(engine, taskId, sub.runId, printed, rest.size);
    return;
  }
  await followRun(engine, taskId, sub.runId, sub.offset, () => {});
}

export async function attach(ctx: CliContext, args: string[]): Promise<void> {
  const usage = 'errand attach <id>   (Ctrl-] detaches; the agent keeps running)';
  const { positionals } = parse(args, {}, usage);
  const taskId = taskIdArg(positionals[0], usage);
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new UsageError(`attach needs a terminal. Use \`errand logs ${taskId} --follow\` to watch or \`errand send ${taskId} "<text>"\` to answer.`);
  }
  const engine = await ctx.engine();
  await engine.request('events.subscribe');
  const size = { cols: process.stdout.columns || 80, rows: process.stdout.rows || 24 };
  const sub = await engine.request('run.subscribe', { taskId, attach: size });
  if (isFinalStatus(sub.status) || sub.status === 'queued') {
    throw new UsageError(`task ${taskId} is ${sub.status}: there is no live terminal. \`errand logs ${taskId}\` shows its output.`);
  }
  process.stdout.write(`\x1b[2J\x1b[H${sub.screen ?? ''}`);
  process.stdin.setRawMode(true);
  process.stdin.resume();
  let detached = false;
  const restore = () => {
    process.stdin.setRawMode(false);
    process.stdin.pause();
  };
  const onResize = () => void engine.request('run.resize', { taskId, cols: process.stdout.columns, rows: process.stdout.rows }).catch(() => {});
  process.stdout.on('resize', onResize);
  const ended = followRun(engine, taskId, sub.runId, sub.offset, (status) => {
    restore();
    process.stderr.write(`\r\n[errand] task ${taskId} ${status}\r\n`);
  });
  const detach = new Promise<void>((resolve) => {
    process.stdin.on('data', (chunk: Buffer) => {
      const at = chunk.indexOf(DETACH_BYTE);
      const keys = at === -1 ? chunk : chunk.subarray(0, at);
      if (keys.length > 0) void engine.request('run.input', { taskId, data: keys.toString('utf8') }).catch(() => {});
      if (at !== -1 && !detached) {
        detached = true;
        restore();
        process.stderr.write(`\r\n[errand] detached from task ${taskId}; it keeps running. errand attach ${taskId} to return.\r\n`);
        resolve();
      }
    });
  });
  await Promise.race([ended, detach]);
  process.stdout.off('resize', onResize);
}

export async function send(ctx: CliContext, args: string[]): Promise<void> {
  const usage = 'errand send <id> "<text>" [--no-enter]';
  const { values, positionals } = parse(args, { 'no-enter': { type: 'boolean' } }, usage);
  const taskId = taskIdArg(positionals[0], usage);
  if (positionals.length !== 2) throw new UsageError(`give the text as one quoted argument\nusage: ${usage}`);
  const engine = await ctx.engine();
  const data = values['no-enter'] ? positionals[1]! : `${positionals[1]}\r`;
  const result = await engine.request('run.input', { taskId, data });
  ctx.print(result, () => `sent ${result.written} bytes to task ${taskId}`);
}

function describe(event: EngineEvent): string | null {
  const time = new Date().toLocaleTimeString();
  switch (event.type) {
    case 'task.created':
      return `${time} task ${event.task.id} created: ${oneLine(event.task.prompt, 60)}`;
    case 'run.status':
      return `${time} task ${event.taskId} ${event.previous} → ${event.status}${event.question ? `: ${event.question}` : event.reason ? `: ${event.reason}` : ''}`;
    case 'run.check':
      if (!event.check) return `${time} task ${event.taskId} checking: ${event.command}`;
      return `${time} task ${event.taskId} check ${event.check.passed ? 'passed' : 'failed'}: ${event.command}`;
    case 'run.auto_allowed':
      return `${time} task ${event.taskId} allowed by rule ${event.ruleId}: ${event.request}`;
    case 'attention':
      return `${time} task ${event.taskId} needs you (${event.kind}): ${event.message}`;
    default:
      return null;
  }
}

export async function watch(ctx: CliContext, args: string[]): Promise<void> {
  parse(args, {}, 'errand watch [--json]');
  const engine = await ctx.engine();
  const closed = new Promise<never>((_, reject) => engine.onClose((reason) => reject(new Error(reason))));
  engine.onEvent((event) => {
    const line = ctx.json ? JSON.stringify(event) : describe(event);
    if (line) process.stdout.write(`${line}\n`);
  });
  const snapshot = await engine.request('events.subscribe');
  if (ctx.json) process.stdout.write(`${JSON.stringify({ type: 'snapshot', tasks: snapshot.tasks })}\n`);
  else process.stdout.write(`watching ${snapshot.tasks.length} recent task(s); Ctrl-C stops\n`);
  await closed;
}
