// What a failing model endpoint said, in one short line: the message of the JSON error shapes the model APIs use,
// else the body's text.
import { STATUS_CODES } from 'node:http';
import { brotliDecompressSync, constants, gunzipSync, inflateSync } from 'node:zlib';

/** How much of an error body is kept to read the message from. */
export const ERROR_BODY_MAX_BYTES = 4096;
export const MESSAGE_MAX_CHARS = 300;
/** A few KB of compressed body can decompress to much more: a bound for the odd body that would. */
const DECODED_MAX_BYTES = 1024 * 1024;

export function errorMessage(status: number, body: Buffer, contentEncoding?: string): string {
  const text = decode(body, contentEncoding).subarray(0, ERROR_BODY_MAX_BYTES).toString('utf8');
  const line = (fromJson(text) ?? text.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
  const message = line || STATUS_CODES[status] || 'no message';
  return message.length > MESSAGE_MAX_CHARS ? `${message.slice(0, MESSAGE_MAX_CHARS - 1)}…` : message;
}

// The body is cut short: flush what there is instead of wanting the end of the stream.
function decode(body: Buffer, encoding = ''): Buffer {
  try {
    switch (encoding.trim().toLowerCase()) {
      case 'gzip':
      case 'x-gzip':
        return gunzipSync(body, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: DECODED_MAX_BYTES });
      case 'deflate':
        return inflateSync(body, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: DECODED_MAX_BYTES });
      case 'br':
        return brotliDecompressSync(body, { finishFlush: constants.BROTLI_OPERATION_FLUSH, maxOutputLength: DECODED_MAX_BYTES });
      case '':
      case 'identity':
        return body;
      default:
        return Buffer.alloc(0);
    }
  } catch {
    return Buffer.alloc(0);
  }
}

/** `{error: {message}}` (OpenAI, Anthropic, Gemini, also in a one-element array), `{error: "…"}`, `{message}`, `{detail}`. */
function fromJson(text: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Cut short: the first "message" string, if the cut came after it.
    const cut = /^\s*[[{][^]*?"message"\s*:\s*("(?:[^"\\]|\\.)*")/.exec(text)?.[1];
    try {
      return cut ? (JSON.parse(cut) as string) : null;
    } catch {
      return null;
    }
  }
  const body = (Array.isArray(parsed) ? parsed[0] : parsed) as Record<string, unknown> | null;
  const error = body?.error;
  const found = [(error as { message?: unknown } | null)?.message, error, body?.message, body?.detail].find((v) => typeof v === 'string');
  return typeof found === 'string' ? found : null;
}
