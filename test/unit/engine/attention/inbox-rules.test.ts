// The pure rules of the inbox: what an attention becomes, how a burst is worded and timed, what deals with an item,
// and the digest's times of day.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunInfo } from '../../../../shared/domain.js';
import { Coalescer } from '../../../../electron/engine/attention/burst.js';
import { nextDigestAt, readTimes } from '../../../../electron/engine/attention/digest.js';
import { burstText, inboxKind } from '../../../../electron/engine/attention/inbox-kinds.js';
import type { StoredItem } from '../../../../electron/engine/attention/items-store.js';
import { resolutionFor } from '../../../../electron/engine/attention/resolution.js';

afterEach(() => vi.useRealTimers());

const item = (fields: Partial<StoredItem>) => ({ id: 1, taskId: 1, runId: 1, kind: 'result', ...fields }) as StoredItem;

describe('inbox rules', () => {
  it('names what an attention asks for: a question, a tool request, a result, a failure', () => {
    const asking = { request: { id: 'r', tool: 'Bash', input: {}, summary: 'Bash: npm publish' } } as RunInfo;
    const questionTool = { request: { id: 'q', tool: 'AskUserQuestion', input: {}, summary: 'Which?' } } as RunInfo;
    expect(inboxKind('needs_input', null)).toBe('question');
    expect(inboxKind('needs_input', asking)).toBe('tool_request');
    expect(inboxKind('needs_input', questionTool)).toBe('question');
    expect(inboxKind('finished', null)).toBe('result');
    expect(inboxKind('failed', null)).toBe('failure');
    expect(inboxKind('interrupted', null)).toBe('interrupted');
  });

  it('words a burst by its kinds, in the order they came', () => {
    expect(burstText(Array(10).fill('result'))).toBe('10 tasks finished');
    expect(burstText(['question', 'failure', 'question', 'result'])).toBe('2 questions, 1 task failed, 1 task finished');
    expect(burstText(['tool_request', 'some_new_kind'])).toBe('1 tool request, 1 some new kind');
  });

  it('tells a burst after a quiet window, and within the longest wait however busy it stays', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const told: number[][] = [];
    const burst = new Coalescer((ids) => told.push(ids), 1000, 5000);
    for (let id = 1; id <= 10; id++) burst.add(id);
    vi.advanceTimersByTime(999);
    expect(told).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(told).toEqual([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]]);
    // An arrival every 500 ms never goes quiet for 1000: it is told at 5000.
    for (let id = 11; id <= 30; id++) {
      burst.add(id);
      vi.advanceTimersByTime(500);
    }
    expect(told[1]).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    burst.stop();
  });

  it('deals with items by what happened to their task', () => {
    const question = item({ kind: 'question', runId: 4 });
    const answered = resolutionFor({ type: 'run.status', taskId: 1, runId: 4, status: 'running', previous: 'needs_input', reason: null, question: null, exitCode: null, ended: false, attempt: 1, progress: {}, startedAt: null, endedAt: null, at: 0 });
    expect(answered).toMatchObject({ taskId: 1, resolution: 'answered' });
    expect(answered!.covers(question)).toBe(true);
    expect(answered!.covers(item({ kind: 'question', runId: 3 }))).toBe(false);
    expect(answered!.covers(item({ kind: 'result', runId: 4 }))).toBe(false);
    const retried = resolutionFor({ type: 'run.created', run: { taskId: 1, kind: 'start', message: null } as RunInfo });
    expect(retried).toMatchObject({ resolution: 'retried' });
    expect(resolutionFor({ type: 'run.created', run: { taskId: 1, kind: 'reply', message: 'go on' } as RunInfo })).toMatchObject({ resolution: 'replied' });
    const merged = resolutionFor({ type: 'task.review', taskId: 1, review: 'merged', detail: null, at: 0 });
    expect(merged!.covers(item({ kind: 'failure' }))).toBe(true);
    const conflict = resolutionFor({ type: 'task.review', taskId: 1, review: 'conflict', detail: null, at: 0 });
    expect(conflict).toMatchObject({ resolution: 'conflict' });
    expect(conflict!.covers(item({ kind: 'failure' }))).toBe(false);
    expect(resolutionFor({ type: 'task.review', taskId: 1, review: 'unreviewed', detail: null, at: 0 })).toBeNull();
  });

  it('reads digest times and finds the next, in the zone and across a clock change', () => {
    expect(readTimes(['17', '9:00', ' 13:30 ', '09:00'])).toEqual(['09:00', '13:30', '17:00']);
    expect(() => readTimes(['9am'])).toThrow('"9am" is not a time of day');
    expect(() => readTimes(['12:60'])).toThrow('not a time of day');
    const berlinMorning = Date.UTC(2026, 11, 2, 7, 30); // 08:30 in Berlin (UTC+1)
    expect(new Date(nextDigestAt(['09:00', '17:00'], 'Europe/Berlin', berlinMorning)!).toISOString()).toBe('2026-12-02T08:00:00.000Z');
    expect(new Date(nextDigestAt(['09:00'], 'Europe/Berlin', Date.UTC(2026, 11, 2, 9))!).toISOString()).toBe('2026-12-03T08:00:00.000Z');
    // The night Berlin moves to summer time: 09:00 the next morning is 07:00 UTC.
    expect(new Date(nextDigestAt(['09:00'], 'Europe/Berlin', Date.UTC(2026, 2, 28, 12))!).toISOString()).toBe('2026-03-29T07:00:00.000Z');
  });
});
