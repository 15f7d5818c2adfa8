import { describe, expect, it } from 'vitest';
import { parseChainFile } from '../../../../electron/cli/commands/chain-file.js';

describe('a chain steps file', () => {
  it('reads each step, its options and its prompt, past comments and blank lines', () => {
    const text = '# my chain\n\n[plan]\nplan {{task}}\n\nwith care\n\n[implement profile=claude gate]\n\ndo it: {{previous.file:plan.md}}\n';
    expect(parseChainFile(text)).toEqual([
      { name: 'plan', profile: null, gate: false, prompt: 'plan {{task}}\n\nwith care' },
      { name: 'implement', profile: 'claude', gate: true, prompt: 'do it: {{previous.file:plan.md}}' },
    ]);
  });

  it('refuses text before the first step, an unknown option, and a file with no step', () => {
    expect(() => parseChainFile('do this\n[plan]\nx')).toThrow('line 1: the file must start with a step header such as [plan]');
    expect(() => parseChainFile('[plan model=x]\nx')).toThrow('line 1: "model=x" is not a step option (use profile=NAME or gate)');
    expect(() => parseChainFile('# nothing\n')).toThrow('the file has no steps');
  });
});
