import { describe, expect, it } from 'vitest';
import { CHECK_TAIL_BYTES } from '../../../../shared/domain.js';
import type { CheckResult } from '../../../../shared/domain.js';
import { checkedVerdict, cleanTail, sendBackMessage } from '../../../../electron/engine/runner/check-phase.js';

const failed: CheckResult = {
  command: 'npm test',
  exitCode: 1,
  passed: false,
  timedOut: false,
  durationMs: 2300,
  outputTail: '1 failing\n',
  sentBack: false,
};

describe("a check's output tail", () => {
  it('drops terminal escapes, carriage returns and lines a \\r wrote over', () => {
    const raw = Buffer.from('\x1b[32m✓ passes\x1b[0m\r\nprogress 10%\rprogress 100%\r\n\x1b]0;title\x07\x1b[31m✗ fails\x1b[0m\r\n');
    expect(cleanTail(raw)).toBe('✓ passes\nprogress 100%\n✗ fails\n');
  });

  it('keeps at most CHECK_TAIL_BYTES of UTF-8, its end, never starting inside a character', () => {
    const text = `${'é'.repeat(5000)}the end\n`;
    const tail = cleanTail(Buffer.from(text));
    expect(Buffer.byteLength(tail)).toBeLessThanOrEqual(CHECK_TAIL_BYTES);
    expect(Buffer.byteLength(tail)).toBeGreaterThan(CHECK_TAIL_BYTES - 4);
    expect(tail.endsWith('the end\n')).toBe(true);
    expect(tail).not.toContain('\uFFFD');
  });

  it('drops a character the raw buffer was cut inside of', () => {
    expect(cleanTail(Buffer.from('é ok\n').subarray(1))).toBe(' ok\n');
  });
});

describe("a check's verdict", () => {
  it('keeps the agent success with "check passed", and fails with the command and exit code', () => {
    expect(checkedVerdict({ status: 'succeeded', reason: null }, { ...failed, passed: true, exitCode: 0 }, null)).toEqual({
      status: 'succeeded',
      reason: 'check passed: npm test',
    });
    expect(checkedVerdict({ status: 'succeeded', reason: null, resultText: 'Done.' }, failed, null)).toEqual({
      status: 'failed',
      reason: 'check failed: npm test (exit 1)',
      resultText: 'Done.',
    });
    expect(checkedVerdict({ status: 'succeeded', reason: null }, { ...failed, timedOut: true, exitCode: null }, { n: 1, of: 3 }).reason).toBe(
      'check failed: npm test (timed out after 2.3s); sent back to the agent with its output (retry 1 of 3)',
    );
  });

  it('tells the agent what failed, with the output', () => {
    expect(sendBackMessage(failed)).toBe("The repo's check `npm test` failed (exit 1). Fix it, so that the check passes. The end of its output:\n\n1 failing\n");
  });
});
