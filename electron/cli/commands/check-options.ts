// A repo's check settings on the command line: errand repo add PATH --check "npm test" --check-retries 1 --check-timeout 10m
import type { RepoInfo } from '../../../shared/domain.js';
import type { MethodInput } from '../../../shared/protocol/methods.js';
import type { Options, Parsed } from '../cli-context.js';
import { UsageError } from '../cli-context.js';

export const CHECK_OPTIONS = {
  check: { type: 'string' },
  'check-retries': { type: 'string' },
  'check-timeout': { type: 'string' },
} satisfies Options;

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3600_000 };

type CheckFields = Pick<MethodInput<'repo.add'>, 'checkCommand' | 'checkRetries' | 'checkTimeoutMs'>;

/** `--check ""` removes the check; a setting not given is left as it is. */
export function checkSettings(values: Parsed['values']): CheckFields {
  const fields: CheckFields = {};
  if (typeof values.check === 'string') fields.checkCommand = values.check.trim() === '' ? null : values.check;
  const retries = values['check-retries'];
  if (typeof retries === 'string') {
    const n = Number(retries);
    if (!/^\d+$/.test(retries) || n > 20) throw new UsageError('--check-retries takes a whole number from 0 to 20');
    fields.checkRetries = n;
  }
  const timeout = values['check-timeout'];
  if (typeof timeout === 'string') {
    const match = /^(\d+)(s|m|h)$/.exec(timeout);
    if (!match) throw new UsageError('--check-timeout takes a time such as 90s, 30m or 2h');
    fields.checkTimeoutMs = Number(match[1]) * UNIT_MS[match[2]!]!;
  }
  return fields;
}

export function checkText(repo: RepoInfo): string {
  if (!repo.checkCommand) return '-';
  return repo.checkRetries > 0 ? `${repo.checkCommand} (retries ${repo.checkRetries})` : repo.checkCommand;
}
