// Who may use web mode: a request that carries the token, sent to exactly the address the engine bound, and (for the
// WebSocket) from exactly the page it served. DNS rebinding fails the Host check, another site fails the Origin check.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_COOKIE = 'errand_token';
const TOKEN_BYTES = 32;

export interface WebAuthRules {
  token: string;
  /** `127.0.0.1:PORT`, as the browser sends it in Host. */
  host: string;
  /** `http://127.0.0.1:PORT`, as the browser sends it in Origin. */
  origin: string;
}

export interface Refusal {
  status: 401 | 403;
  message: string;
}

export function newToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** Equal strings, in a time that does not tell how much of a guess was right (digests have one length). */
export function sameToken(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The token a request carries: in the URL (the first visit, the WebSocket) or in the cookie set after it. */
export function tokenOf(req: IncomingMessage): string | null {
  const query = new URL(req.url ?? '/', 'http://x').searchParams.get('token');
  if (query) return query;
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === TOKEN_COOKIE) return value.join('=');
  }
  return null;
}

/** Why a request may not be served, or null when it may. `upgrade` demands the Origin too (a page always sends it). */
export function refusal(req: IncomingMessage, rules: WebAuthRules, upgrade: boolean): Refusal | null {
  if (req.headers.host !== rules.host) {
    return { status: 403, message: `This engine answers only at ${rules.host}; open the address errand serve printed.` };
  }
  const origin = req.headers.origin;
  if ((upgrade || origin !== undefined) && origin !== rules.origin) {
    return { status: 403, message: `Requests from ${origin ?? 'no page'} are refused: only ${rules.origin} may connect.` };
  }
  const token = tokenOf(req);
  if (token === null || !sameToken(token, rules.token)) {
    return { status: 401, message: 'The token is missing or wrong. Open the address errand serve printed, token included.' };
  }
  return null;
}
