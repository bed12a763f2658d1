import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../../..');

/** A file of a project, and code to lint as if it were that file's content. */
interface Probe {
  file: string;
  code: string;
}

/**
 * Lints every probe with the real ESLint of the workspace (its config, the projects' tags, the
 * type-aware rules), as if each code were the content of that existing file (`lintText` with a
 * `filePath`, what `--stdin-filename` does), in ONE child process: the type-aware setup is paid
 * once, not once per probe (it was 12 s a probe). A child process, because the flat config is an ES
 * module that Jest's module system cannot load. Nothing is written to disk, so a concurrent
 * `nx lint` never sees the probes. Returns each probe's errors as `rule: message`.
 */
function lintAll(probes: readonly Probe[]): string[][] {
  const script = `
    const { ESLint } = require(${JSON.stringify(path.join(root, 'node_modules/eslint'))});
    const probes = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
    (async () => {
      const eslint = new ESLint({ cwd: ${JSON.stringify(root)} });
      const out = [];
      for (const probe of probes) {
        const [result] = await eslint.lintText(probe.code, { filePath: probe.file });
        out.push((result ? result.messages : []).filter((m) => m.severity === 2).map((m) => m.ruleId + ': ' + m.message));
      }
      process.stdout.write(JSON.stringify(out));
    })().catch((error) => { console.error(error); process.exit(1); });`;
  const run = spawnSync(process.execPath, ['-e', script], {
    cwd: root,
    input: JSON.stringify(probes.map((p) => ({ ...p, file: path.join(root, p.file) }))),
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false' },
  });
  if (run.status !== 0) throw new Error(`eslint probes failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as string[][];
}

const probes = {
  allowed: {
    file: 'apps/api/src/migrations.ts',
    code: "import { dbMigrations } from '@referrals/db';\nimport { TASK_QUEUE } from '@referrals/workflows';\nexport const x = [dbMigrations, TASK_QUEUE];\n",
  },
  workflowBuiltin: { file: 'libs/workflows/src/workflows/index.ts', code: "import fs from 'fs';\nexport const x = fs;\n" },
  workflowDatabase: { file: 'libs/workflows/src/workflows/index.ts', code: "import { createSequelize } from '@referrals/db';\nexport const x = createSequelize;\n" },
  infraImportsApp: { file: 'libs/db/src/index.ts', code: "import { createApp } from '@referrals/api';\nexport const x = createApp;\n" },
  utilImportsInfra: { file: 'libs/config/src/index.ts', code: "import { createSequelize } from '@referrals/db';\nexport const x = createSequelize;\n" },
  appImportsApp: { file: 'apps/worker/src/config.ts', code: "import { createApp } from '@referrals/api';\nexport const x = createApp;\n" },
  floatingPromise: { file: 'libs/config/src/index.ts', code: 'async function f(): Promise<void> {}\nf();\nexport {};\n' },
} satisfies Record<string, Probe>;
type ProbeName = keyof typeof probes;

describe('module boundaries (eslint dependency matrix)', () => {
  jest.setTimeout(120_000);
  let errorsOf: Record<ProbeName, string>;

  beforeAll(() => {
    // The boundary rule reads Nx's cached project graph; refresh it so new projects are known.
    spawnSync(process.execPath, [path.join(root, 'node_modules/nx/bin/nx.js'), 'show', 'projects'], {
      cwd: root,
      env: { ...process.env, NX_DAEMON: 'false' },
    });
    const names = Object.keys(probes) as ProbeName[];
    const results = lintAll(names.map((name) => probes[name]));
    errorsOf = Object.fromEntries(names.map((name, i) => [name, (results[i] ?? []).join('\n')])) as Record<ProbeName, string>;
  });

  it('accepts the imports the matrix allows (an app importing an infra lib and the workflow contracts)', () => {
    expect(errorsOf.allowed).toBe('');
  });

  it('rejects a workflow importing a Node built-in (Temporal determinism)', () => {
    expect(errorsOf.workflowBuiltin).toMatch(/no-restricted-imports: .*no Node built-ins/);
  });

  it('rejects a workflow importing database code', () => {
    expect(errorsOf.workflowDatabase).toMatch(/@nx\/enforce-module-boundaries/);
  });

  it('rejects an infra lib importing an app', () => {
    expect(errorsOf.infraImportsApp).toMatch(/@nx\/enforce-module-boundaries/);
  });

  it('rejects a util lib importing an infra lib', () => {
    expect(errorsOf.utilImportsInfra).toMatch(/@nx\/enforce-module-boundaries/);
  });

  it('rejects an app importing another app', () => {
    expect(errorsOf.appImportsApp).toMatch(/@nx\/enforce-module-boundaries/);
  });

  it('rejects a floating promise (an unawaited call is a lost failure)', () => {
    expect(errorsOf.floatingPromise).toMatch(/no-floating-promises/);
  });
});
