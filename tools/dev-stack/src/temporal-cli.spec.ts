import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findTemporalCli } from './temporal-cli';

function fakeCli(dir: string, mode: number): string {
  const file = path.join(dir, 'temporal');
  fs.writeFileSync(file, '#!/bin/sh\necho fake\n');
  fs.chmodSync(file, mode);
  return file;
}

describe('findTemporalCli', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prefers TEMPORAL_CLI_PATH over PATH', () => {
    const explicit = fakeCli(dir, 0o755);
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-path-'));
    fakeCli(other, 0o755);
    expect(findTemporalCli({ TEMPORAL_CLI_PATH: explicit, PATH: other })).toEqual({ found: true, path: explicit, from: 'TEMPORAL_CLI_PATH' });
    fs.rmSync(other, { recursive: true, force: true });
  });

  it('names TEMPORAL_CLI_PATH when it is not an executable file, instead of looking elsewhere', () => {
    const notExecutable = fakeCli(dir, 0o644);
    const lookup = findTemporalCli({ TEMPORAL_CLI_PATH: notExecutable, PATH: dir });
    expect(lookup.found).toBe(false);
    expect(lookup.found === false && lookup.problem).toMatch(/^TEMPORAL_CLI_PATH is not an executable file/);
  });

  it('finds the CLI on PATH', () => {
    const onPath = fakeCli(dir, 0o755);
    expect(findTemporalCli({ PATH: `/nonexistent${path.delimiter}${dir}` })).toEqual({ found: true, path: onPath, from: 'PATH' });
  });
});
