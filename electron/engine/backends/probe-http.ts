// One short GET to a backend, bounded in time and size: a probe never waits on a slow server or reads a huge answer.

/** Long enough for a busy local server to answer its model list; short enough that `errand models` feels instant. */
export const PROBE_TIMEOUT_MS = 1500;
const PROBE_MAX_BYTES = 2 * 1024 * 1024;

export type ProbeAnswer =
  | { ok: true; status: number; body: unknown; text: string }
  | { ok: false; status: number | null; problem: string; unreachable: boolean };

export async function probeGet(url: string, headers: Record<string, string> = {}, timeoutMs = PROBE_TIMEOUT_MS): Promise<ProbeAnswer> {
  let response: Response;
  try {
    response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    const timedOut = (error as Error).name === 'TimeoutError';
    const problem = timedOut ? `no answer within ${timeoutMs} ms` : cause === 'ECONNREFUSED' ? 'nothing listens there' : `unreachable (${cause ?? (error as Error).message})`;
    return { ok: false, status: null, problem, unreachable: true };
  }
  let text: string;
  try {
    text = await boundedText(response, timeoutMs);
  } catch (error) {
    return { ok: false, status: response.status, problem: (error as Error).message, unreachable: false };
  }
  if (!response.ok) return { ok: false, status: response.status, problem: `HTTP ${response.status}${errorWords(text)}`, unreachable: false };
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // A plain-text answer ("Ollama is running").
  }
  return { ok: true, status: response.status, body, text };
}

async function boundedText(response: Response, timeoutMs: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const timer = setTimeout(() => void reader.cancel(), timeoutMs);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > PROBE_MAX_BYTES) {
        void reader.cancel();
        throw new Error(`its answer is over ${PROBE_MAX_BYTES / 1024 / 1024} MiB`);
      }
      chunks.push(value);
    }
  } finally {
    clearTimeout(timer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function errorWords(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    const message = typeof body.error === 'string' ? body.error : (body.error?.message ?? body.message);
    return typeof message === 'string' && message ? `: ${message.slice(0, 200)}` : '';
  } catch {
    return '';
  }
}

/** A field of an answer's JSON, as a record, when it is one. */
export function field(value: unknown, name: string): unknown {
  return value && typeof value === 'object' ? (value as Record<string, unknown>)[name] : undefined;
}

export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null;
}

export function str(value: unknown): string | null {
  return typeof value === 'string' && value ? value : null;
}
