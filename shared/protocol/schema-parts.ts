// The pieces the method schemas are made of: bounded text, names, ids, paths, and the shapes several methods share.
import { z } from 'zod';
import { looksSecret } from '../domain.js';
import { compileNeedsInputPattern } from '../needs-input-pattern.js';
import { MAX_PREREQUISITES, MAX_PROMPT_CHARS } from './limits.js';

export const MAX_CHECK_RETRIES = 20;
export const MAX_RETRIES = 20;
export const MAX_BACKOFF_MS = 24 * 3600_000;
export const MAX_TRAIN_TASKS = 100;
export const MAX_CHECK_TIMEOUT_MS = 24 * 3600_000;
export const NO_NUL = /^[^\u0000]*$/;
export const text = (max: number) =>
  z.string().max(max).regex(NO_NUL, 'must not contain NUL characters (U+0000): no program can receive them as an argument');
export const name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'use 1–64 letters, digits, dots, dashes or underscores');
export const absPath = text(4096).refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p), 'must be an absolute path');
export const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
export const termSize = { cols: z.number().int().min(2).max(1000), rows: z.number().int().min(1).max(500) };
export const empty = z.strictObject({}).optional();
export const prompt = text(MAX_PROMPT_CHARS).refine((p) => p.trim().length > 0, 'is empty: say what the agent should do');
export const priority = z.number().int().min(-1000).max(1000);
/** Tasks a new task waits for: to succeed (--after), or to be merged (--after-merge). */
export const prerequisites = {
  after: z.array(id).max(MAX_PREREQUISITES).optional(),
  afterMerge: z.array(id).max(MAX_PREREQUISITES).optional(),
};

export const needsInputRuleSchema = z.strictObject({
  pattern: text(1000).superRefine((pattern, ctx) => {
    const problem = needsInputPatternProblem(pattern);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  quietMs: z.number().int().min(100).max(600_000).default(1500),
  lines: z.number().int().min(1).max(100).default(5),
});

function needsInputPatternProblem(pattern: string): string | null {
  try {
    compileNeedsInputPattern(pattern);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

export const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'environment names use letters, digits and _');
export const MAX_PROFILE_ENV = 200;

export const envSchema = z.record(envName, text(32_768)).superRefine((env, ctx) => {
  for (const key of Object.keys(env).filter(looksSecret)) {
    ctx.addIssue({
      code: 'custom',
      path: [key],
      message:
        'looks like a secret, and a profile stores --env values as plain text. Refer to it instead: ' +
        `--env-from ${key}=VARIABLE (read from the engine's environment at each run) or ` +
        `--env-keychain ${key}=SERVICE/ACCOUNT (the OS keychain).`,
    });
  }
});

// Handed to the keychain tool as arguments of their own: one starting with - could read as an option.
export const keychainPart = text(255).min(1).regex(/^[^-]/, 'must not start with -');
export const secretRefSchema = z.discriminatedUnion('from', [
  z.strictObject({ from: z.literal('env'), name: envName }),
  z.strictObject({ from: z.literal('keychain'), service: keychainPart, account: keychainPart }),
]);

export const attentionKind = z.string().regex(/^[a-z][a-z_]{0,31}$/, 'is not a kind of item (question, tool_request, result, failure, …)');
export const snoozeTarget = { taskId: id.optional(), itemId: id.optional() };
export const oneTarget = (p: { taskId?: number; itemId?: number }) => (p.taskId === undefined) !== (p.itemId === undefined);
/** A chain's name starts with a letter, so that a task id never reads as one. */
export const chainName = z.string().regex(/^[A-Za-z][A-Za-z0-9._-]{0,63}$/, 'use a letter, then up to 63 letters, digits, dots, dashes or underscores');
export const chainStep = z.strictObject({
  name: text(64),
  profile: name.nullable(),
  gate: z.boolean(),
  prompt: text(MAX_PROMPT_CHARS),
});

/** `errand approve --merge | --pr | --keep-branch`. */
