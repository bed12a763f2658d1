// Lint rules for the whole workspace. The dependency matrix below is the architecture: every
// project carries a `scope:*` and a `type:*` tag (see each project.json), and
// @nx/enforce-module-boundaries turns the tags into allowed import directions.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

/** Which project types each project type may import (production code). */
const typeMatrix = [
  // Apps compose everything, but never another app.
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:usecase', 'type:domain', 'type:integration', 'type:infra', 'type:workflow', 'type:util'] },
  // Use cases (rewarding) compose the domain libs into one business event, one transaction: they may
  // use the database plumbing (infra) and build workflow start options (workflow contracts), never an app.
  { sourceTag: 'type:usecase', onlyDependOnLibsWithTags: ['type:domain', 'type:infra', 'type:workflow', 'type:util'] },
  // Domain libs hold business rules: no apps, no infrastructure, no external integrations.
  { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain', 'type:util'] },
  // Integrations (Impact) talk to the outside world; they know no domain storage.
  { sourceTag: 'type:integration', onlyDependOnLibsWithTags: ['type:util'] },
  { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:infra', 'type:util'] },
  // Workflow code must stay deterministic: pure domain code and contracts only (no db, no activities).
  { sourceTag: 'type:workflow', onlyDependOnLibsWithTags: ['type:domain', 'type:util', 'type:workflow'] },
  { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
  // Tools (dev stack, benchmarks) may use anything.
  { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['*'] },
  // A standalone lib (rule-dsl) imports no other lib at all: it must run in a browser storefront.
  { sourceTag: 'lib:standalone', onlyDependOnLibsWithTags: ['lib:none'] },
  // Scopes: shared libs serve every app; an app's scope does not leak into another app.
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:api', onlyDependOnLibsWithTags: ['scope:api', 'scope:shared'] },
  { sourceTag: 'scope:worker', onlyDependOnLibsWithTags: ['scope:worker', 'scope:shared'] },
  { sourceTag: 'scope:tools', onlyDependOnLibsWithTags: ['*'] },
];

/** Tests may additionally use the infra test harness (a fresh database per test file). */
const testMatrix = typeMatrix.map((c) =>
  c.sourceTag === 'type:domain' || c.sourceTag === 'type:integration' || c.sourceTag === 'type:util'
    ? { ...c, onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, 'type:infra'] }
    : c,
);

const specFiles = ['**/*.spec.ts', '**/*.test.ts', '**/testing/**/*.ts', '**/spec/**/*.ts'];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '.data/**', 'tmp/**', '.nx/**', '**/*.js', '**/*.cjs', '**/*.mjs'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': [
        'error',
        { enforceBuildableLibDependency: false, allow: [], depConstraints: typeMatrix, banTransitiveDependencies: false },
      ],
    },
  },
  {
    files: specFiles,
    rules: {
      // A test that asserts a value exists may then use it; a wrong `!` fails the test anyway.
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@nx/enforce-module-boundaries': [
        'error',
        { enforceBuildableLibDependency: false, allow: [], depConstraints: testMatrix },
      ],
    },
  },
  {
    // Temporal workflow sandbox: deterministic code only. No Node built-ins, no database, no
    // activity implementations, no worker internals (workflows call activities through proxies).
    files: ['libs/workflows/src/**/*.ts'],
    ignores: specFiles,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Workflow code runs in the deterministic Temporal sandbox: no Node built-ins.' })),
          patterns: [
            { group: ['sequelize', 'sequelize/*', 'pg', 'pg/*', 'umzug'], message: 'Workflow code must not touch the database; call an activity.' },
            { group: ['@temporalio/worker', '@temporalio/activity', '@temporalio/client'], message: 'Workflow code may use @temporalio/workflow only.' },
            { group: ['**/activities', '**/activities/*', '**/*.activities', '**/*.activities.ts'], message: 'Import activity types only (import type), and call them via proxyActivities.', allowTypeImports: true },
          ],
        },
      ],
    },
  },
  {
    // The rule language must run in a browser and inside workflows.
    files: ['libs/rule-dsl/src/**/*.ts'],
    ignores: specFiles,
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: nodeBuiltins.map((name) => ({ name, message: 'rule-dsl is pure: no Node built-ins.' })) },
      ],
    },
  },
);
