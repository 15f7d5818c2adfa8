import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../support/sandbox.js';

const eslint = new ESLint({ cwd: ROOT });

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${ROOT}/${filePath}` });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('the import matrix between runtime folders', () => {
  it.each([
    ['shared/x.ts', "import { readFileSync } from 'node:fs';"],
    ['shared/x.ts', "import { app } from 'electron';"],
    ['shared/x.ts', "import { Store } from '../electron/engine/store/store.js';"],
    ['renderer/x.ts', "import { spawn } from 'child_process';"],
    ['electron/engine/x.ts', "import { app } from 'electron';"],
    ['electron/main/x.ts', "import Database from 'better-sqlite3';"],
    ['electron/main/x.ts', "import { Engine } from '../engine/engine.js';"],
    ['electron/cli/x.ts', "import { Engine } from '../engine/engine.js';"],
    ['electron/preload/x.ts', "import { readFileSync } from 'node:fs';"],
    ['electron/client/x.ts', "import { app } from 'electron';"],
    ['electron/client/x.ts', "import { Engine } from '../engine/engine.js';"],
    ['electron/client/x.ts', "import { CliContext } from '../cli/cli-context.js';"],
    ['shared/protocol/client/x.ts', "import { connect } from 'node:net';"],
  ])('%s may not: %s', async (file, code) => {
    expect(await problems(file, code)).not.toHaveLength(0);
  });

  it.each([
    ['electron/engine/x.ts', "import { readFileSync } from 'node:fs';\nimport { z } from 'zod';"],
    ['electron/cli/x.ts', "import { ErrandError } from '../../shared/protocol/errors.js';"],
    ['renderer/x.ts', "import { RUN_STATUSES } from '../shared/domain.js';"],
    ['electron/client/x.ts', "import { connect } from 'node:net';\nimport { ErrandError } from '../../shared/protocol/errors.js';"],
    ['electron/cli/x.ts', "import { SocketClient } from '../client/socket-client.js';"],
    ['electron/main/x.ts', "import { SocketClient } from '../client/socket-client.js';"],
  ])('%s may: %s', async (file, code) => {
    expect(await problems(file, code)).toHaveLength(0);
  });
});
