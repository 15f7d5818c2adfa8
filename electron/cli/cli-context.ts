// What every command gets: parsed flags, output helpers, and a lazily opened engine connection.
import { homedir } from 'node:os';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import type { DataDirLayout } from '../../shared/data-dir.js';
import { dataDirLayout, defaultDataDir } from '../../shared/data-dir.js';
import { connectOrStart } from './daemon.js';
import type { EngineClient } from './engine-client.js';

/** A mistake in how the command was called: exit code 2. */
export class UsageError extends Error {}

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

export function parse(args: string[], options: Options, usage: string): Parsed {
  try {
    return parseArgs({ args, options: { json: { type: 'boolean' }, ...options }, allowPositionals: true, strict: true }) as Parsed;
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nusage: ${usage}`);
  }
}

export class CliContext {
  readonly layout: DataDirLayout;
  private client: EngineClient | null = null;

  constructor(readonly json: boolean) {
    this.layout = dataDirLayout(defaultDataDir({ platform: process.platform, homeDir: homedir(), env: process.env }));
  }

  async engine(): Promise<EngineClient> {
    this.client ??= await connectOrStart(this.layout);
    return this.client;
  }

  /** Prints the result as JSON with --json, else the human form. */
  print(result: unknown, human: () => string): void {
    process.stdout.write(this.json ? `${JSON.stringify(result)}\n` : `${human()}\n`);
  }

  close(): void {
    this.client?.close();
  }
}

export function taskIdArg(value: string | undefined, usage: string): number {
  const id = Number(value);
  if (!value || !Number.isSafeInteger(id) || id <= 0) throw new UsageError(`expected a task id (a positive number)\nusage: ${usage}`);
  return id;
}
