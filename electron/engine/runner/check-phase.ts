// The repo's check: after the agent says it succeeded, the person's own command judges the worktree.
import type { CheckResult } from '../../../shared/domain.js';
import { CHECK_TAIL_BYTES } from '../../../shared/domain.js';
import type { Verdict } from '../agents/adapter.js';
import type { PtyExit } from './pty-process.js';

export const DEFAULT_CHECK_TIMEOUT_MS = 30 * 60_000;
/** Raw output kept while the check runs: escapes and carriage returns are removed from it before the tail is cut. */
const RAW_TAIL_BYTES = 4 * CHECK_TAIL_BYTES;
// CSI and OSC sequences and two-byte escapes.
const ANSI_ESCAPE = /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])/g;

/** What a run's check is, decided when the run starts. */
export interface CheckPlan {
  command: string;
  timeoutMs: number;
}

/** Which send-back to the agent a failure is (n of the repo's `of`). */
export interface SendBack {
  n: number;
  of: number;
}

/** What the check needs of its run session. */
export interface CheckHost {
  /** Runs a command in the worktree under the run's PTY; its output goes to the run's log and to `onData`. */
  spawn(file: string, args: string[], onData: (data: Buffer) => void): Promise<PtyExit>;
  /** Ends the check's process (its time is up). */
  stop(): void;
  log(line: string): void;
}

export async function runCheck(plan: CheckPlan, host: CheckHost): Promise<CheckResult> {
  host.log(`check: ${plan.command}`);
  const tail = new TailBuffer(RAW_TAIL_BYTES);
  const startedAt = Date.now();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    host.stop();
  }, plan.timeoutMs);
  let exit: PtyExit;
  try {
    exit = await host.spawn('/bin/sh', ['-c', plan.command], (data) => tail.push(data));
  } finally {
    clearTimeout(timer);
  }
  const exitCode = timedOut || exit.signal ? null : exit.exitCode;
  const result: CheckResult = {
    command: plan.command,
    exitCode,
    passed: exitCode === 0,
    timedOut,
    durationMs: Date.now() - startedAt,
    outputTail: cleanTail(tail.bytes()),
    sentBack: false,
  };
  if (result.passed) host.log(`check passed in ${seconds(result.durationMs)}`);
  else host.log(`check failed: ${howItFailed(result)}`);
  return result;
}

/** How the run ends once its check has judged the agent's success. */
export function checkedVerdict(verdict: Verdict, result: CheckResult, sendBack: SendBack | null): Verdict {
  if (result.passed) {
    return { ...verdict, reason: verdict.reason ? `${verdict.reason}; check passed` : `check passed: ${result.command}` };
  }
  const sentBack = sendBack ? `; sent back to the agent with its output (retry ${sendBack.n} of ${sendBack.of})` : '';
  return { ...verdict, status: 'failed', reason: `check failed: ${result.command} (${howItFailed(result)})${sentBack}` };
}

/** The follow-up the agent gets when its result failed the check. */
export function sendBackMessage(result: CheckResult): string {
  return (
    `The repo's check \`${result.command}\` failed (${howItFailed(result)}). Fix it, so that the check passes. ` +
    `The end of its output:\n\n${result.outputTail}`
  );
}

export function howItFailed(result: CheckResult): string {
  if (result.timedOut) return `timed out after ${seconds(result.durationMs)}`;
  if (result.exitCode === null) return 'stopped by a signal';
  return `exit ${result.exitCode}`;
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms / 1000)}s`;
}

/** The last `max` bytes of a stream, at most one chunk over while it is being filled. */
class TailBuffer {
  private parts: Buffer[] = [];
  private size = 0;

  constructor(private readonly max: number) {}

  push(data: Buffer): void {
    this.parts.push(data);
    this.size += data.length;
    while (this.parts.length > 1 && this.size - this.parts[0]!.length >= this.max) this.size -= this.parts.shift()!.length;
  }

  bytes(): Buffer {
    const all = Buffer.concat(this.parts, this.size);
    return all.length > this.max ? all.subarray(all.length - this.max) : all;
  }
}

/** Printable text: escapes gone, lines ended by \n, at most CHECK_TAIL_BYTES of UTF-8, never a split character. */
export function cleanTail(raw: Buffer): string {
  const text = raw
    .toString('utf8')
    .replace(ANSI_ESCAPE, '')
    .replace(/\r+\n/g, '\n')
    .replace(/[^\n]*\r/g, '');
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= CHECK_TAIL_BYTES) return text.replace(/^\uFFFD/, '');
  let start = bytes.length - CHECK_TAIL_BYTES;
  while (start < bytes.length && (bytes[start]! & 0xc0) === 0x80) start++;
  return bytes.subarray(start).toString('utf8');
}
