// errand schedule add|ls|show|edit|pause|resume|rm, and errand policy set|ls|rm (retries and escalation).
import type { RetryPolicy, ScheduleInfo } from '../../../shared/domain.js';
import type { CliContext } from '../cli-context.js';
import { parse, UsageError } from '../cli-context.js';
import { clockTime, oneLine, statusText, table, TIME_ZONE } from '../format.js';
import { absolutePath } from './task-commands.js';

const SCHEDULE_USAGE = `errand schedule add "<when>" "<prompt>" --repo <path> --profile <name>
       errand schedule ls | show <id> | pause <id> | resume <id> | rm <id>
       errand schedule edit <id> [--when "<when>"] [--prompt "<prompt>"] [--repo <path>] [--profile <name>]
  <when>: "every weekday 9:00", "every day 18:30", "every monday 8am", "every 2h", or cron ("0 9 * * 1-5"), in your zone.
  A schedule runs only while the engine is up; a time missed while it was down runs once when it starts.`;

export async function schedule(ctx: CliContext, args: string[]): Promise<void> {
  const { values, positionals } = parse(
    args,
    { repo: { type: 'string' }, profile: { type: 'string' }, when: { type: 'string' }, prompt: { type: 'string' } },
    SCHEDULE_USAGE,
  );
  const [action, ...rest] = positionals;
  const id = () => scheduleId(rest[0]);
  switch (action) {
    case 'add': {
      if (rest.length !== 2 || !values.repo || !values.profile) throw new UsageError(`give the time and the prompt, --repo and --profile\nusage: ${SCHEDULE_USAGE}`);
      const engine = await ctx.engine();
      const s = await engine.request('schedule.add', {
        when: rest[0]!,
        prompt: rest[1]!,
        repo: absolutePath(values.repo as string),
        profile: values.profile as string,
        timeZone: TIME_ZONE,
      });
      return ctx.print(s, () => `schedule ${s.id}: ${s.when} (${s.cron}), next ${next(s)}`);
    }
    case 'ls': {
      const engine = await ctx.engine();
      const { schedules } = await engine.request('schedule.list');
      return ctx.print({ schedules }, () => (schedules.length ? scheduleTable(schedules) : 'no schedules: errand schedule add "every weekday 9:00" "<prompt>" --repo . --profile <name>'));
    }
    case 'show': {
      const engine = await ctx.engine();
      const detail = await engine.request('schedule.get', { id: id() });
      return ctx.print(detail, () => {
        const s = detail.schedule;
        const lines = [
          `schedule ${s.id}  ${s.paused ? 'paused' : `next ${next(s)}`}  (${s.when}; cron ${s.cron}, ${s.timeZone})`,
          `repo    ${s.repoPath}  (profile ${s.profile})`,
          `prompt  ${oneLine(s.prompt, 200)}`,
          `last    ${s.lastAt ? `${clockTime(s.lastAt)}, task ${s.lastTaskId}` : 'not run yet'}`,
        ];
        const rows = [['TASK', 'STATUS', 'REVIEW']];
        for (const t of detail.tasks) rows.push([String(t.id), statusText(t), t.review === 'nothing_found' ? 'nothing found' : (t.review?.replace('_', ' ') ?? '-')]);
        return detail.tasks.length ? `${lines.join('\n')}\n\n${table(rows)}` : lines.join('\n');
      });
    }
    case 'edit': {
      const change = {
        ...(values.when !== undefined ? { when: values.when as string } : {}),
        ...(values.prompt !== undefined ? { prompt: values.prompt as string } : {}),
        ...(values.repo !== undefined ? { repo: absolutePath(values.repo as string) } : {}),
        ...(values.profile !== undefined ? { profile: values.profile as string } : {}),
      };
      if (Object.keys(change).length === 0) throw new UsageError(`say what to change\nusage: ${SCHEDULE_USAGE}`);
      const engine = await ctx.engine();
      const s = await engine.request('schedule.edit', { id: id(), ...change, ...(change.when ? { timeZone: TIME_ZONE } : {}) });
      return ctx.print(s, () => `schedule ${s.id}: ${s.when} (${s.cron}), ${s.paused ? 'paused' : `next ${next(s)}`}`);
    }
    case 'pause':
    case 'resume': {
      const engine = await ctx.engine();
      const s = await engine.request(action === 'pause' ? 'schedule.pause' : 'schedule.resume', { id: id() });
      return ctx.print(s, () => `schedule ${s.id} ${s.paused ? 'paused' : `resumed, next ${next(s)}`}`);
    }
    case 'rm': {
      const engine = await ctx.engine();
      const result = await engine.request('schedule.remove', { id: id() });
      return ctx.print(result, () => `schedule ${result.removed} removed (the tasks it filed are kept)`);
    }
    default:
      throw new UsageError(`usage: ${SCHEDULE_USAGE}`);
  }
}

function next(s: ScheduleInfo): string {
  return s.nextAt === null ? 'never' : clockTime(s.nextAt);
}

function scheduleTable(schedules: ScheduleInfo[]): string {
  const rows = [['ID', 'WHEN', 'NEXT', 'PROFILE', 'PROMPT']];
  for (const s of schedules) rows.push([String(s.id), s.when, s.paused ? 'paused' : next(s), s.profile, oneLine(s.prompt, 50)]);
  return table(rows);
}

function scheduleId(value: string | undefined): number {
  const n = Number(value);
  if (!value || !Number.isSafeInteger(n) || n <= 0) throw new UsageError(`give a schedule id (errand schedule ls lists them)\nusage: ${SCHEDULE_USAGE}`);
  return n;
}

const POLICY_USAGE = `errand policy set <profile> [--retries N] [--backoff 30s] [--transient-retries N] [--escalate-to <profile>|none]
       errand policy ls | rm <profile>
  A rate limit or a 5xx from the model is retried on its own (--transient-retries, default 3, the backoff doubling
  each time). The agent's own failure is retried --retries times (default 0), --backoff apart, then the task moves
  up its ladder to --escalate-to's profile, whose own policy goes on from there.`;

export async function policy(ctx: CliContext, args: string[]): Promise<void> {
  const { values, positionals } = parse(
    args,
    { retries: { type: 'string' }, backoff: { type: 'string' }, 'transient-retries': { type: 'string' }, 'escalate-to': { type: 'string' } },
    POLICY_USAGE,
  );
  const [action, profile] = positionals;
  const engine = () => ctx.engine();
  if (action === 'set' && profile) {
    const escalate = values['escalate-to'] as string | undefined;
    const p = await (await engine()).request('retry.setPolicy', {
      profile,
      ...(values.retries !== undefined ? { retries: count(values.retries as string, '--retries') } : {}),
      ...(values['transient-retries'] !== undefined ? { transientRetries: count(values['transient-retries'] as string, '--transient-retries') } : {}),
      ...(values.backoff !== undefined ? { backoffMs: durationMs(values.backoff as string) } : {}),
      ...(escalate !== undefined ? { escalateTo: escalate === 'none' ? null : escalate } : {}),
    });
    return ctx.print(p, () => policyLine(p));
  }
  if (action === 'ls') {
    const { policies } = await (await engine()).request('retry.listPolicies');
    return ctx.print({ policies }, () => (policies.length ? policies.map(policyLine).join('\n') : 'no retry policies: every profile retries a transient model error 3 times, 30s apart and doubling'));
  }
  if (action === 'rm' && profile) {
    const result = await (await engine()).request('retry.clearPolicy', { profile });
    return ctx.print(result, () => `profile ${result.cleared} has the default policy again`);
  }
  throw new UsageError(`usage: ${POLICY_USAGE}`);
}

function policyLine(p: RetryPolicy): string {
  const ladder = p.escalateTo ? `, then escalate to ${p.escalateTo}` : '';
  return `${p.profile}: ${p.retries} retr${p.retries === 1 ? 'y' : 'ies'} ${formatDuration(p.backoffMs)} apart${ladder}; transient model errors retried ${p.transientRetries} times`;
}

function count(value: string, flag: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new UsageError(`${flag} takes a whole number\nusage: ${POLICY_USAGE}`);
  return n;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "30s", "500ms", "2m", "1h" in milliseconds. */
export function durationMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (!m) throw new UsageError(`--backoff takes a duration such as 30s, 500ms, 2m or 1h\nusage: ${POLICY_USAGE}`);
  return Math.round(Number(m[1]) * UNIT_MS[m[2]!]!);
}

function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
