import Database from 'better-sqlite3';
import { ErrandError } from '../../../shared/protocol/errors.js';
import { ownerOnlyFile } from '../owner-only.js';
import { checkAtOpenMaxBytes, damagedError, databaseBytes, integrityProblems, isCorruption } from './integrity.js';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

const statements = new WeakMap<Db, Map<string, Database.Statement>>();

/** A prepared statement, compiled once per database: the hot paths (output indexing, status) run the same SQL often. */
export function prepared(db: Db, sql: string): Database.Statement {
  let cache = statements.get(db);
  if (!cache) statements.set(db, (cache = new Map()));
  let statement = cache.get(sql);
  if (!statement) cache.set(sql, (statement = db.prepare(sql)));
  return statement;
}

export interface OpenOptions {
  /** Saves a copy of the database as it is, before migrations change it (toVersion: the schema they bring it to). */
  backupBeforeMigration?: (db: Db, toVersion: number) => Promise<unknown>;
}

export interface OpenedDatabase {
  db: Db;
  /** False when the file was too big to check before starting: the caller checks it off the event loop. */
  checked: boolean;
}

/** Opens (creating if needed, owner-only) the engine's database, checks it, and brings its schema up to date. */
export async function openDatabase(path: string, options: OpenOptions = {}): Promise<OpenedDatabase> {
  // Created owner-only before SQLite opens it: its -wal, -shm and -journal files take the database file's mode.
  ownerOnlyFile(path);
  const db = new Database(path);
  try {
    // Before anything that writes (even switching to WAL): a database from a newer Errand, or a damaged one, is left
    // exactly as it is.
    refuseNewer(db);
    const migrating = schemaVersion(db) < MIGRATIONS.length;
    // A migration writes all over the file, so that file is checked first whatever its size.
    const checked = migrating || databaseBytes(db) <= checkAtOpenMaxBytes();
    if (checked) refuseDamaged(db);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    if (migrating && schemaVersion(db) > 0) await options.backupBeforeMigration?.(db, MIGRATIONS.length);
    migrate(db);
    return { db, checked };
  } catch (error) {
    db.close();
    throw isCorruption(error) ? damagedError(path, [(error as Error).message]) : error;
  }
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function refuseNewer(db: Db): void {
  const current = schemaVersion(db);
  if (current > MIGRATIONS.length) {
    throw new ErrandError(
      'conflict',
      `The database ${db.name} has schema version ${current}, newer than this Errand understands (${MIGRATIONS.length}). ` +
        'It was left untouched: run the newer Errand, or point ERRAND_HOME at another directory.',
    );
  }
}

function refuseDamaged(db: Db): void {
  const problems = integrityProblems(db, 'quick');
  if (problems.length > 0) throw damagedError(db.name, problems);
}

function migrate(db: Db): void {
  const current = schemaVersion(db);
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
