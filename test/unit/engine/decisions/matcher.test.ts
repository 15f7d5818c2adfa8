// What a remembered rule covers, and what "allow always" makes from a request: never wider than what was asked.
import { describe, expect, it } from 'vitest';
import type { PermissionRequest } from '../../../../shared/domain.js';
import { fromClaudeRule, ruleCovers, ruleFor, ruleLabel } from '../../../../electron/engine/decisions/matcher.js';

const claudeBash = (command: string, always?: string[]): PermissionRequest => ({
  id: 'r',
  tool: 'Bash',
  input: { command },
  summary: `Bash: ${command}`,
  ...(always ? { always } : {}),
});
const opencodeBash = (patterns: string[], always?: string[]): PermissionRequest => ({
  id: 'r',
  tool: 'bash',
  input: { patterns, metadata: {} },
  summary: `bash: ${patterns.join(', ')}`,
  ...(always ? { always } : {}),
});

describe('rule matching', () => {
  const npmTest = { tool: 'Bash', patterns: ['npm test *'] };

  it('a prefix rule covers the command and its arguments, nothing else', () => {
    expect(ruleCovers(npmTest, claudeBash('npm test'))).toBe(true);
    expect(ruleCovers(npmTest, claudeBash('npm test -- --grep parser'))).toBe(true);
    expect(ruleCovers(npmTest, claudeBash('npm testx'))).toBe(false);
    expect(ruleCovers(npmTest, claudeBash('npm publish'))).toBe(false);
    expect(ruleCovers(npmTest, claudeBash('touch /tmp/canary'))).toBe(false);
  });

  it('a wildcard never covers a command that chains, pipes, redirects or substitutes', () => {
    for (const command of [
      'npm test && touch /tmp/canary',
      'npm test; touch /tmp/canary',
      'npm test | sh',
      'npm test > /tmp/canary',
      'npm test $(touch /tmp/canary)',
      'npm test `touch /tmp/canary`',
      'npm test\ntouch /tmp/canary',
      'npm test || touch /tmp/canary',
    ]) {
      expect(ruleCovers(npmTest, claudeBash(command)), command).toBe(false);
    }
  });

  it('an exact rule covers exactly its command, control characters and all', () => {
    const exact = { tool: 'Bash', patterns: ["sh -c 'touch a.txt'"] };
    expect(ruleCovers(exact, claudeBash("sh -c 'touch a.txt'"))).toBe(true);
    expect(ruleCovers(exact, claudeBash("sh -c 'touch b.txt'"))).toBe(false);
    expect(ruleCovers(exact, claudeBash("sh -c 'touch a.txt' ; touch b.txt"))).toBe(false);
  });

  it('another tool, or a rule with no patterns, covers nothing', () => {
    expect(ruleCovers({ tool: 'bash', patterns: ['npm test *'] }, claudeBash('npm test'))).toBe(false);
    expect(ruleCovers({ tool: 'Bash', patterns: [] }, claudeBash('npm test'))).toBe(false);
  });

  it("OpenCode's request is covered only when every command of it is", () => {
    const rule = { tool: 'bash', patterns: ['npm test *'] };
    expect(ruleCovers(rule, opencodeBash(['npm test']))).toBe(true);
    expect(ruleCovers(rule, opencodeBash(['npm test', 'touch /tmp/canary']))).toBe(false);
  });

  it("Claude's WebFetch domain rules name a host", () => {
    const rule = { tool: 'WebFetch', patterns: ['domain:example.com'] };
    const fetch = (url: string): PermissionRequest => ({ id: 'r', tool: 'WebFetch', input: { url }, summary: `WebFetch: ${url}` });
    expect(ruleCovers(rule, fetch('https://example.com/a'))).toBe(true);
    expect(ruleCovers(rule, fetch('https://example.com.evil.test/a'))).toBe(false);
  });
});

describe('the rule "allow always" makes', () => {
  it("takes Claude's suggestion in its own syntax", () => {
    expect(fromClaudeRule('npm test:*')).toBe('npm test *');
    expect(fromClaudeRule(undefined)).toBe('*');
    const rule = ruleFor(claudeBash('npm test -- --watch', ['npm test *']));
    expect(rule).toEqual({ tool: 'Bash', patterns: ['npm test *'], fitsCli: true });
    expect(ruleLabel(rule)).toBe('Bash(npm test *)');
  });

  it('keeps the exact command when the suggestion would allow any command', () => {
    // OpenCode's `always` for `sh -c '…'` is `sh *`: that would run anything.
    expect(ruleFor(opencodeBash(["sh -c 'touch a.txt'"], ['sh *']))).toEqual({ tool: 'bash', patterns: ["sh -c 'touch a.txt'"], fitsCli: false });
    expect(ruleFor(claudeBash('npm test', ['npm *'])).patterns).toEqual(['npm test']);
    expect(ruleFor(claudeBash('npm test', ['*'])).patterns).toEqual(['npm test']);
    expect(ruleFor(claudeBash('env npm test', ['env npm *'])).patterns).toEqual(['env npm test']);
  });

  it('keeps the exact command when the suggestion does not cover what was asked', () => {
    expect(ruleFor(claudeBash('npm test && touch x', ['npm test *'])).patterns).toEqual(['npm test && touch x']);
    expect(ruleFor(claudeBash('npm run lint', ['npm test *'])).patterns).toEqual(['npm run lint']);
  });

  it('without a suggestion, is what was asked', () => {
    expect(ruleFor(claudeBash('npm test')).patterns).toEqual(['npm test']);
    const edit: PermissionRequest = { id: 'r', tool: 'Edit', input: { file_path: '/w/a.ts' }, summary: 'Edit: /w/a.ts' };
    expect(ruleFor(edit)).toEqual({ tool: 'Edit', patterns: ['/w/a.ts'], fitsCli: false });
  });

  it("takes OpenCode's `always` for other tools as it is", () => {
    const edit: PermissionRequest = { id: 'r', tool: 'edit', input: { patterns: ['src/a.ts'] }, summary: 'edit: src/a.ts', always: ['*'] };
    expect(ruleFor(edit)).toEqual({ tool: 'edit', patterns: ['*'], fitsCli: true });
  });
});
