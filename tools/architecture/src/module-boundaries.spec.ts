import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../../..');

interface LintMessage {
  ruleId: string | null;
  severity: number;
  message: string;
}

/**
 * Runs the real eslint CLI on `code` as if it were the content of an existing file of a project
 * (`--stdin-filename`), so the project's tags and the workspace's config decide. Nothing is
 * written to disk, so a concurrent `nx lint` never sees the probe.
 */
async function lintAs(file: string, code: string): Promise<string[]> {
  const run = spawnSync(process.execPath, [path.join(root, 'node_modules/eslint/bin/eslint.js'), '--stdin', '--stdin-filename', file, '--format', 'json'], {
    cwd: root,
    input: code,
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false' },
  });
  const [result] = JSON.parse(run.stdout) as { messages: LintMessage[] }[];
  return (result?.messages ?? []).filter((m) => m.severity === 2).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('module boundaries (eslint dependency matrix)', () => {
  jest.setTimeout(60_000);

  beforeAll(() => {
    // The boundary rule reads Nx's cached project graph; refresh it so new projects are known.
    spawnSync(process.execPath, [path.join(root, 'node_modules/nx/bin/nx.js'), 'show', 'projects'], {
      cwd: root,
      env: { ...process.env, NX_DAEMON: 'false' },
    });
  });

  it('accepts the imports the matrix allows (an app importing an infra lib and the workflow contracts)', async () => {
    const errors = await lintAs(
      'apps/api/src/migrations.ts',
      "import { dbMigrations } from '@referrals/db';\nimport { TASK_QUEUE } from '@referrals/workflows';\nexport const x = [dbMigrations, TASK_QUEUE];\n",
    );
    expect(errors).toEqual([]);
  });

  it('rejects a workflow importing a Node built-in (Temporal determinism)', async () => {
    const errors = await lintAs('libs/workflows/src/workflows/index.ts', "import fs from 'fs';\nexport const x = fs;\n");
    expect(errors.join('\n')).toMatch(/no-restricted-imports: .*no Node built-ins/);
  });

  it('rejects a workflow importing database code', async () => {
    const errors = await lintAs('libs/workflows/src/workflows/index.ts', "import { createSequelize } from '@referrals/db';\nexport const x = createSequelize;\n");
    expect(errors.join('\n')).toMatch(/@nx\/enforce-module-boundaries/);
  });

  it('rejects an infra lib importing an app', async () => {
    const errors = await lintAs('libs/db/src/index.ts', "import { createApp } from '@referrals/api';\nexport const x = createApp;\n");
    expect(errors.join('\n')).toMatch(/@nx\/enforce-module-boundaries/);
  });

  it('rejects a util lib importing an infra lib', async () => {
    const errors = await lintAs('libs/config/src/index.ts', "import { createSequelize } from '@referrals/db';\nexport const x = createSequelize;\n");
    expect(errors.join('\n')).toMatch(/@nx\/enforce-module-boundaries/);
  });

  it('rejects an app importing another app', async () => {
    const errors = await lintAs('apps/worker/src/config.ts', "import { createApp } from '@referrals/api';\nexport const x = createApp;\n");
    expect(errors.join('\n')).toMatch(/@nx\/enforce-module-boundaries/);
  });

  it('rejects a floating promise (an unawaited call is a lost failure)', async () => {
    const errors = await lintAs('libs/config/src/index.ts', 'async function f(): Promise<void> {}\nf();\nexport {};\n');
    expect(errors.join('\n')).toMatch(/no-floating-promises/);
  });
});
