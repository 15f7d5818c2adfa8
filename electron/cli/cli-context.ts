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

/** The command has printed its answer, and that answer is a failure: exit code 1, with this one line on stderr. */
export class AnsweredFailure extends Error {}

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

/** `--help` or `-h` was given: the command's usage goes to stdout with exit 0, and nothing else happens. */
export class HelpRequested extends Error {}

const HELP_FLAGS = new Set(['--help', '-h']);

/**
 * Parses a command's flags, and answers `--help` / `-h`. This is how every command gets its help, so a new command
 * (or subcommand) needs nothing more than this: declare its usage text next to its parse options and call `parse`
 * before anything else, in particular before `ctx.engine()`, so that help never contacts or starts the engine. A
 * command with subcommands calls `parse` in each branch with that subcommand's usage, and in its fallback with the
 * usage of the whole group (`errand profile --help`). The help printed is the usage text and the options, listed from
 * `options` itself so that it cannot drift from what is parsed. Arguments after `--` are never errand's.
 */
export function parse(args: string[], options: Options, usage: string): Parsed {
  const dashes = args.indexOf('--');
  if ((dashes === -1 ? args : args.slice(0, dashes)).some((a) => HELP_FLAGS.has(a))) throw new HelpRequested(helpText(usage, options));
  try {
    return parseArgs({ args, options: { json: { type: 'boolean' }, ...options }, allowPositionals: true, strict: true }) as Parsed;
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nusage: ${usage}`);
  }
}

function helpText(usage: string, options: Options): string {
  const flags = Object.entries({ ...options, json: { type: 'boolean' } } as Options).map(([name, o]) => {
    const value = o.type === 'string' ? ' <value>' : '';
    return `  --${name}${value}${o.short ? `, -${o.short}${value}` : ''}${o.multiple ? '   (repeatable)' : ''}`;
  });
  return `usage: ${usage}\n\noptions:\n${flags.join('\n')}\n  --help, -h`;
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
