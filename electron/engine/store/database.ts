import Database from 'better-sqlite3';
import { ErrandError } from '../../../shared/protocol/errors.js';
import { ownerOnlyFile } from '../owner-only.js';
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

/** Opens (creating if needed, owner-only) the engine's database and brings its schema up to date. */
export function openDatabase(path: string): Db {
  // Created owner-only before SQLite opens it: its -wal, -shm and -journal files take the database file's mode.
  ownerOnlyFile(path);
  const db = new Database(path);
  try {
    // Before anything that writes (even switching to WAL): a database from a newer Errand is left exactly as it is.
    refuseNewer(db);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
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

function migrate(db: Db): void {
  const current = schemaVersion(db);
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
