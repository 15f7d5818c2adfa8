// Throws >10,000 broken messages at the engine's real socket. Each must get exactly one { code, message } error with
// the code it deserves, the engine must stay up, and nothing may be stored. Every message is built to be invalid,
// mostly by mutating a valid one (a task.add for a real repo and profile, an engine.stop, a task.retry, …), so any
// message that slipped through would show up as a result, a new row, or a stopped engine.
// FUZZ_SEED=<n> reproduces a run; a failure prints the seed and the case.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../shared/protocol/errors.js';
import type { ErrorCode } from '../../../shared/protocol/errors.js';
import { MAX_MESSAGE_BYTES, MAX_PROMPT_CHARS } from '../../../shared/protocol/limits.js';
import { methodSchemas } from '../../../shared/protocol/methods.js';
import { EventWatcher } from '../../support/event-watcher.js';
import { RawSocket } from '../../support/raw-socket.js';
import { Sandbox } from '../../support/sandbox.js';
import { seededRandom } from '../../support/seeded-random.mjs';

const SEED = Number(process.env.FUZZ_SEED ?? 20240611);
const CASES = 10_500;
const BATCH = 250;
const CONNECTIONS = 3;

type Id = number | string | null;
interface Case {
  kind: string;
  line: Buffer;
  code: ErrorCode;
  id: Id;
}

/** JSON text spliced in verbatim (numbers JSON.stringify cannot write, deep nesting). */
class Raw {
  constructor(readonly text: string) {}
}
const raw = (text: string) => new Raw(text);

function serialize(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Raw) {
      raws.push(v.text);
      return `@@RAW${raws.length - 1}@@`;
    }
    return v;
  });
  return text.replace(/"@@RAW(\d+)@@"/g, (_m, i: string) => raws[Number(i)]!);
}

/** An object with an own key, even "__proto__". */
function withKey(object: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const copy = { ...object };
  Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });
function isUtf8(bytes: Buffer): boolean {
  try {
    STRICT_UTF8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The id the engine can read back from a message, per the protocol (a safe integer or a 1–64 character string). */
function readableId(value: unknown): Id {
  if (typeof value !== 'object' || value === null) return null;
  const id = (value as Record<string, unknown>).id;
  if (typeof id === 'number' && Number.isSafeInteger(id)) return id;
  if (typeof id === 'string' && id.length > 0 && id.length <= 64) return id;
  return null;
}

/** For byte soup: what a line that is not a request object deserves. */
function judgeNonRequest(line: Buffer): { code: ErrorCode; id: Id } {
  if (!isUtf8(line)) return { code: 'parse_error', id: null };
  let value: unknown;
  try {
    value = JSON.parse(STRICT_UTF8.decode(line));
  } catch {
    return { code: 'parse_error', id: null };
  }
  return { code: 'invalid_request', id: readableId(value) };
}

type Kind =
  | 'str' | 'strmin1' | 'strnull' | 'path' | 'name' | 'int' | 'intnull' | 'int0' | 'id' | 'bool'
  | 'strarray' | 'strarray0' | 'record' | 'rule' | 'enum' | 'enumarray';

const STR_WRONG = [1, true, null, [], {}, ['x'], raw('1e400')];
const INT_WRONG = ['1', 1.5, true, null, [], {}, raw('1e400'), raw('-1e400'), raw('123456789012345678901234567890'), 1e7, -5000, raw('9'.repeat(400))];
const WRONG: Record<Kind, unknown[]> = {
  str: STR_WRONG,
  strmin1: [...STR_WRONG, ''],
  strnull: STR_WRONG.filter((v) => v !== null),
  path: [...STR_WRONG, 'relative/dir', '', '~/x', 'C:relative', '/nul\u0000byte', '.'],
  name: [...STR_WRONG, '', 'a b', '.x', '-x', 'a/b', '../x', 'x'.repeat(65), 'é', 'a\u0000'],
  int: INT_WRONG,
  intnull: INT_WRONG.filter((v) => v !== null),
  int0: ['1', 1.5, -1, true, null, raw('1e400'), raw('9007199254740993')],
  id: ['1', 1.5, 0, -1, null, true, [], raw('9007199254740993'), raw('1e400'), raw('-0.5')],
  bool: ['true', 1, 0, null, [], {}, 'false'],
  strarray: ['x', [], [1], [null], {}, null, [['x']], ['a\u0000']],
  strarray0: ['x', [1], [null], {}, null, [{}]],
  record: [[], 'x', 1, null, { '1bad': 'v' }, { K: 1 }, { K: null }, { '': 'v' }, { 'A-B': 'v' }],
  rule: [[], 'x', 1, {}, { pattern: '(' }, { pattern: 'x', bogus: 1 }, { pattern: 'x', quietMs: 5 }, { pattern: 'x', lines: 0 }],
  enum: ['max_running', '', 1, null, 'MAX-RUNNING', ['max-running']],
  enumarray: [['done'], 'queued', [1], [null], {}, null, ['queued', 'nope']],
};

interface Base {
  method: string;
  params: Record<string, unknown>;
  fields: Record<string, Kind>;
  required: string[];
}

function bases(repoA: string, repoB: string): Base[] {
  return [
    { method: 'task.add', params: { prompt: 'fuzz task', repo: repoA, profile: 'fake', priority: 1 }, fields: { prompt: 'strmin1', repo: 'path', profile: 'name', priority: 'int' }, required: ['prompt', 'repo'] },
    { method: 'task.add', params: { prompt: 'fuzz task on a new repo', repo: repoB, profile: 'fake' }, fields: { prompt: 'strmin1', repo: 'path', profile: 'name' }, required: ['prompt', 'repo'] },
    {
      method: 'profile.add',
      params: { name: 'fz', command: ['/bin/true'], env: { A: '1' }, needsInput: { pattern: 'x' }, replace: true },
      fields: { name: 'name', command: 'strarray', env: 'record', needsInput: 'rule', replace: 'bool' },
      required: ['name', 'command'],
    },
    {
      method: 'repo.add',
      params: { path: repoB, baseBranch: 'main', setupCommand: null, copyFiles: ['.env'], maxRunning: 2, checkCommand: null, checkRetries: 0 },
      fields: { path: 'path', baseBranch: 'str', setupCommand: 'strnull', copyFiles: 'strarray0', maxRunning: 'intnull', checkCommand: 'strnull', checkRetries: 'int0' },
      required: ['path'],
    },
    { method: 'config.set', params: { key: 'max-running', value: 7 }, fields: { key: 'enum', value: 'int' }, required: ['key', 'value'] },
    { method: 'engine.stop', params: { force: true }, fields: { force: 'bool' }, required: [] },
    { method: 'task.retry', params: { id: 1 }, fields: { id: 'id' }, required: ['id'] },
    { method: 'task.cancel', params: { id: 1 }, fields: { id: 'id' }, required: ['id'] },
    { method: 'task.clean', params: { id: 1, force: true }, fields: { id: 'id', force: 'bool' }, required: ['id'] },
    { method: 'profile.remove', params: { name: 'fake' }, fields: { name: 'name' }, required: ['name'] },
    { method: 'run.input', params: { taskId: 1, data: 'y\r' }, fields: { taskId: 'id', data: 'strmin1' }, required: ['taskId', 'data'] },
    { method: 'run.resize', params: { taskId: 1, cols: 80, rows: 24 }, fields: { taskId: 'id', cols: 'int', rows: 'int' }, required: ['taskId', 'cols', 'rows'] },
    { method: 'run.readLog', params: { taskId: 1, offset: 0, length: 10 }, fields: { taskId: 'id', offset: 'int0', length: 'int' }, required: ['taskId', 'offset', 'length'] },
    { method: 'task.list', params: { status: ['queued'], limit: 5 }, fields: { status: 'enumarray', limit: 'int' }, required: [] },
    { method: 'task.search', params: { query: 'fuzz', limit: 5 }, fields: { query: 'strmin1', limit: 'int' }, required: ['query'] },
    { method: 'events.subscribe', params: {}, fields: {}, required: [] },
  ];
}

class Generator {
  private readonly rand: () => number;
  private nextId = 1;

  constructor(
    seed: number,
    private readonly bases: Base[],
  ) {
    this.rand = seededRandom(seed);
  }

  int(n: number): number {
    return Math.floor(this.rand() * n);
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!;
  }
  chance(p: number): boolean {
    return this.rand() < p;
  }

  private id(): number | string {
    const n = this.nextId++;
    return this.chance(0.3) ? `fz-${n}` : n;
  }

  private envelope(base: Base, params: unknown = base.params): { message: Record<string, unknown>; id: number | string } {
    const id = this.id();
    return { message: { jsonrpc: '2.0', id, method: base.method, params }, id };
  }

  private text(n: number): string {
    const alphabet = 'abcXYZ019 .-_/\\"\'{}[]:,\u00e9\u4e2d\u{1f680}\u0645\t\u0001\u007f\u2028';
    let s = '';
    for (let i = 0; i < n; i++) s += this.pick([...alphabet]);
    return s;
  }

  private json(message: unknown): Buffer {
    return Buffer.from(serialize(message));
  }

  private structural(kind: string, message: unknown, code: ErrorCode, id: Id): Case {
    return { kind, line: this.json(message), code, id };
  }

  next(): Case {
    const base = this.pick(this.bases);
    const r = this.int(100);
    if (r < 16) return this.wrongField(base);
    if (r < 22) return this.missingField(base);
    if (r < 28) return this.extraParam(base);
    if (r < 33) return this.wrongParamsShape(base);
    if (r < 43) return this.badEnvelope(base);
    if (r < 51) return this.unknownMethod(base);
    if (r < 61) return this.byteMutation(base);
    if (r < 67) return this.truncated(base);
    if (r < 71) return this.nulByte(base);
    if (r < 77) return this.invalidUtf8(base);
    if (r < 78) return this.deepNesting(base);
    if (r < 81) return this.hugeNumber(base);
    if (r < 92) return this.randomBytes();
    if (r < 96) return this.nonObject();
    if (r < 97) return this.oddWhitespace();
    return this.badPrompt();
  }

  wrongField(base: Base): Case {
    const fields = Object.keys(base.fields);
    if (fields.length === 0) return this.extraParam(base);
    const field = this.pick(fields);
    const value = this.pick(WRONG[base.fields[field]!]);
    const { message, id } = this.envelope(base, { ...base.params, [field]: value });
    return this.structural(`wrong ${base.method}.${field}`, message, 'invalid_params', id);
  }

  missingField(base: Base): Case {
    if (base.required.length === 0) return this.extraParam(base);
    const params = { ...base.params };
    delete params[this.pick(base.required)];
    if (this.chance(0.3)) {
      const { message, id } = this.envelope(base);
      delete message.params;
      return this.structural(`no params ${base.method}`, message, 'invalid_params', id);
    }
    const { message, id } = this.envelope(base, params);
    return this.structural(`missing field ${base.method}`, message, 'invalid_params', id);
  }

  extraParam(base: Base): Case {
    const key = this.pick(['extra', '__proto__', 'constructor', 'toString', 'Prompt', 'id ', '', '\u0000', this.text(1 + this.int(8))]);
    if (key in base.fields || Object.prototype.hasOwnProperty.call(base.params, key)) return this.wrongParamsShape(base);
    const { message, id } = this.envelope(base, withKey(base.params, key, this.pick([1, 'x', null, {}, []])));
    return this.structural(`extra param ${base.method}`, message, 'invalid_params', id);
  }

  wrongParamsShape(base: Base): Case {
    const { message, id } = this.envelope(base, this.pick([null, 5, 'x', [], [base.params], true, false, raw('1e400')]));
    return this.structural(`params shape ${base.method}`, message, 'invalid_params', id);
  }

  badEnvelope(base: Base): Case {
    const { message, id } = this.envelope(base);
    const what = this.int(4);
    if (what === 0) {
      const version = this.pick(['2', 2, 2.0, '2.0 ', ' 2.0', null, '1.0', '', undefined, ['2.0']]);
      if (version === undefined) delete message.jsonrpc;
      else message.jsonrpc = version;
      return this.structural('jsonrpc', message, 'invalid_request', id);
    }
    if (what === 1) {
      const bad = this.pick([1.5, '', 'x'.repeat(65), null, {}, [], true, undefined, raw('1e400'), raw('9007199254740993'), raw('-1e400')]);
      if (bad === undefined) delete message.id;
      else message.id = bad;
      return this.structural('id', message, 'invalid_request', null);
    }
    if (what === 2) {
      message.method = this.pick([1, null, [], {}, true, [base.method]]);
      return this.structural('method type', message, 'invalid_request', id);
    }
    const key = this.pick(['result', 'error', 'Params', 'jsonrpc ', 'extra', '__proto__', 'constructor', this.text(1 + this.int(6))]);
    if (['jsonrpc', 'id', 'method', 'params'].includes(key)) return this.badEnvelope(base);
    return this.structural('extra envelope field', withKey(message, key, this.pick([1, null, {}, 'x'])), 'invalid_request', id);
  }

  unknownMethod(base: Base): Case {
    const m = base.method;
    const at = this.int(m.length);
    const candidates = [
      m.toUpperCase(),
      `${m} `,
      ` ${m}`,
      `${m}\u0000`,
      m.slice(0, at) + m.slice(at + 1),
      m.slice(0, at) + 'x' + m.slice(at),
      m.replace('.', '/'),
      m.replace('.', '_'),
      'constructor',
      '__proto__',
      'toString',
      'hasOwnProperty',
      'valueOf',
      'event',
      '',
      this.text(1 + this.int(40)),
      'x'.repeat(1000 + this.int(5000)),
    ];
    const method = this.pick(candidates);
    if (Object.prototype.hasOwnProperty.call(methodSchemas, method)) return this.unknownMethod(base);
    const { message, id } = this.envelope(base);
    message.method = method;
    return this.structural('unknown method', message, 'unknown_method', id);
  }

  /** Random byte edits behind an extra envelope field, so whatever they make, it cannot be a valid request. */
  byteMutation(base: Base): Case {
    const { message } = this.envelope(base);
    // The leading {"zz":1, stays intact, so the object (if it still parses) always has a field too many.
    const bytes = [...Buffer.from(serialize({ zz: 1, ...message }))];
    const protectedPrefix = '{"zz":1,'.length;
    const edits = 1 + this.int(6);
    for (let i = 0; i < edits; i++) {
      const at = protectedPrefix + this.int(bytes.length - protectedPrefix);
      const byte = () => {
        const b = this.int(256);
        return b === 0x0a ? 0x0b : b;
      };
      const op = this.int(4);
      if (op === 0) bytes[at] = byte();
      else if (op === 1) bytes.splice(at, 0, byte());
      else if (op === 2 && bytes.length > protectedPrefix + 1) bytes.splice(at, 1);
      else bytes[at] = this.pick([...Buffer.from('{}[]",:\\0e-.')]);
    }
    const line = Buffer.from(bytes);
    return { kind: 'byte mutation', line, ...judgeNonRequest(line) };
  }

  truncated(base: Base): Case {
    const full = this.json(this.envelope(base).message);
    return { kind: 'truncated', line: full.subarray(0, 1 + this.int(full.length - 1)), code: 'parse_error', id: null };
  }

  nulByte(base: Base): Case {
    const full = this.json(this.envelope(base).message);
    const at = this.int(full.length + 1);
    return { kind: 'raw NUL', line: Buffer.concat([full.subarray(0, at), Buffer.of(0), full.subarray(at)]), code: 'parse_error', id: null };
  }

  invalidUtf8(base: Base): Case {
    const bad = this.pick([[0xff], [0xfe], [0xc3, 0x28], [0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x80], [0xe2, 0x82]]);
    // Inside a string value of an otherwise valid message (the worst place: a lenient decoder would accept it).
    const params = { ...base.params };
    const strings = Object.keys(params).filter((k) => typeof params[k] === 'string');
    const field = strings.length ? this.pick(strings) : null;
    if (field) params[field] = `${params[field] as string}@@BAD@@`;
    const text = serialize(this.envelope(base, params).message);
    const marker = field ? text.indexOf('@@BAD@@') : 1 + this.int(text.length - 1);
    const rest = field ? text.slice(marker + '@@BAD@@'.length) : text.slice(marker);
    const line = Buffer.concat([Buffer.from(text.slice(0, marker)), Buffer.from(bad), Buffer.from(rest)]);
    return { kind: `invalid UTF-8 in ${base.method}.${field ?? '?'}`, line, code: 'parse_error', id: null };
  }

  /** Nested far past MAX_REQUEST_DEPTH: refused before it is parsed, so no id is read from it. */
  deepNesting(base: Base): Case {
    const depth = 1000 + this.int(50_000);
    const array = raw('['.repeat(depth) + ']'.repeat(depth));
    const object = raw('{"a":'.repeat(depth) + '1' + '}'.repeat(depth));
    const what = this.int(4);
    if (what === 0) return { kind: 'deep array line', line: Buffer.from((array as Raw).text), code: 'invalid_request', id: null };
    if (what === 1) return { kind: 'deep unbalanced', line: Buffer.from('['.repeat(depth)), code: 'invalid_request', id: null };
    const fields = Object.keys(base.fields);
    if (what === 2 && fields.length > 0) {
      const { message } = this.envelope(base, { ...base.params, [this.pick(fields)]: this.pick([array, object]) });
      return this.structural('deep field', message, 'invalid_request', null);
    }
    const { message } = this.envelope(base, this.pick([array, raw(`[${(object as Raw).text}]`)]));
    return this.structural('deep params', message, 'invalid_request', null);
  }

  hugeNumber(base: Base): Case {
    const huge = this.pick([raw('1e400'), raw('-1e400'), raw('9'.repeat(5000)), raw(`-${'9'.repeat(400)}`), raw('1' + '0'.repeat(30)), raw('1.5e300')]);
    const ints = Object.keys(base.fields).filter((k) => ['int', 'intnull', 'int0', 'id'].includes(base.fields[k]!));
    if (ints.length > 0 && this.chance(0.6)) {
      const { message, id } = this.envelope(base, { ...base.params, [this.pick(ints)]: huge });
      return this.structural('huge number field', message, 'invalid_params', id);
    }
    const { message } = this.envelope(base);
    message.id = huge;
    return this.structural('huge id', message, 'invalid_request', null);
  }

  randomBytes(): Case {
    const length = 1 + this.int(this.chance(0.1) ? 20_000 : 200);
    const line = Buffer.alloc(length);
    for (let i = 0; i < length; i++) {
      const b = this.int(256);
      line[i] = b === 0x0a ? 0x20 : b;
    }
    if (line.every((b) => b === 0x20 || b === 0x09 || b === 0x0d)) line[0] = 0x21;
    return { kind: 'random bytes', line, ...judgeNonRequest(line) };
  }

  nonObject(): Case {
    const value = this.pick([5, -1, 0.5, 'x', '', true, false, null, [], [1, 2], [{ jsonrpc: '2.0', id: 1, method: 'engine.status' }], raw('1e400')]);
    return this.structural('not an object', value, 'invalid_request', null);
  }

  oddWhitespace(): Case {
    // Not JSON whitespace, so not a blank line: it deserves an answer.
    const line = Buffer.from(this.pick(['\f', '\v', '\u00a0', '\u2028', '\u3000', '\u00a0\u00a0 \f']));
    return { kind: 'odd whitespace', line, code: 'parse_error', id: null };
  }

  /** A task.add that would be stored but for one thing wrong with its prompt. */
  badPrompt(): Case {
    const base = this.bases[0]!;
    const prompt = this.pick(['', ' ', '\n\t \r', 'a\u0000b', '\u0000', 'fine text then NUL\u0000', ' \u0000 ']);
    const { message, id } = this.envelope(base, { ...base.params, prompt });
    return this.structural('bad prompt', message, 'invalid_params', id);
  }
}

function describeLine(line: Buffer): string {
  const head = line.subarray(0, 160).toString('latin1');
  return JSON.stringify(head) + (line.length > 160 ? ` … (${line.length} bytes)` : '');
}

function checkReply(c: Case, reply: any, where: string): string | null {
  const problem = (() => {
    if (!reply || reply.jsonrpc !== '2.0') return 'not a JSON-RPC reply';
    if ('result' in reply) return `it was accepted: result ${JSON.stringify(reply.result).slice(0, 200)}`;
    if (!reply.error || typeof reply.error !== 'object') return 'no error object';
    const keys = Object.keys(reply.error).sort().join(',');
    if (keys !== 'code,message') return `error has keys ${keys}`;
    if (!(ERROR_CODES as readonly string[]).includes(reply.error.code)) return `unstable code ${reply.error.code}`;
    if (typeof reply.error.message !== 'string' || reply.error.message.trim().length < 10) return 'no useful message';
    if (reply.error.code !== c.code) return `code ${reply.error.code} (${reply.error.message.slice(0, 160)}), expected ${c.code}`;
    if (JSON.stringify(reply.id) !== JSON.stringify(c.id)) return `id ${JSON.stringify(reply.id)}, expected ${JSON.stringify(c.id)}`;
    return null;
  })();
  return problem ? `${where} [${c.kind}] ${problem}\n    line: ${describeLine(c.line)}` : null;
}

/** Sends a batch (cut into random chunks), then a sentinel request; checks there was exactly one answer per line. */
async function sendBatch(socket: RawSocket, cases: Case[], tag: string, rand: () => number, crlf = true): Promise<string[]> {
  const start = socket.received.length;
  const all = Buffer.concat(cases.flatMap((c) => [c.line, Buffer.from(crlf && rand() < 0.1 ? '\r\n' : '\n')]));
  for (let at = 0; at < all.length; ) {
    const size = 1 + Math.floor(rand() * (rand() < 0.5 ? 64 : 256 * 1024));
    await socket.write(all.subarray(at, at + size));
    at += size;
  }
  const sentinel = `sentinel-${tag}`;
  await socket.write(JSON.stringify({ jsonrpc: '2.0', id: sentinel, method: 'engine.status' }) + '\n');
  await socket.waitFor((m) => m.id === sentinel, `the answer to ${sentinel}`);
  const end = socket.received.findIndex((m, i) => i >= start && m.id === sentinel);
  const replies = socket.received.slice(start, end);
  const problems: string[] = [];
  if (socket.received[end].result?.pid === undefined) problems.push(`${tag}: the sentinel engine.status failed`);
  if (replies.length !== cases.length) {
    problems.push(`${tag}: ${cases.length} messages got ${replies.length} answers`);
    return problems;
  }
  cases.forEach((c, i) => {
    const p = checkReply(c, replies[i], `${tag} #${i}`);
    if (p) problems.push(p);
  });
  return problems;
}

interface Snapshot {
  tasks: unknown;
  runs: unknown;
  profiles: unknown;
  repos: unknown;
  config: unknown;
}

describe('protocol fuzz over the real socket', () => {
  let sb: Sandbox;
  let repoA: string;
  let repoB: string;
  let before: Snapshot;
  let enginePid: number;
  let worktree: string;

  const snapshot = async (): Promise<Snapshot> => ({
    tasks: (await sb.json(['ls', '--limit', '1000'])).tasks.map((t: any) => [t.id, t.status, t.prompt, t.priority]),
    runs: (await sb.json(['show', '1'])).runs.map((r: any) => [r.id, r.status, r.attempt]),
    profiles: (await sb.json(['profile', 'ls'])).map((p: any) => [p.name, p.command]),
    repos: (await sb.json(['repo', 'ls'])).map((r: any) => [r.path, r.maxRunning, r.baseBranch]),
    config: await sb.json(['config', 'get']),
  });

  beforeAll(async () => {
    sb = new Sandbox();
    await sb.errand(['daemon', 'start']);
    // Agent detection adds built-in profiles once; let it finish so the "nothing stored" snapshot is stable.
    await sb.json(['agents']);
    repoA = sb.repo('a');
    repoB = sb.repo('b');
    await sb.json(['repo', 'add', repoA]);
    await sb.fakeProfile('fake', ['say', 'ok']);
    const watch = await EventWatcher.start(sb);
    await sb.json(['add', 'the one real task', '--repo', repoA, '--profile', 'fake']);
    await watch.status(1, 'succeeded');
    watch.stop();
    before = await snapshot();
    worktree = (await sb.json(['show', '1'])).runs[0].worktree;
    const probe = await RawSocket.open(join(sb.dataDir, 'engine.sock'));
    enginePid = (await probe.request('engine.status')).result.pid;
    probe.close();
  });
  afterAll(async () => {
    await sb?.cleanup();
  });

  it(`answers ${CASES} broken messages with one stable error each, stores nothing, and stays up (seed ${SEED})`, async () => {
    const gen = new Generator(SEED, bases(repoA, repoB));
    const cases = Array.from({ length: CASES }, () => gen.next());
    const byKind = new Map<string, number>();
    for (const c of cases) byKind.set(c.kind.split(' ')[0]!, (byKind.get(c.kind.split(' ')[0]!) ?? 0) + 1);
    const socketPath = join(sb.dataDir, 'engine.sock');
    const started = Date.now();

    const problems: string[] = [];
    const lanes = Array.from({ length: CONNECTIONS }, (_, lane) => lane);
    await Promise.all(
      lanes.map(async (lane) => {
        const rand = seededRandom(SEED + 1000 + lane);
        let socket = await RawSocket.open(socketPath);
        let batchNo = 0;
        for (let at = lane * BATCH; at < cases.length; at += BATCH * CONNECTIONS) {
          const batch = cases.slice(at, at + BATCH);
          problems.push(...(await sendBatch(socket, batch, `lane ${lane} batch ${batchNo++} (cases ${at}…)`, rand)));
          if (socket.closed) problems.push(`lane ${lane}: the engine closed the connection`);
          if (rand() < 0.15) {
            socket.close();
            socket = await RawSocket.open(socketPath);
          }
        }
        socket.close();
      }),
    );

    // A few messages over the size limit, one exactly at it, and an oversized line of byte soup in small pieces.
    const big = await RawSocket.open(socketPath);
    const taskAdd = (prompt: string) =>
      JSON.stringify({ jsonrpc: '2.0', id: 424242, method: 'task.add', params: { prompt, repo: repoA, profile: 'fake' } });
    const sized = (bytes: number) => Buffer.from(taskAdd('p'.repeat(bytes - taskAdd('').length)));
    const oversized: Case[] = [
      { kind: 'oversized +1', line: sized(MAX_MESSAGE_BYTES + 1), code: 'message_too_large', id: null },
      { kind: 'oversized +1000', line: sized(MAX_MESSAGE_BYTES + 1000), code: 'message_too_large', id: null },
      { kind: 'exactly the limit, prompt too long', line: sized(MAX_MESSAGE_BYTES), code: 'invalid_params', id: 424242 },
      { kind: 'prompt one char too long', line: Buffer.from(taskAdd('q'.repeat(MAX_PROMPT_CHARS + 1))), code: 'invalid_params', id: 424242 },
      { kind: 'oversized soup', line: Buffer.alloc(MAX_MESSAGE_BYTES + 12_345, 0xff), code: 'message_too_large', id: null },
    ];
    expect(oversized[2]!.line.length).toBe(MAX_MESSAGE_BYTES);
    problems.push(...(await sendBatch(big, oversized, 'oversized', seededRandom(SEED + 7), false)));
    const tooLarge = big.received.find((m) => m.error?.code === 'message_too_large');
    expect(tooLarge?.error.message).toContain(String(MAX_MESSAGE_BYTES));
    big.close();

    const seconds = (Date.now() - started) / 1000;
    console.info(`protocol fuzz: seed ${SEED}, ${cases.length + oversized.length} messages in ${seconds.toFixed(1)} s`, Object.fromEntries(byKind));
    if (problems.length > 0) {
      throw new Error(`seed ${SEED}: ${problems.length} problem(s); first ones:\n${problems.slice(0, 15).join('\n')}`);
    }

    // The engine is the same process, still answers a fresh connection, and nothing changed.
    const fresh = await RawSocket.open(socketPath);
    const status = await fresh.request('engine.status');
    fresh.close();
    expect(status.result.pid).toBe(enginePid);
    expect(await snapshot()).toEqual(before);
    expect(existsSync(worktree)).toBe(true);
    expect(readFileSync(join(sb.dataDir, 'engine.log'), 'utf8')).not.toMatch(/request failed|unexpected error/);
  }, 180_000);
});
