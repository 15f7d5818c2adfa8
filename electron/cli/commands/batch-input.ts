// Reads a batch file: one task per line (blank lines skipped), or a JSON array of prompts or of task objects. Every
// problem names its line (or item) and files nothing: the whole file is checked before the engine is asked.
import { ErrandError } from '../../../shared/protocol/errors.js';
import { MAX_BATCH_TASKS, MAX_MESSAGE_BYTES, MAX_PROMPT_CHARS } from '../../../shared/protocol/limits.js';
import type { MethodInput } from '../../../shared/protocol/methods.js';

export type BatchItem = MethodInput<'batch.create'>['tasks'][number];

/** Room left in one message for the request's envelope, repo and profile. */
const ENVELOPE_BYTES = 64 * 1024;
const SHAPE = 'one task per line, or a JSON array of prompts or of {"prompt": "...", "profile": "...", "priority": N} objects';

const refuse = (message: string) => new ErrandError('invalid_params', `${message}. Nothing was filed.`);

function fromJson(text: string): BatchItem[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw refuse(`The batch looks like JSON but is not valid JSON (${(error as Error).message}); give ${SHAPE}`);
  }
  if (!Array.isArray(value)) throw refuse(`The batch is JSON but not an array; give ${SHAPE}`);
  return value.map((entry: unknown, i): BatchItem => {
    const at = `item ${i + 1}`;
    if (typeof entry === 'string') return { prompt: entry };
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw refuse(`${at} is neither a prompt nor an object; give ${SHAPE}`);
    const { prompt, profile, priority, ...rest } = entry as Record<string, unknown>;
    const extra = Object.keys(rest)[0];
    if (extra !== undefined) throw refuse(`${at} has "${extra}", which a task does not take (prompt, profile, priority)`);
    if (typeof prompt !== 'string') throw refuse(`${at} has no "prompt" string`);
    if (profile !== undefined && typeof profile !== 'string') throw refuse(`${at}'s "profile" is not a profile name`);
    if (priority !== undefined && !Number.isInteger(priority)) throw refuse(`${at}'s "priority" is not a whole number`);
    return { prompt, ...(profile !== undefined ? { profile } : {}), ...(priority !== undefined ? { priority: priority as number } : {}) };
  });
}

function fromLines(text: string): BatchItem[] {
  const items: BatchItem[] = [];
  text.split('\n').forEach((raw, i) => {
    const prompt = raw.replace(/\s+$/, '');
    if (prompt.trim()) items.push({ prompt, line: i + 1 });
  });
  return items;
}

/**
 * JSON is an object, or an array whose first value is a string, object or array (or none): a line such as
 * "[docs] fix the typo" is a task, not broken JSON.
 */
const LOOKS_LIKE_JSON = /^\s*(\{|\[\s*(["{[\]]|$))/;

export function parseBatch(text: string): BatchItem[] {
  const items = LOOKS_LIKE_JSON.test(text) ? fromJson(text) : fromLines(text);
  if (items.length === 0) throw refuse(`The batch is empty; give ${SHAPE}`);
  if (items.length > MAX_BATCH_TASKS) {
    throw refuse(`The batch has ${items.length} tasks, and one batch files at most ${MAX_BATCH_TASKS}; split it into several files`);
  }
  items.forEach((item, i) => {
    const at = item.line ? `line ${item.line}` : `item ${i + 1}`;
    if (!item.prompt.trim()) throw refuse(`${at} is an empty prompt: say what the agent should do`);
    if (item.prompt.length > MAX_PROMPT_CHARS) {
      throw refuse(`The prompt on ${at} is ${item.prompt.length} characters, over the ${MAX_PROMPT_CHARS}-character limit of one prompt`);
    }
  });
  const bytes = items.reduce((sum, item) => sum + Buffer.byteLength(JSON.stringify(item)) + 1, 0);
  if (bytes > MAX_MESSAGE_BYTES - ENVELOPE_BYTES) {
    throw refuse(`The batch's prompts take ${bytes} bytes, more than one request carries (${MAX_MESSAGE_BYTES} bytes); split it into several files`);
  }
  return items;
}
