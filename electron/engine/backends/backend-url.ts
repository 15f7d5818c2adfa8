// A backend's URL as stored: http(s), no credentials (a key belongs in --key-env or the keychain), no query, and the
// server's root: a trailing /v1 is dropped, since each CLI adds the path it needs.
import { ErrandError } from '../../../shared/protocol/errors.js';

export function backendUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new ErrandError('invalid_params', `"${text}" is not a URL: give the backend's address, e.g. http://127.0.0.1:8080`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ErrandError('invalid_params', `A backend's URL starts with http:// or https://, not ${url.protocol}//`);
  }
  if (url.username || url.password) {
    throw new ErrandError('invalid_params', 'A backend URL may not carry a user or password: it would be stored as plain text. Give the key with --key-env NAME or --key-keychain SERVICE/ACCOUNT.');
  }
  if (url.search || url.hash) {
    throw new ErrandError('invalid_params', `A backend URL may not have a query or fragment (${url.search}${url.hash}): give its root, e.g. ${url.origin}`);
  }
  const path = url.pathname.replace(/\/+$/, '').replace(/\/v1$/, '');
  return `${url.origin}${path}`;
}
