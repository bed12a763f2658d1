import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

const WORKSPACE_ROOT = path.resolve(__dirname, '../../..');

/** The workflow entry point (`@referrals/workflows/workflows`), resolved like any package. */
export function defaultWorkflowsPath(): string {
  return require.resolve('@referrals/workflows/workflows');
}

/**
 * webpack aliases from tsconfig paths: workflow code imports workspace libs by package name
 * (`@referrals/rule-dsl`), and the bundle must take their TypeScript sources, not a `dist/` that
 * may not exist.
 */
export function workspaceAliases(): Record<string, string> {
  const base = JSON.parse(fs.readFileSync(path.join(WORKSPACE_ROOT, 'tsconfig.base.json'), 'utf8')) as {
    compilerOptions: { paths: Record<string, string[]> };
  };
  return Object.fromEntries(
    Object.entries(base.compilerOptions.paths).flatMap(([name, [target]]) =>
      target ? [[`${name}$`, path.join(WORKSPACE_ROOT, target)]] : [],
    ),
  );
}

/** Bundles the workflows once at start-up (the sandbox runs the bundle, not the source files). */
export async function bundleWorkflows(workflowsPath = defaultWorkflowsPath()): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath,
    webpackConfigHook: (config) => ({
      ...config,
      resolve: { ...config.resolve, alias: { ...(config.resolve?.alias as object), ...workspaceAliases() } },
    }),
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error: (m) => process.stderr.write(`${m}\n`), log() {} },
  });
}
