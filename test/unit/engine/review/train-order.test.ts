// The merge train's order: the tasks that share files with the fewest others go first, the likeliest to conflict last.
import { describe, expect, it } from 'vitest';
import { trainOrder } from '../../../../electron/engine/review/train-steps.js';

describe('trainOrder', () => {
  it('puts tasks that overlap nothing first, in id order, then each time the one overlapping the fewest left', () => {
    const files = new Map([
      [1, ['a.ts']],
      [2, ['a.ts', 'b.ts']],
      [3, ['x.ts']],
      [4, ['b.ts']],
      [5, ['y.ts']],
    ]);
    // 3 and 5 overlap nothing. Of 1, 2 and 4, 2 overlaps two: 1 goes next (its id beats 4's); then 2 and 4 overlap
    // each other alone, and 2's id goes first.
    expect(trainOrder(files)).toEqual([3, 5, 1, 2, 4]);
  });

  it('breaks a tie on overlapping tasks by fewer shared files, then by id', () => {
    const files = new Map([
      [7, ['a.ts', 'b.ts', 'c.ts']],
      [8, ['a.ts', 'b.ts', 'c.ts']],
      [9, ['c.ts']],
    ]);
    expect(trainOrder(files)).toEqual([9, 7, 8]);
  });
});
