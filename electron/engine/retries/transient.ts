// Which failures are the model's passing trouble rather than the agent's: rate limits and 5xx answers, as the
// adapters and the model watchdog word them ("API error: HTTP 503: …", "API error: [API Error: 429 …]").

const RATE_LIMITED = /\b429\b|rate.?limit|too many requests/i;
const SERVER_ERROR = /\b(5\d\d)\b/;
const OVERLOADED = /overloaded/i;
const UNREACHABLE = /could not reach the model endpoint|no answer/i;

/** "a rate limit (429)", "a model error (HTTP 503)"; null for a failure that is not a transient model error. */
export function transientCause(reason: string | null): string | null {
  if (!reason || !/^API error:/i.test(reason)) return null;
  if (RATE_LIMITED.test(reason)) return 'a rate limit (429)';
  if (UNREACHABLE.test(reason)) return 'an unreachable model endpoint';
  const status = SERVER_ERROR.exec(reason)?.[1];
  if (status) return `a model error (HTTP ${status})`;
  if (OVERLOADED.test(reason)) return 'an overloaded model';
  return null;
}
