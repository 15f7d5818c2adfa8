// Errors cross the protocol as { code, message }. Codes are stable; messages say what went wrong and what to do.

export const ERROR_CODES = [
  'parse_error',
  'invalid_request',
  'unknown_method',
  'invalid_params',
  'message_too_large',
  'not_found',
  'conflict',
  'repo_invalid',
  'unsafe',
  'not_running',
  'engine_stopping',
  'too_many_connections',
  'disk_full',
  'db_corrupt',
  /** The engine did not answer in time (the client gave up waiting). */
  'timeout',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * What the person can do about an error, for any client: the UI offers it as a button, the CLI says it in its own words.
 * `kind` is stable (e.g. 'retry'); `method` and `params` are the request that does it, when one does.
 */
export interface ErrorAction {
  kind: string;
  method?: string;
  params?: Record<string, unknown>;
}

export interface ProtocolError {
  code: ErrorCode;
  message: string;
  action?: ErrorAction;
}

/** An error meant for the person: thrown in the engine, carried as { code, message } to the client. */
export class ErrandError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly action?: ErrorAction,
  ) {
    super(message);
    this.name = 'ErrandError';
  }

  toJSON(): ProtocolError {
    return { code: this.code, message: this.message, ...(this.action ? { action: this.action } : {}) };
  }
}

export function isProtocolError(value: unknown): value is ProtocolError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.code === 'string' && typeof v.message === 'string';
}
