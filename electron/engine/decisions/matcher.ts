// Whether a remembered rule covers a permission request, and what rule "allow always" makes from one. Never wider than
// what the person saw: a wildcard never matches a shell command that chains, pipes, redirects or substitutes.
import type { PermissionRequest } from '../../../shared/domain.js';

/** The CLIs' shell tools (Claude/Qwen `Bash`, OpenCode `bash`, Gemini `run_shell_command`, Codex `shell`/`exec_command`). */
const SHELL_TOOLS = new Set(['Bash', 'bash', 'run_shell_command', 'shell', 'exec_command']);
/** What lets one shell command run another, or write where it likes: a command with any of these matches only exactly. */
const SHELL_CONTROL = /[;&|<>`$()\n\r\\]/;
/**
 * Commands that run whatever their arguments say: a prefix rule made of one of these (`sh *`, OpenCode's `always` for
 * `sh -c '…'`) would allow any command, so "always" keeps the exact command instead.
 */
const RUNS_ANYTHING = new Set([
  'sh', 'bash', 'zsh', 'dash', 'fish', 'ksh', 'env', 'sudo', 'doas', 'su', 'xargs', 'eval', 'exec', 'nohup', 'time',
  'timeout', 'nice', 'command', 'builtin', 'busybox', 'node', 'python', 'python3', 'perl', 'ruby', 'deno', 'bun', 'npx',
  'php', 'osascript', 'find', 'git', 'make',
]);
/** A prefix rule needs this many fixed words (`npm test *`): one word (`npm *`) covers a whole tool's commands. */
const MIN_PREFIX_WORDS = 2;
/** Claude's prefix rules end in `:*` (`npm test:*`); Errand's own syntax, like OpenCode's, in ` *`. */
const CLAUDE_PREFIX = /:\*$/;

export interface RuleShape {
  tool: string;
  patterns: string[];
}

export function isShellTool(tool: string): boolean {
  return SHELL_TOOLS.has(tool);
}

/** A suggestion in Claude's rule syntax (`npm test:*`, or none for the whole tool) as an Errand pattern. */
export function fromClaudeRule(ruleContent: unknown): string {
  if (typeof ruleContent !== 'string' || ruleContent === '') return '*';
  return ruleContent.replace(CLAUDE_PREFIX, ' *');
}

/**
 * What a request asks for: OpenCode names its patterns (each command of a compound one, each path); the other CLIs
 * give a tool input whose command, path or URL is the subject; failing those, the whole input.
 */
export function subjectsOf(request: PermissionRequest): string[] {
  const input = (request.input ?? {}) as Record<string, unknown>;
  if (Array.isArray(input.patterns) && input.patterns.length > 0) return input.patterns.map(String);
  const detail = input.command ?? input.file_path ?? input.notebook_path ?? input.path ?? input.url ?? input.pattern;
  if (typeof detail === 'string') return [detail];
  if (Array.isArray(detail)) return [detail.map(String).join(' ')];
  return [JSON.stringify(request.input ?? {})];
}

function globMatches(pattern: string, subject: string): boolean {
  // OpenCode's rule: a trailing " *" also matches the bare command (`npm test *` matches `npm test`).
  if (pattern.endsWith(' *') && subject === pattern.slice(0, -2)) return true;
  const source = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[\\s\\S]*');
  return new RegExp(`^${source}$`).test(subject);
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname;
  } catch {
    return null;
  }
}

/** Whether one pattern of a rule for `tool` covers one subject. */
export function patternMatches(tool: string, pattern: string, subject: string): boolean {
  if (pattern === subject) return true;
  if (!pattern.includes('*')) {
    // Claude's WebFetch rules name a host: `domain:example.com`.
    return pattern.startsWith('domain:') && hostOf(subject) === pattern.slice('domain:'.length);
  }
  if (isShellTool(tool) && SHELL_CONTROL.test(subject)) return false;
  return globMatches(pattern, subject);
}

/** Whether a rule (of the same CLI) covers a request: the same tool, and every subject matched by some pattern. */
export function ruleCovers(rule: RuleShape, request: PermissionRequest): boolean {
  if (rule.tool !== request.tool || rule.patterns.length === 0) return false;
  return subjectsOf(request).every((subject) => rule.patterns.some((pattern) => patternMatches(rule.tool, pattern, subject)));
}

/** A shell pattern with a wildcard is kept only when its fixed words name one command's subcommand, not a runner of any. */
function narrowEnough(tool: string, pattern: string): boolean {
  if (!isShellTool(tool) || !pattern.includes('*')) return true;
  const fixed = pattern.slice(0, pattern.indexOf('*')).trim();
  if (SHELL_CONTROL.test(fixed)) return false;
  const words = fixed.split(/\s+/).filter(Boolean);
  return words.length >= MIN_PREFIX_WORDS && pattern.indexOf('*') === pattern.length - 1 && !RUNS_ANYTHING.has(words[0]!);
}

/**
 * The rule "allow always" makes from a request: the CLI's own suggestion when every pattern of it is narrow enough and
 * together they cover what was asked; else exactly what was asked. `fitsCli` says the CLI's suggestion was taken as is.
 */
export function ruleFor(request: PermissionRequest): RuleShape & { fitsCli: boolean } {
  const suggested = (request.always ?? []).filter(Boolean);
  const shape = { tool: request.tool, patterns: suggested };
  if (suggested.length > 0 && suggested.every((p) => narrowEnough(request.tool, p)) && ruleCovers(shape, request)) {
    return { ...shape, fitsCli: true };
  }
  return { tool: request.tool, patterns: [...new Set(subjectsOf(request))], fitsCli: false };
}

/** "Bash(npm test *)": how a rule is shown. */
export function ruleLabel(rule: RuleShape): string {
  return rule.patterns.length === 1 && rule.patterns[0] === '*' ? rule.tool : `${rule.tool}(${rule.patterns.join(', ')})`;
}
