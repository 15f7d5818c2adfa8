import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunInfo } from '../../../../shared/domain.js';
import { PendingRunWrites } from '../../../../electron/engine/store/pending-writes.js';
import type { RunUpdate } from '../../../../electron/engine/store/runs-store.js';
import { UNSAVED_RUNS_FILE_BYTES, UnsavedRunsFile } from '../../../../electron/engine/store/unsaved-runs-file.js';

const diskFull = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });

function run(id: number, fields: Partial<RunInfo> = {}): RunInfo {
  return { id, status: 'running', reason: null, pid: 42, logBytes: 0, endedAt: null, ...fields } as RunInfo;
}

describe('PendingRunWrites', () => {
  it('keeps one merged entry per run, however many changes the disk refuses, and reads see it', () => {
    const pending = new PendingRunWrites(() => {
      throw diskFull;
    });
    for (let n = 0; n < 1000; n++) pending.hold(1, pending.with(1, { progress: { filesChanged: n } }), diskFull);
    pending.hold(1, pending.with(1, { status: 'failed', reason: 'the disk is full (…)', pid: null }), diskFull);
    pending.hold(2, pending.with(2, { progress: { filesChanged: 1 } }), diskFull);
    pending.stop();
    expect(pending.size).toBe(2);
    expect(pending.with(1, {})).toEqual({ progress: { filesChanged: 999 }, status: 'failed', reason: 'the disk is full (…)', pid: null });
    expect(pending.overlay(run(1))).toMatchObject({ status: 'failed', reason: 'the disk is full (…)', pid: null });
    expect(pending.overlay(run(3))).toMatchObject({ status: 'running', pid: 42 });
    // Only runs with a held status change their membership in a query by status.
    expect(pending.statusFilter(['running'])).toEqual({ held: '[1]', matching: '[]' });
    expect(pending.statusFilter(['failed'])).toEqual({ held: '[1]', matching: '[1]' });
  });

  it('writes what it holds once the disk takes it, and says so', () => {
    let full = true;
    const written: [number, RunUpdate][] = [];
    const pending = new PendingRunWrites((id, fields) => {
      if (full) throw diskFull;
      written.push([id, fields]);
    });
    const landed: number[] = [];
    pending.onLanded = (id) => landed.push(id);
    pending.hold(7, { status: 'failed', reason: 'r' }, diskFull);
    expect(pending.retryNow()).toBe(1);
    full = false;
    expect(pending.retryNow()).toBe(0);
    expect(written).toEqual([[7, { status: 'failed', reason: 'r' }]]);
    expect(landed).toEqual([7]);
    expect(pending.overlay(run(7)).status).toBe('running');
  });
});

describe('UnsavedRunsFile', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is made at its full size, keeps final statuses across an open, cut short, and clears', () => {
    dir = mkdtempSync(join(tmpdir(), 'errand-unsaved-'));
    const path = join(dir, 'unsaved-runs.json');
    const file = UnsavedRunsFile.open(path);
    expect(file.problem).toBeNull();
    expect(statSync(path).size).toBe(UNSAVED_RUNS_FILE_BYTES);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const long = 'x'.repeat(5000);
    expect(file.save(new Map([[3, { status: 'failed', reason: long, exitCode: null, endedAt: 5, pid: null, progress: {} }]]))).toBe(true);
    file.close();
    expect(statSync(path).size).toBe(UNSAVED_RUNS_FILE_BYTES);

    const again = UnsavedRunsFile.open(path);
    const found = again.found.get(3)!;
    expect(found).toMatchObject({ status: 'failed', exitCode: null, endedAt: 5 });
    expect(found.reason!.length).toBeLessThan(long.length);
    expect(found).not.toHaveProperty('progress');
    expect(again.save(new Map())).toBe(true);
    again.close();
    expect(UnsavedRunsFile.open(path).found.size).toBe(0);
  });

  it('reads a torn or foreign file as empty, and takes only final statuses', () => {
    dir = mkdtempSync(join(tmpdir(), 'errand-unsaved-'));
    const path = join(dir, 'unsaved-runs.json');
    writeFileSync(path, '{"runs":[[1,{"status":"fai');
    expect(UnsavedRunsFile.open(path).found.size).toBe(0);
    writeFileSync(path, JSON.stringify({ runs: [[1, { status: 'running' }], [2, { status: 'failed', reason: 7 }], ['x', {}]] }));
    const file = UnsavedRunsFile.open(path);
    expect([...file.found]).toEqual([[2, { status: 'failed' }]]);
    expect(statSync(path).size).toBe(UNSAVED_RUNS_FILE_BYTES);
  });

  it('keeps the newest runs when they do not all fit, and says it could not keep them all', () => {
    dir = mkdtempSync(join(tmpdir(), 'errand-unsaved-'));
    const file = UnsavedRunsFile.open(join(dir, 'unsaved-runs.json'));
    const many = new Map<number, RunUpdate>();
    for (let id = 1; id <= 1000; id++) many.set(id, { status: 'failed', reason: 'y'.repeat(400) });
    expect(file.save(many)).toBe(false);
    file.close();
    const found = UnsavedRunsFile.open(join(dir, 'unsaved-runs.json')).found;
    expect(found.size).toBeGreaterThan(100);
    expect(found.has(1000)).toBe(true);
    expect(found.has(1)).toBe(false);
  });
});
