// What each CLI offers to allow "always" reaches the request, and OpenCode is answered `always` only when that fits.
import { describe, expect, it } from 'vitest';
import type { PermissionRequest } from '../../../../shared/domain.js';
import { claudeAdapter } from '../../../../electron/engine/agents/claude-adapter.js';
import { opencodeAdapter } from '../../../../electron/engine/agents/opencode-adapter.js';
import { OpenCodeInterpreter } from '../../../../electron/engine/agents/opencode-interpreter.js';
import { StreamJsonInterpreter } from '../../../../electron/engine/agents/stream-json.js';

const line = (event: unknown) => Buffer.from(`${JSON.stringify(event)}\n`);
const requestOf = (signals: { type: string; request?: PermissionRequest }[]) => signals.find((s) => s.type === 'needs_input')?.request;

describe('permission suggestions', () => {
  it("Claude's addRules suggestions for the tool, in Errand's syntax", () => {
    const interpreter = new StreamJsonInterpreter({ agentName: 'Claude' });
    const signals = interpreter.onOutput(
      line({
        type: 'control_request',
        request_id: 'r1',
        request: {
          subtype: 'can_use_tool',
          tool_name: 'Bash',
          input: { command: 'npm test -- --watch' },
          permission_suggestions: [
            { type: 'addRules', behavior: 'allow', destination: 'localSettings', rules: [{ toolName: 'Bash', ruleContent: 'npm test:*' }, { toolName: 'Read' }] },
            { type: 'setMode', mode: 'acceptEdits', destination: 'session' },
            { type: 'addRules', behavior: 'deny', rules: [{ toolName: 'Bash', ruleContent: 'npm publish' }] },
          ],
        },
      }),
    );
    expect(requestOf(signals)).toMatchObject({ tool: 'Bash', always: ['npm test *'] });
  });

  it("OpenCode's always patterns", () => {
    const interpreter = new OpenCodeInterpreter();
    const signals = interpreter.onOutput(
      line({ type: 'permission_asked', sessionID: 's', request: { id: 'per_1', permission: 'bash', patterns: ['npm test'], always: ['npm test *'], metadata: {} } }),
    );
    expect(requestOf(signals)).toMatchObject({ tool: 'bash', input: { patterns: ['npm test'] }, always: ['npm test *'] });
  });
});

describe('answering allow always', () => {
  const request: PermissionRequest = { id: 'per_1', tool: 'bash', input: { patterns: ['npm test'] }, summary: 'bash: npm test', always: ['npm test *'] };

  it("OpenCode's reply is `always` when its own pattern was remembered, else `once`", () => {
    expect(JSON.parse(opencodeAdapter.answer!(request, { behavior: 'allow', always: true })!)).toMatchObject({ reply: 'always' });
    expect(JSON.parse(opencodeAdapter.answer!(request, { behavior: 'allow' })!)).toMatchObject({ reply: 'once' });
  });

  it('Claude is allowed this once: the engine answers each later request itself, and records it', () => {
    const claudeRequest: PermissionRequest = { id: 'r1', tool: 'Bash', input: { command: 'npm test' }, summary: 'Bash: npm test' };
    const answer = JSON.parse(claudeAdapter.answer!(claudeRequest, { behavior: 'allow', always: true })!);
    expect(answer.response.response).toEqual({ behavior: 'allow', updatedInput: { command: 'npm test' } });
  });
});
