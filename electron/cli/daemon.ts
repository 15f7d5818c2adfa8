// Finds the engine for a data directory, starting it when none is running (the starter in electron/client).
import { join } from 'node:path';
import type { DataDirLayout } from '../../shared/data-dir.js';
import { connectIfRunning as connectIfListening, connectOrStart as connectOrStartEngine, readPid } from '../client/engine-starter.js';
import { EngineClient } from './engine-client.js';

/** The engine's bundle, beside the CLI's in dist/. */
export const ENGINE_ENTRY = join(__dirname, 'engine.cjs');

export { readPid };

/** Connects to the running engine, or returns null when there is none. */
export function connectIfRunning(layout: DataDirLayout): Promise<EngineClient | null> {
  return connectIfListening(layout, (socket) => EngineClient.connect(socket));
}

/** Connects, starting the engine first when needed. Two clients racing here both end up on the one engine. */
export function connectOrStart(layout: DataDirLayout): Promise<EngineClient> {
  return connectOrStartEngine(layout, ENGINE_ENTRY, (socket) => EngineClient.connect(socket));
}
