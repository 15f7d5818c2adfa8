// Claude Code, headless: stream-json out, stream-json in, and permission requests answered by Errand over stdio.
import { randomUUID } from 'node:crypto';
import type { PermissionRequest, ProfileInfo } from '../../../shared/domain.js';
import type { AgentAdapter, Decision, LaunchContext, LaunchSpec } from './adapter.js';
import { claudeBackend } from './backend-wiring.js';
import { QUESTION_TOOL, questionsOf, StreamJsonInterpreter } from './stream-json.js';

export function userMessage(text: string): string {
  return `${JSON.stringify({ type: 'user', message: { role: 'user', content: text } })}\n`;
}

export const claudeAdapter: AgentAdapter = {
  id: 'claude',
  binaryNames: ['claude'],
  backend: claudeBackend,
  install: 'npm install -g @anthropic-ai/claude-code, then run `claude` once to sign in',
  defaultOptions: { permissionMode: 'acceptEdits' },
  version: (output) => output.match(/(\d+\.\d+\.\d+)/)?.[1] ?? null,

  launch(profile: ProfileInfo, context: LaunchContext): LaunchSpec {
    const { model, permissionMode, args = [] } = profile.options;
    const sessionId = context.kind === 'start' ? randomUUID() : undefined;
    const argv = [
      context.binary ?? 'claude',
      '-p',
      '--input-format',
      'stream-json',
      '--output-format',
      'stream-json',
      '--verbose',
      '--permission-prompt-tool',
      'stdio',
      ...(model ? ['--model', model] : []),
      ...(permissionMode ? ['--permission-mode', permissionMode] : []),
      ...(sessionId ? ['--session-id', sessionId] : ['--resume', context.sessionId!]),
      ...args,
    ];
    return {
      argv,
      env: profile.env,
      inputPipe: true,
      input: userMessage(context.prompt),
      ...(sessionId ? { sessionId } : {}),
    };
  },

  interpreter(): StreamJsonInterpreter {
    return new StreamJsonInterpreter({
      agentName: 'Claude',
      // Claude asks the person about every tool its mode does not allow; what it refuses unasked, its rules deny.
      refusedHint: "Its settings deny that: allow it in the profile (-- --allowedTools '<tool>'), then errand reply.",
    });
  },

  answer(request: PermissionRequest, decision: Decision): string {
    const questions = request.tool === QUESTION_TOOL ? questionsOf(request.input) : [];
    let response: Record<string, unknown>;
    if (decision.behavior === 'answer' && questions.length > 0) {
      // AskUserQuestion takes the person's words as the answer to each of its questions.
      const answers = Object.fromEntries(questions.map((q) => [q.question, decision.message]));
      response = { behavior: 'allow', updatedInput: { ...(request.input as object), answers } };
    } else if (decision.behavior === 'answer') {
      response = { behavior: 'deny', message: `The person answered instead: ${decision.message}` };
    } else if (decision.behavior === 'allow') {
      response = { behavior: 'allow', updatedInput: request.input ?? {} };
    } else {
      response = { behavior: 'deny', message: decision.message };
    }
    return `${JSON.stringify({ type: 'control_response', response: { subtype: 'success', request_id: request.id, response } })}\n`;
  },

  followUp(message: string): string {
    return userMessage(message);
  },
};
