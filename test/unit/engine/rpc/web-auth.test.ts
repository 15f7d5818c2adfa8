import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { newToken, refusal, sameToken, tokenOf } from '../../../../electron/engine/rpc/web-auth.js';

const rules = { token: 'secret-token', host: '127.0.0.1:4000', origin: 'http://127.0.0.1:4000' };
const req = (url: string, headers: Record<string, string>) => ({ url, headers }) as unknown as IncomingMessage;

describe('web mode auth', () => {
  it('makes long random tokens and compares them whole', () => {
    expect(newToken()).not.toBe(newToken());
    expect(newToken().length).toBeGreaterThanOrEqual(40);
    expect(sameToken('secret-token', 'secret-token')).toBe(true);
    expect(sameToken('secret-toke', 'secret-token')).toBe(false);
    expect(sameToken('', 'secret-token')).toBe(false);
  });

  it('reads the token from the URL or the cookie', () => {
    expect(tokenOf(req('/?token=abc', {}))).toBe('abc');
    expect(tokenOf(req('/', { cookie: 'a=1; errand_token=xyz=' }))).toBe('xyz=');
    expect(tokenOf(req('/', {}))).toBeNull();
  });

  it('lets through only the exact host, the exact origin, and the token', () => {
    const good = { host: '127.0.0.1:4000', origin: 'http://127.0.0.1:4000' };
    expect(refusal(req('/rpc?token=secret-token', good), rules, true)).toBeNull();
    expect(refusal(req('/?token=secret-token', { host: good.host }), rules, false)).toBeNull();
    expect(refusal(req('/?token=secret-token', { host: good.host }), rules, true)?.status).toBe(403);
    expect(refusal(req('/rpc?token=secret-token', { ...good, host: 'localhost:4000' }), rules, true)?.status).toBe(403);
    expect(refusal(req('/rpc?token=secret-token', { ...good, origin: 'http://127.0.0.1:4001' }), rules, true)?.status).toBe(403);
    expect(refusal(req('/rpc?token=wrong', good), rules, true)?.status).toBe(401);
  });
});
