// The changes between two trees, as review shows them: per-file status and +/-, and the unified diff, each read
// with a byte bound whatever the agent changed.
import { MAX_REVIEW_DIFF_BYTES } from '../../../shared/protocol/limits.js';
import type { ReviewFile, ReviewFileStatus } from '../../../shared/protocol/methods.js';
import { gitBounded } from '../worktrees/git.js';

/** The per-file listings: at ~100 bytes a file, tens of thousands of files. */
const MAX_LISTING_BYTES = 2 * 1024 * 1024;
/** JSON escapes some bytes (tabs, quotes, control characters): what goes on the wire stays below this. */
const MAX_DIFF_JSON_BYTES = 6 * 1024 * 1024;
// Plain output whatever the person's git config says: no colour, no external diff tools or text conversions.
const DIFF = ['diff', '--no-color', '--no-ext-diff', '--no-textconv', '-M'];

export interface Changes {
  files: ReviewFile[];
  filesTruncated: boolean;
  additions: number;
  deletions: number;
  diff: string;
  diffTruncated: boolean;
}

const STATUS: Record<string, ReviewFileStatus> = { A: 'added', D: 'deleted', R: 'renamed', C: 'added' };

/** `--name-status -z`: status, then the path (two paths for a rename or copy). */
function parseNameStatus(out: string): { status: ReviewFileStatus; path: string; oldPath: string | null }[] {
  const fields = out.split('\0');
  fields.pop();
  const entries = [];
  for (let i = 0; i + 1 < fields.length; ) {
    const code = fields[i]![0]!;
    if (code === 'R' || code === 'C') {
      if (i + 2 >= fields.length) break;
      entries.push({ status: STATUS[code]!, oldPath: code === 'R' ? fields[i + 1]! : null, path: fields[i + 2]! });
      i += 3;
    } else {
      entries.push({ status: STATUS[code] ?? 'modified', oldPath: null, path: fields[i + 1]! });
      i += 2;
    }
  }
  return entries;
}

/** `--numstat -z`: "added\tdeleted\tpath", or "added\tdeleted\t" then old and new path for a rename. */
function parseNumstat(out: string): Map<string, { additions: number; deletions: number; binary: boolean }> {
  const fields = out.split('\0');
  fields.pop();
  const stats = new Map<string, { additions: number; deletions: number; binary: boolean }>();
  for (let i = 0; i < fields.length; i++) {
    const [added, deleted, path] = fields[i]!.split('\t');
    let name = path ?? '';
    if (name === '') {
      i += 2;
      name = fields[i] ?? '';
    }
    const binary = added === '-';
    stats.set(name, { additions: binary ? 0 : Number(added), deletions: binary ? 0 : Number(deleted), binary });
  }
  return stats;
}

/** Cuts the diff at a line end so that it stays within the wire's bound once JSON-encoded. */
function boundForWire(diff: string): { diff: string; cut: boolean } {
  let text = diff;
  let cut = false;
  while (text.length > 0 && Buffer.byteLength(JSON.stringify(text)) > MAX_DIFF_JSON_BYTES) {
    const keep = text.lastIndexOf('\n', Math.floor(text.length * 0.8));
    text = keep > 0 ? text.slice(0, keep + 1) : '';
    cut = true;
  }
  return { diff: text, cut };
}

export async function changesBetween(cwd: string, from: string, to: string): Promise<Changes> {
  const [names, numbers, patch] = await Promise.all([
    gitBounded(cwd, [...DIFF, '--name-status', '-z', from, to], MAX_LISTING_BYTES),
    gitBounded(cwd, [...DIFF, '--numstat', '-z', from, to], MAX_LISTING_BYTES),
    gitBounded(cwd, [...DIFF, from, to], MAX_REVIEW_DIFF_BYTES),
  ]);
  const stats = parseNumstat(numbers.stdout);
  let entries = parseNameStatus(names.stdout);
  if (names.truncated) entries = entries.slice(0, -1);
  const files: ReviewFile[] = entries.map((e) => ({ ...e, ...(stats.get(e.path) ?? { additions: 0, deletions: 0, binary: false }) }));
  let text = patch.stdout;
  // A bounded read stops mid-line: keep whole lines only.
  if (patch.truncated) text = text.slice(0, text.lastIndexOf('\n') + 1);
  const wire = boundForWire(text);
  return {
    files,
    filesTruncated: names.truncated,
    additions: files.reduce((n, f) => n + f.additions, 0),
    deletions: files.reduce((n, f) => n + f.deletions, 0),
    diff: wire.diff,
    diffTruncated: patch.truncated || wire.cut,
  };
}
