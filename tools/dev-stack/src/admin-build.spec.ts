import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { adminBuildNeeded } from './admin-build';

const SOURCES = ['apps/admin/index.html', 'apps/admin/vite.config.mts', 'apps/admin/src/app/App.tsx', 'apps/admin/src/e2e/x.spec.ts', 'libs/rule-dsl/src/index.ts', 'libs/rule-dsl/src/a.spec.ts'];

/** A workspace-shaped folder with the admin console's sources and, optionally, its build. */
function workspace(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'admin-build-'));
  for (const file of SOURCES) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), '// source\n');
  }
  return root;
}

function setMtime(root: string, file: string, secondsAgo: number): void {
  const at = new Date(Date.now() - secondsAgo * 1000);
  fs.utimesSync(path.join(root, file), at, at);
}

function build(root: string, secondsAgo: number): void {
  fs.mkdirSync(path.join(root, 'apps/admin/dist'), { recursive: true });
  fs.writeFileSync(path.join(root, 'apps/admin/dist/index.html'), '<html></html>');
  setMtime(root, 'apps/admin/dist/index.html', secondsAgo);
}

describe('adminBuildNeeded (npm start builds the console when this says so)', () => {
  let root: string;
  beforeEach(() => {
    root = workspace();
    for (const file of SOURCES) setMtime(root, file, 600);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('is "missing" without apps/admin/dist/index.html', () => {
    expect(adminBuildNeeded(root)).toBe('missing');
  });

  it('is null when the build is newer than every source', () => {
    build(root, 60);
    expect(adminBuildNeeded(root)).toBeNull();
  });

  it('is "stale" when a console source or a rule-dsl source (aliased into the bundle) changed after the build', () => {
    build(root, 60);
    setMtime(root, 'apps/admin/src/app/App.tsx', 10);
    expect(adminBuildNeeded(root)).toBe('stale');
    setMtime(root, 'apps/admin/src/app/App.tsx', 600);
    setMtime(root, 'libs/rule-dsl/src/index.ts', 10);
    expect(adminBuildNeeded(root)).toBe('stale');
  });

  it('ignores specs and browser tests, which are not in the bundle', () => {
    build(root, 60);
    setMtime(root, 'apps/admin/src/e2e/x.spec.ts', 10);
    setMtime(root, 'libs/rule-dsl/src/a.spec.ts', 10);
    expect(adminBuildNeeded(root)).toBeNull();
  });
});
