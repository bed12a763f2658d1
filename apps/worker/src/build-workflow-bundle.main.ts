/**
 * Part of `nx build worker`: writes the workflow bundle the production worker loads with
 * `workflowBundle: { codePath }` (WORKFLOW_BUNDLE_PATH) instead of running webpack at every start.
 * Usage: build-workflow-bundle <output file>.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflows } from './workflow-bundle';

async function main(): Promise<void> {
  const output = process.argv[2];
  if (!output) throw new Error('usage: build-workflow-bundle <output file>');
  const { code } = await bundleWorkflows();
  mkdirSync(path.dirname(path.resolve(output)), { recursive: true });
  writeFileSync(output, code);
  console.log(`${output}: ${(Buffer.byteLength(code) / 1024).toFixed(0)} kB workflow bundle`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
