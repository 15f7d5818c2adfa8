import { describe, expect, it } from 'vitest';
import { PtyProcess } from '../../../../electron/engine/runner/pty-process.js';
import { FAKE_AGENT } from '../../../support/sandbox.js';

function agent(steps: string[], onData: (data: Buffer) => void): PtyProcess {
  return new PtyProcess(
    {
      file: process.execPath,
      args: [FAKE_AGENT, ...steps],
      cwd: process.cwd(),
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'xterm-256color' },
      cols: 80,
      rows: 24,
    },
    onData,
  );
}

describe('PtyProcess', () => {
  it('keeps the end of the output when the agent exits while reading is paused', async () => {
    const chunks: Buffer[] = [];
    const proc = agent(['flood', '2048', 'say', 'the end'], (data) => chunks.push(Buffer.from(data)));
    // Paused before reading a byte, as when a subscriber lags: the agent's output (small enough for the terminal's
    // buffer) waits there while the agent exits.
    proc.pause();
    const exit = await proc.exited;
    expect(exit.exitCode).toBe(0);
    const text = Buffer.concat(chunks).toString('latin1');
    expect(text.split('\r\n').filter((l) => /^x+$/.test(l))).toHaveLength(16);
    expect(text.endsWith('the end\r\n')).toBe(true);
  });

  it('keeps what was read but not yet delivered, and the rest, when paused mid-stream as the agent exits', async () => {
    const chunks: Buffer[] = [];
    let proc: PtyProcess | null = null;
    let paused = false;
    proc = agent(['sleep', '200', 'flood', String(16 * 1024), 'say', 'the end'], (data) => {
      chunks.push(Buffer.from(data));
      if (!paused) {
        paused = true;
        proc!.pause();
      }
    });
    const exit = await proc.exited;
    expect(exit.exitCode).toBe(0);
    const text = Buffer.concat(chunks).toString('latin1');
    expect(text.split('\r\n').filter((l) => l === 'x'.repeat(127))).toHaveLength(128);
    expect(text.endsWith('the end\r\n')).toBe(true);
  });
});
