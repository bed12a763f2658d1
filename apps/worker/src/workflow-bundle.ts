import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

const WORKSPACE_ROOT = path.resolve(__dirname, '../../..');

/** Workspace package names and their TypeScript entry files, from tsconfig paths. */
function workspaceEntries(): [string, string][] {
  const base = JSON.parse(fs.readFileSync(path.join(WORKSPACE_ROOT, 'tsconfig.base.json'), 'utf8')) as {
    compilerOptions: { paths: Record<string, string[]> };
  };
  return Object.entries(base.compilerOptions.paths).flatMap(([name, [target]]) =>
    target ? [[name, path.join(WORKSPACE_ROOT, target)] as [string, string]] : [],
  );
}

/** The workflow entry point: the file behind `@referrals/workflows/workflows`. */
export function defaultWorkflowsPath(): string {
  const entry = workspaceEntries().find(([name]) => name === '@referrals/workflows/workflows');
  if (!entry) throw new Error('tsconfig.base.json maps no @referrals/workflows/workflows');
  return entry[1];
}

/**
 * webpack aliases from tsconfig paths: workflow code imports workspace libs by package name
 * (`@referrals/rule-dsl`), and the bundle must take their TypeScript sources, not a `dist/` that
 * may not exist.
 */
export function workspaceAliases(): Record<string, string> {
  return Object.fromEntries(workspaceEntries().map(([name, file]) => [`${name}$`, file]));
}

const ignore = (): void => undefined;

/** Bundles the workflows once at start-up (the sandbox runs the bundle, not the source files). */
export async function bundleWorkflows(workflowsPath = defaultWorkflowsPath()): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath,
    webpackConfigHook: (config) => ({
      ...config,
      resolve: { ...config.resolve, alias: { ...(config.resolve?.alias as object), ...workspaceAliases() } },
    }),
    logger: { trace: ignore, debug: ignore, info: ignore, warn: ignore, log: ignore, error: (m) => void process.stderr.write(`${m}\n`) },
  });
}
