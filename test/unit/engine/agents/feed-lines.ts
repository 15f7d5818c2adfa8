// Feeds an interpreter JSON events (or plain lines) as a PTY would give them: \r\n line ends, in small pieces.
import type { Interpreter, Signal } from '../../../../electron/engine/agents/adapter.js';

export function feed(interpreter: Interpreter, lines: (object | string)[], chunk = 13): Signal[] {
  // A PTY turns each \n into \r\n.
  const bytes = Buffer.from(lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\r\n') + '\r\n');
  const out: Signal[] = [];
  for (let i = 0; i < bytes.length; i += chunk) out.push(...interpreter.onOutput!(bytes.subarray(i, i + chunk)));
  return out;
}
