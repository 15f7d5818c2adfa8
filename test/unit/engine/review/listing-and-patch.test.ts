// Review reads its listing and its patch from one `git diff --raw --numstat -z -p`: split at the one empty field.
import { describe, expect, it } from 'vitest';
import { splitListingAndPatch } from '../../../../electron/engine/review/diff.js';

describe('one git diff for the listing and the patch', () => {
  const listing = ':100644 100644 aaaaaaa bbbbbbb M\0a.txt\0:000000 100644 0000000 ccccccc A\0new.txt\0' + '1\t1\ta.txt\0' + '1\t0\tnew.txt\0';
  const patch = 'diff --git a/a.txt b/a.txt\n--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-old\n+new\n';

  it('splits at the empty field between them', () => {
    expect(splitListingAndPatch(`${listing}\0${patch}`, false)).toEqual({
      listing: { stdout: listing, truncated: false },
      patch: { stdout: patch, truncated: false },
    });
  });

  it('a rename (an empty numstat path, then two paths) is not the split', () => {
    const renamed = ':100644 100644 aaaaaaa aaaaaaa R100\0old.txt\0new.txt\0' + '0\t0\t\0old.txt\0new.txt\0';
    expect(splitListingAndPatch(`${renamed}\0${patch}`, false).listing.stdout).toBe(renamed);
  });

  it('no changes: both empty; a read cut before the patch: the listing, cut', () => {
    expect(splitListingAndPatch('', false)).toEqual({ listing: { stdout: '', truncated: false }, patch: { stdout: '', truncated: false } });
    expect(splitListingAndPatch(listing.slice(0, 40), true)).toEqual({ listing: { stdout: listing.slice(0, 40), truncated: true }, patch: { stdout: '', truncated: true } });
  });

  it('a read cut in the patch cuts the patch only', () => {
    expect(splitListingAndPatch(`${listing}\0${patch.slice(0, 30)}`, true)).toEqual({
      listing: { stdout: listing, truncated: false },
      patch: { stdout: patch.slice(0, 30), truncated: true },
    });
  });
});
