import { afterEach, describe, expect, it, vi } from 'vitest';
import { EngineConnection } from '../../../../shared/protocol/client/engine-connection.js';
import type { ConnectionState } from '../../../../shared/protocol/client/engine-connection.js';
import { ErrandError } from '../../../../shared/protocol/errors.js';
import type { EngineEvent } from '../../../../shared/protocol/events.js';
import { FakeTransport } from './fake-transport.js';

const activity = (runId: number): EngineEvent => ({ type: 'run.activity', taskId: 1, runId, logBytes: 10, at: 0 });

async function opened(options = {}): Promise<{ transport: FakeTransport; client: EngineConnection }> {
  const transport = new FakeTransport();
  const client = new EngineConnection(transport, options);
  await client.connect();
  return { transport, client };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('EngineConnection', () => {
  it('sends a typed request and resolves with its answer', async () => {
    const { transport, client } = await opened();
    const answer = client.request('task.get', { id: 7 });
    expect(transport.sent[0]).toEqual({ jsonrpc: '2.0', id: 1, method: 'task.get', params: { id: 7 } });
    transport.push({ jsonrpc: '2.0', id: 1, result: { task: { id: 7 }, runs: [] } });
    expect(await answer).toEqual({ task: { id: 7 }, runs: [] });
  });

  it('rebuilds an engine error as an ErrandError with its code and message', async () => {
    const { transport, client } = await opened();
    const answer = client.request('task.get', { id: 7 });
    transport.push({ jsonrpc: '2.0', id: 1, error: { code: 'not_found', message: 'There is no task 7.' } });
    const error = await answer.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ErrandError);
    expect(error).toMatchObject({ code: 'not_found', message: 'There is no task 7.' });
  });

  it('keeps the action an engine error offers', async () => {
    const { transport, client } = await opened();
    const answer = client.request('task.get', { id: 7 });
    const action = { kind: 'retry', method: 'task.retry', params: { id: 7 } };
    transport.push({ jsonrpc: '2.0', id: 1, error: { code: 'conflict', message: 'It failed.', action } });
    expect(await answer.catch((e: unknown) => e)).toMatchObject({ code: 'conflict', action });
    expect(new ErrandError('conflict', 'x').toJSON()).toEqual({ code: 'conflict', message: 'x' });
    expect(new ErrandError('conflict', 'x', action).toJSON()).toEqual({ code: 'conflict', message: 'x', action });
  });

  it('matches answers to requests whatever order they come in', async () => {
    const { transport, client } = await opened();
    const first = client.request('engine.status');
    const second = client.request('repo.list');
    transport.push({ jsonrpc: '2.0', id: 2, result: ['second'] });
    transport.push({ jsonrpc: '2.0', id: 1, result: 'first' });
    expect(await Promise.all([first, second])).toEqual(['first', ['second']]);
  });

  it('gives each event to every listener, with its sequence number, until that listener unsubscribes', async () => {
    const { transport, client } = await opened();
    const a: [EngineEvent, number | null][] = [];
    const b: EngineEvent[] = [];
    const stopA = client.onEvent((event, seq) => a.push([event, seq]));
    client.onEvent((event) => b.push(event));
    transport.push({ jsonrpc: '2.0', method: 'event', params: activity(1), seq: 5 });
    stopA();
    transport.push({ jsonrpc: '2.0', method: 'event', params: activity(2) });
    expect(a).toEqual([[activity(1), 5]]);
    expect(b).toEqual([activity(1), activity(2)]);
  });

  it('times a request out, and ignores its late answer', async () => {
    vi.useFakeTimers();
    const { transport, client } = await opened({ requestTimeoutMs: 2000 });
    const answer = client.request('engine.status').catch((e: unknown) => e);
    const untimed = client.request('repo.list', undefined, { timeoutMs: null });
    await vi.advanceTimersByTimeAsync(1999);
    transport.push({ jsonrpc: '2.0', id: 2, result: [] });
    expect(await untimed).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(await answer).toMatchObject({ code: 'timeout', message: expect.stringContaining('engine.status within 2 s') });
    transport.push({ jsonrpc: '2.0', id: 1, result: 'late' });
  });

  it('rejects what waits when the link is lost, with the engine\'s last word as the reason', async () => {
    const { transport, client } = await opened({ lostMessage: (reason: string) => `${reason}. Run the command again.` });
    const states: [ConnectionState, string | null][] = [];
    client.onState((state, reason) => states.push([state, reason]));
    const answer = client.request('engine.status').catch((e: unknown) => e);
    transport.push({ jsonrpc: '2.0', id: null, error: { code: 'engine_stopping', message: 'the engine is stopping' } });
    transport.drop('');
    expect(await answer).toMatchObject({ code: 'internal', message: 'the engine is stopping. Run the command again.' });
    expect(states).toEqual([['closed', 'the engine is stopping']]);
    expect(await client.request('engine.status').catch((e: unknown) => e)).toBeInstanceOf(ErrandError);
  });

  it('reconnects with doubling delays after a lost link, and starts again from the first delay once connected', async () => {
    vi.useFakeTimers();
    const policy = { initialDelayMs: 100, maxDelayMs: 350, jitter: 0 };
    const { transport, client } = await opened({ reconnect: policy });
    const states: ConnectionState[] = [];
    client.onState((state) => states.push(state));
    transport.failures = [new Error('ECONNREFUSED'), new Error('ECONNREFUSED'), new Error('ECONNREFUSED')];
    transport.drop('lost the engine connection (EPIPE)');
    await vi.advanceTimersByTimeAsync(99);
    expect(transport.connects).toBe(1);
    await vi.advanceTimersByTimeAsync(1); // +100: fails
    expect(transport.connects).toBe(2);
    await vi.advanceTimersByTimeAsync(199);
    expect(transport.connects).toBe(2);
    await vi.advanceTimersByTimeAsync(1); // +200: fails
    expect(transport.connects).toBe(3);
    await vi.advanceTimersByTimeAsync(349);
    expect(transport.connects).toBe(3);
    await vi.advanceTimersByTimeAsync(1); // +350 (the ceiling, not 400): fails
    await vi.advanceTimersByTimeAsync(350); // succeeds
    expect(transport.connects).toBe(5);
    expect(client.state).toBe('open');
    expect(states.filter((s) => s === 'open')).toHaveLength(1);
    transport.drop('again');
    await vi.advanceTimersByTimeAsync(100);
    expect(transport.connects).toBe(6);
    expect(client.state).toBe('open');
  });

  it('keeps trying when the first connect fails, and stops for good on close()', async () => {
    vi.useFakeTimers();
    const transport = new FakeTransport();
    transport.failures = [new Error('ENOENT'), new Error('ENOENT')];
    const client = new EngineConnection(transport, { reconnect: { initialDelayMs: 100, maxDelayMs: 1000, jitter: 0 } });
    await expect(client.connect()).rejects.toThrow('ENOENT');
    await vi.advanceTimersByTimeAsync(100);
    expect(transport.connects).toBe(2);
    client.close();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(transport.connects).toBe(2);
    expect(client.state).toBe('closed');
  });

  it('does not reconnect when reconnecting is off (a CLI command)', async () => {
    vi.useFakeTimers();
    const { transport, client } = await opened();
    transport.drop('gone');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(transport.connects).toBe(1);
    expect(client.state).toBe('closed');
  });
});
