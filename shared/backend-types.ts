// Model backends: local servers and configured endpoints an agent profile can be pointed at.
import type { AdapterId, SecretRef } from './domain.js';

/** Ollama, LM Studio and llama.cpp's llama-server run locally; openai and anthropic are any compatible URL. */
export const BACKEND_KINDS = ['ollama', 'lmstudio', 'llama-server', 'openai', 'anthropic'] as const;
export type BackendKind = (typeof BACKEND_KINDS)[number];
export const LOCAL_BACKEND_KINDS: readonly BackendKind[] = ['ollama', 'lmstudio', 'llama-server'];

/** The model APIs a backend may serve: OpenAI chat completions and responses, Anthropic messages. */
export const MODEL_APIS = ['chat', 'responses', 'messages'] as const;
export type ModelApi = (typeof MODEL_APIS)[number];

/** A backend the person added (`errand backend add`). Its key is a reference, never the value. */
export interface BackendInfo {
  id: number;
  name: string;
  kind: BackendKind;
  url: string;
  key: SecretRef | null;
  /** Requests it serves at once; null: the kind's default (llama-server: its slots; cloud: no limit). */
  capacity: number | null;
  createdAt: number;
}

export interface BackendModel {
  name: string;
  loaded: boolean;
  /** The context it is loaded with (or serves), when the backend says. */
  contextLength: number | null;
}

export type BackendHealth = 'ok' | 'loading' | 'down' | 'error';

/** What a probe of a backend found (`errand models`). */
export interface BackendStatus {
  name: string;
  kind: BackendKind;
  url: string;
  /** configured: `errand backend add`; detected: found on loopback at its default port. */
  source: 'configured' | 'detected';
  health: BackendHealth;
  /** Why it is not ok, in words. */
  problem: string | null;
  version: string | null;
  models: BackendModel[];
  /** The loaded model's context (the smallest, when several are loaded). */
  contextLength: number | null;
  apis: ModelApi[];
  /** Requests at once; null: no limit known or set. */
  capacity: number | null;
  capacitySource: 'slots' | 'configured' | 'default' | 'none';
  /** Requests it is serving now, when it says (llama-server's slots). */
  busy: number | null;
  /** `env:NAME` or `keychain:…`, never the key. */
  key: string | null;
  warnings: string[];
  checkedAt: number;
}

/** Whether an agent CLI can run on a backend, and why not. */
export interface BackendCombo {
  adapter: AdapterId;
  backend: string;
  ok: boolean;
  why: string | null;
}

/** A profile bound to a backend, and what stands in its way. */
export interface ProfileBackendCheck {
  profile: string;
  adapter: AdapterId;
  backend: string;
  model: string | null;
  ok: boolean;
  problems: string[];
  warnings: string[];
}
