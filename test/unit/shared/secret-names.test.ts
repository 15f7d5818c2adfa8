import { describe, expect, it } from 'vitest';
import { describeSecretRef, looksSecret } from '../../../shared/domain.js';

describe('secret-looking environment names', () => {
  it('takes keys, tokens, passwords, credentials and auth values for secrets', () => {
    for (const name of ['OPENAI_API_KEY', 'GITHUB_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'DB_PASSWORD', 'SMTP_PASSWD', 'DB_PASS', 'GOOGLE_APPLICATION_CREDENTIALS', 'ANTHROPIC_AUTH_TOKEN', 'AUTHORIZATION', 'OAUTH_CLIENT', 'npm_config__auth']) {
      expect(looksSecret(name), name).toBe(true);
    }
  });

  it('leaves ordinary settings alone, author names included', () => {
    for (const name of ['MODE', 'OPENAI_BASE_URL', 'GIT_AUTHOR_NAME', 'GIT_AUTHOR_EMAIL', 'CODE_AUTHORS', 'BYPASS_CACHE', 'PATH', 'PWD']) {
      expect(looksSecret(name), name).toBe(false);
    }
  });

  it('shows a reference, never a value', () => {
    expect(describeSecretRef({ from: 'env', name: 'MY_KEY' })).toBe('env:MY_KEY');
    expect(describeSecretRef({ from: 'keychain', service: 'errand', account: 'me@example.org' })).toBe('keychain:errand/me@example.org');
  });
});
