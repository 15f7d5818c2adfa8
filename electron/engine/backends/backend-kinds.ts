// What Errand knows about each kind of backend before asking it: where a local one listens by default, what it
// serves at most, how many requests it takes at once unless told, and how to give a model a longer context.
import type { BackendKind, ModelApi } from '../../../shared/domain.js';

/** Coding agents need at least this much context; a model loaded with less gets a warning. */
export const MIN_CONTEXT_TOKENS = 65_536;

/** Loopback ports probed for local servers: llama-server is moving from 8080 to 9931, so both. */
export const DEFAULT_LOCAL_PORTS: Record<'ollama' | 'lmstudio' | 'llama-server', number[]> = {
  ollama: [11434],
  lmstudio: [1234],
  'llama-server': [8080, 9931],
};

export const KIND_LABEL: Record<BackendKind, string> = {
  ollama: 'Ollama',
  lmstudio: 'LM Studio',
  'llama-server': 'llama-server',
  openai: 'OpenAI-compatible',
  anthropic: 'Anthropic-compatible',
};

/** The APIs a kind can serve at best (an older Ollama serves fewer: see ollamaApis). */
export const KIND_APIS: Record<BackendKind, ModelApi[]> = {
  ollama: ['chat', 'responses', 'messages'],
  lmstudio: ['chat', 'responses', 'messages'],
  'llama-server': ['chat', 'responses', 'messages'],
  openai: ['chat', 'responses'],
  anthropic: ['messages'],
};

/**
 * Requests at once unless the person sets --capacity: Ollama's OLLAMA_NUM_PARALLEL (1) and LM Studio's max concurrent
 * predictions (4) are not visible over HTTP; llama-server says (its slots); a cloud endpoint has no limit of its own.
 */
export const DEFAULT_CAPACITY: Record<BackendKind, number | null> = {
  ollama: 1,
  lmstudio: 4,
  'llama-server': null,
  openai: null,
  anthropic: null,
};

export const API_LABEL: Record<ModelApi, string> = {
  chat: 'the OpenAI Chat Completions API',
  responses: 'the OpenAI Responses API',
  messages: 'the Anthropic Messages API',
};

export const CONTEXT_HINT: Record<BackendKind, string> = {
  ollama: `start Ollama with OLLAMA_CONTEXT_LENGTH=${MIN_CONTEXT_TOKENS} (or more) and load the model again`,
  lmstudio: `load the model with a context length of ${MIN_CONTEXT_TOKENS} or more`,
  'llama-server': `start llama-server with -c ${MIN_CONTEXT_TOKENS} (per slot: -c is shared by --parallel slots)`,
  openai: 'choose a model with a longer context',
  anthropic: 'choose a model with a longer context',
};

/** Ollama added /v1/responses in 0.13.3 and /v1/messages in 0.14.0. */
export function ollamaApis(version: string | null): { apis: ModelApi[]; missing: MissingApis } {
  if (!version) return { apis: KIND_APIS.ollama, missing: {} };
  const apis: ModelApi[] = ['chat'];
  const missing: MissingApis = {};
  if (atLeast(version, [0, 13, 3])) apis.push('responses');
  else missing.responses = 'Ollama 0.13.3 and later do';
  if (atLeast(version, [0, 14, 0])) apis.push('messages');
  else missing.messages = 'Ollama 0.14 and later do';
  return { apis, missing };
}

/** For an API a backend's version lacks: what would serve it. */
export type MissingApis = Partial<Record<ModelApi, string>>;

function atLeast(version: string, wanted: number[]): boolean {
  const parts = (/(\d+)\.(\d+)\.(\d+)/.exec(version) ?? /(\d+)\.(\d+)/.exec(version))?.slice(1).map(Number);
  if (!parts) return true;
  for (let i = 0; i < wanted.length; i++) {
    const have = parts[i] ?? 0;
    if (have !== wanted[i]) return have > wanted[i]!;
  }
  return true;
}
