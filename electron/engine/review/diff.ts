// The changes between two trees, as review shows them: per-file status and +/-, and the unified diff, each read
// with a byte bound whatever the agent changed.
import { MAX_REVIEW_DIFF_BYTES } from '../../../shared/protocol/limits.js';
import type { ReviewFile, ReviewFileStatus } from '../../../shared/protocol/methods.js';
import { gitBounded } from '../worktrees/git.js';

/** The per-file listing: at ~150 bytes a file, tens of thousands of files. */
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

interface Listed {
  status: ReviewFileStatus;
  path: string;
  oldPath: string | null;
}
type Stat = { additions: number; deletions: number; binary: boolean };

/**
 * `--raw --numstat -z` in one listing: first every raw entry (":mode mode sha sha STATUS", then one path, or two
 * for a rename or copy), then every numstat entry ("added\tdeleted\tpath", or "added\tdeleted\t" then two paths).
 */
export function parseListing(out: string, truncated: boolean): { listed: Listed[]; stats: Map<string, Stat> } {
  const fields = out.split('\0');
  fields.pop(); // after the last NUL: nothing, or a field cut short
  const listed: Listed[] = [];
  const stats = new Map<string, Stat>();
  let i = 0;
  while (i < fields.length && fields[i]!.startsWith(':')) {
    const code = fields[i]!.split(' ').at(-1)![0]!;
    const two = code === 'R' || code === 'C';
    if (i + (two ? 2 : 1) >= fields.length) break;
    listed.push(
      two
        ? { status: STATUS[code]!, oldPath: code === 'R' ? fields[i + 1]! : null, path: fields[i + 2]! }
        : { status: STATUS[code] ?? 'modified', oldPath: null, path: fields[i + 1]! },
    );
    i += two ? 3 : 2;
  }
  for (; i < fields.length; i++) {
    const field = fields[i]!;
    const first = field.indexOf('\t');
    const second = field.indexOf('\t', first + 1);
    const [added, deleted] = [field.slice(0, first), field.slice(first + 1, second)];
    let name = second === -1 ? '' : field.slice(second + 1);
    if (name === '') {
      i += 2;
      name = fields[i] ?? '';
    }
    const binary = added === '-';
    stats.set(name, { additions: binary ? 0 : Number(added), deletions: binary ? 0 : Number(deleted), binary });
  }
  // Cut short: list only files whose numbers were read whole.
  return { listed: truncated ? listed.filter((f) => stats.has(f.path)) : listed, stats };
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

interface Bounded {
  stdout: string;
  truncated: boolean;
}

function bounded(text: string, maxBytes: number, truncated: boolean): Bounded {
  if (Buffer.byteLength(text) <= maxBytes) return { stdout: text, truncated };
  return { stdout: Buffer.from(text).subarray(0, maxBytes).toString(), truncated: true };
}

/**
 * `--raw --numstat -z -p` prints the listing's NUL-ended fields, one empty field, then the patch (no listing field is
 * empty). Each part keeps its own bound; a read cut before the patch began has the listing only.
 */
export function splitListingAndPatch(out: string, truncated: boolean): { listing: Bounded; patch: Bounded } {
  const at = out.indexOf('\0\0');
  if (at === -1) return { listing: bounded(out, MAX_LISTING_BYTES, truncated), patch: { stdout: '', truncated } };
  return {
    listing: bounded(out.slice(0, at + 1), MAX_LISTING_BYTES, false),
    patch: bounded(out.slice(at + 2), MAX_REVIEW_DIFF_BYTES, truncated),
  };
}

/**
 * From a commit to a tree, or (`to` null) to the index that `env` names: a snapshot's index is compared as it is,
 * without first writing it as a tree. One git process gives the listing and the patch: on a loaded machine each
 * process on review's path costs tens of milliseconds.
 */
export async function changesBetween(cwd: string, from: string, to: string | null, env: Record<string, string> = {}): Promise<Changes> {
  const range = to === null ? ['--cached', from] : [from, to];
  const out = await gitBounded(cwd, [...DIFF, '--raw', '--numstat', '-z', '-p', ...range], MAX_LISTING_BYTES + MAX_REVIEW_DIFF_BYTES, env);
  const { listing, patch } = splitListingAndPatch(out.stdout, out.truncated);
  const { listed, stats } = parseListing(listing.stdout, listing.truncated);
  const files: ReviewFile[] = listed.map((e) => ({ ...e, ...(stats.get(e.path) ?? { additions: 0, deletions: 0, binary: false }) }));
  let text = patch.stdout;
  // A bounded read stops mid-line: keep whole lines only.
  if (patch.truncated) text = text.slice(0, text.lastIndexOf('\n') + 1);
  const wire = boundForWire(text);
  return {
    files,
    filesTruncated: listing.truncated,
    additions: files.reduce((n, f) => n + f.additions, 0),
    deletions: files.reduce((n, f) => n + f.deletions, 0),
    diff: wire.diff,
    diffTruncated: patch.truncated || wire.cut,
  };
}
