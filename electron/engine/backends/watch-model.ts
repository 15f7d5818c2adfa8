// Puts a run's model endpoint behind the watchdog proxy, when the agent's adapter says which variable holds it.
import { startModelProxy } from './model-proxy.js';
import type { ModelFailure, ModelProxy } from './model-proxy.js';

const HTTP_PROXY_VARS = ['HTTPS_PROXY', 'HTTP_PROXY', 'ALL_PROXY'];

export interface WatchedModel {
  /** The agent's environment: the proxy's URL in place of the endpoint's, when it is watched. */
  env: Record<string, string>;
  proxy: ModelProxy | null;
  /** Why the endpoint is not watched, for the run log; null when it is, or when there is nothing to watch. */
  note: string | null;
}

export async function watchModel(
  urlVar: string | undefined,
  env: Record<string, string>,
  onGiveUp: (failure: ModelFailure) => void,
): Promise<WatchedModel> {
  const upstream = urlVar ? env[urlVar] : undefined;
  if (!urlVar || !upstream || !/^\s*https?:\/\//i.test(upstream)) return { env, proxy: null, note: null };
  // The agent would send even 127.0.0.1 through an HTTP proxy, and the endpoint may be reachable only through it.
  if (HTTP_PROXY_VARS.some((name) => env[name] || env[name.toLowerCase()])) {
    return { env, proxy: null, note: 'the model endpoint is not watched: the environment sets an HTTP proxy' };
  }
  try {
    const proxy = await startModelProxy({ upstream, onGiveUp });
    return { env: { ...env, [urlVar]: proxy.url }, proxy, note: null };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { env, proxy: null, note: `the model endpoint is not watched: its proxy could not start (${reason})` };
  }
}
