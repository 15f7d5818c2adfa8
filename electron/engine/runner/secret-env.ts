// A profile's secrets, looked up at launch from the engine's environment or the OS keychain. Their values live only
// in the launched agent's environment: never in the database, the run log or what clients are sent.
import { execFile } from 'node:child_process';
import type { ProfileInfo, SecretRef } from '../../../shared/domain.js';
import { describeSecretRef } from '../../../shared/domain.js';
import { ErrandError } from '../../../shared/protocol/errors.js';

/** Long enough for a person to answer macOS's "allow access to this keychain item" dialog. */
const KEYCHAIN_TIMEOUT_MS = 30_000;
const KEYCHAIN_MAX_BYTES = 64 * 1024;

/** The profile as its agent is launched with it: every reference replaced by its value. */
export async function withSecrets(profile: ProfileInfo, source: NodeJS.ProcessEnv = process.env): Promise<ProfileInfo> {
  const refs = Object.entries(profile.secretEnv ?? {});
  if (refs.length === 0) return profile;
  const env = { ...profile.env };
  for (const [key, ref] of refs) env[key] = await secretValue(key, ref, source);
  return { ...profile, env };
}

/** One reference's value (`key` names what it is for, in the message when it is missing). */
export async function secretValue(key: string, ref: SecretRef, source: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (ref.from === 'env') {
    const value = source[ref.name];
    if (!value) {
      throw new ErrandError(
        'invalid_params',
        `${key} comes from ${describeSecretRef(ref)}, and the engine's environment has no ${ref.name} (or it is empty). ` +
          `Set ${ref.name} where the engine starts (export it in the shell before the first errand command, or in ` +
          'the environment the app is launched with), then errand daemon stop and retry the task.',
      );
    }
    return value;
  }
  return keychainValue(key, ref);
}

interface KeychainTool {
  file: string;
  args: string[];
  store: string;
}

function keychainTool(service: string, account: string): KeychainTool | null {
  if (process.platform === 'darwin') {
    return {
      file: '/usr/bin/security',
      args: ['find-generic-password', '-s', service, '-a', account, '-w'],
      store: `security add-generic-password -s ${quoted(service)} -a ${quoted(account)} -w`,
    };
  }
  if (process.platform === 'win32') return null;
  return {
    file: 'secret-tool',
    args: ['lookup', 'service', service, 'account', account],
    store: `secret-tool store --label=${quoted(`${service} ${account}`)} service ${quoted(service)} account ${quoted(account)}`,
  };
}

/** For the command shown to the person to copy: never run by the engine. */
function quoted(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

async function keychainValue(key: string, ref: Extract<SecretRef, { from: 'keychain' }>): Promise<string> {
  const where = `${key} comes from ${describeSecretRef(ref)}`;
  const tool = keychainTool(ref.service, ref.account);
  if (!tool) {
    throw new ErrandError('invalid_params', `${where}, and the Windows credential store is not supported yet: use --env-from instead.`);
  }
  const { error, stdout } = await run(tool);
  if (error) {
    const why =
      error.code === 'ENOENT'
        ? `${tool.file} is not installed (on Debian and Ubuntu: apt install libsecret-tools)`
        : error.killed
          ? `the keychain did not answer within ${KEYCHAIN_TIMEOUT_MS / 1000} s`
          : `the keychain has no such entry (${tool.file} exited with code ${String(error.code)})`;
    throw new ErrandError('invalid_params', `${where}, and ${why}. Store it with: ${tool.store}, then retry the task.`);
  }
  const value = stdout.replace(/\r?\n$/, '');
  if (!value || value.includes('\0')) {
    throw new ErrandError('invalid_params', `${where}, and that entry is empty or not text. Store it again with: ${tool.store}`);
  }
  return value;
}

function run(tool: KeychainTool): Promise<{ error: (Error & { code?: string | number; killed?: boolean }) | null; stdout: string }> {
  return new Promise((resolve) => {
    execFile(
      tool.file,
      tool.args,
      { timeout: KEYCHAIN_TIMEOUT_MS, maxBuffer: KEYCHAIN_MAX_BYTES, encoding: 'utf8', windowsHide: true },
      (error, stdout) => resolve({ error: error as (Error & { code?: string | number; killed?: boolean }) | null, stdout }),
    );
  });
}
