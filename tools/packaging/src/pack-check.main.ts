/**
 * `npm run libs:pack-check` (issue 19 item 5): proves the libs install and run OUTSIDE this
 * workspace, the way another service would use them.
 *
 * 1. builds every packed lib to `dist` (nx, cached);
 * 2. stages each as published (manifest `publishConfig` lifted: main, types, exports into `dist`)
 *    and packs it with `npm pack` into a throwaway folder outside the workspace;
 * 3. installs the tarballs there with `npm install --prefer-offline` (third-party dependencies
 *    from the npm cache or the registry; `@referrals/*` only from the tarballs, never the registry);
 * 4. typechecks and compiles the small programs of tools/packaging/smoke against the installed
 *    packages' own types (no tsconfig paths), then runs each with node (the database ones against
 *    a fresh database on DATABASE_URL's server);
 * 5. bundles rule-dsl's program for a browser with Vite, failing on any Node built-in, and runs
 *    the bundle.
 *
 * Needs DATABASE_URL (the npm script provides one through the dev stack when it is not set).
 * KEEP_PACK_CHECK_DIR=1 keeps the throwaway folder for inspection.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BROWSER_SMOKE, PACKED_LIBS, PACKED_WHEN_PRESENT, SMOKE_PROGRAMS } from './packed-libs';

const ROOT = path.resolve(__dirname, '../../..');
const SMOKE_DIR = path.join(ROOT, 'tools/packaging/smoke');
const started = Date.now();

function step(title: string): void {
  console.log(`\n--- ${title} (${((Date.now() - started) / 1000).toFixed(1)}s)`);
}

function run(command: string, args: readonly string[], options: { cwd: string; capture?: boolean } = { cwd: ROOT }): string {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', npm_config_fund: 'false', npm_config_audit: 'false' },
    stdio: options.capture ? ['ignore', 'pipe', 'inherit'] : 'inherit',
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
  return options.capture ? result.stdout : '';
}

/** Runs a program to its end, its output collected (programs run at once print in order afterwards). */
function runCollecting(command: string, args: readonly string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => void (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => void (output += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

/** The third-party version the workspace pins, for the packages the smoke programs import themselves. */
function pinned(name: string): string {
  const rootPackage = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<'dependencies' | 'devDependencies', Record<string, string>>;
  const all = { ...rootPackage.devDependencies, ...rootPackage.dependencies };
  const version = all[name];
  if (!version) throw new Error(`package.json pins no ${name}`);
  return version;
}

async function bundleForBrowser(dir: string, entry: string, logLevel: 'warn' | 'silent' = 'warn'): Promise<string> {
  const { build } = await import('vite');
  const outDir = path.join(dir, 'browser-dist');
  await build({
    root: dir,
    configFile: false,
    logLevel,
    plugins: [
      {
        name: 'no-node-builtins',
        enforce: 'pre',
        resolveId(id, importer) {
          const bare = id.startsWith('node:') ? id.slice(5) : id;
          if (id.startsWith('node:') || builtinModules.includes(bare)) {
            this.error(`${importer ?? 'the entry'} imports the Node built-in "${id}": a browser bundle has none`);
          }
          return null;
        },
      },
    ],
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      minify: false,
      lib: { entry, formats: ['es'], fileName: () => 'smoke.browser.mjs' },
    },
  });
  return path.join(outDir, 'smoke.browser.mjs');
}

/**
 * Copies a built lib to `stage/<lib>` as it is published: its `files` and a manifest whose
 * `publishConfig` (main, types, exports pointing into `dist`) is lifted to the top. Inside the
 * workspace the manifests point at the TypeScript sources, so Jest global setups, tsx and the
 * workflow bundler resolve `@referrals/*` without a build; `npm pack` alone does not apply
 * `publishConfig`, hence this step.
 */
function stageForPacking(lib: string, stageRoot: string): string {
  const from = path.join(ROOT, 'libs', lib);
  const to = path.join(stageRoot, lib);
  mkdirSync(to, { recursive: true });
  const manifest = JSON.parse(readFileSync(path.join(from, 'package.json'), 'utf8')) as Record<string, unknown> & { files?: string[]; publishConfig?: Record<string, unknown> };
  const { publishConfig, ...rest } = manifest;
  writeFileSync(path.join(to, 'package.json'), `${JSON.stringify({ ...rest, ...(publishConfig ?? {}) }, null, 2)}\n`);
  for (const entry of manifest.files ?? ['dist']) if (existsSync(path.join(from, entry))) cpSync(path.join(from, entry), path.join(to, entry), { recursive: true });
  return to;
}

async function main(): Promise<void> {
  if (!process.env['DATABASE_URL']) throw new Error('DATABASE_URL is not set (run through `npm run libs:pack-check`, which starts a stack)');
  const present = PACKED_WHEN_PRESENT.filter((lib) => existsSync(path.join(ROOT, 'libs', lib, 'package.json')));
  // A lib packs once it has a build target (`"build": {}` takes the tsconfig.lib.json default) like the others.
  const hasBuild = (lib: string) => /"build"\s*:/.test(readFileSync(path.join(ROOT, 'libs', lib, 'project.json'), 'utf8'));
  const optional = present.filter(hasBuild);
  for (const lib of present.filter((l) => !hasBuild(l))) console.log(`libs/${lib} has no build target yet: not packed`);
  const libs = [...PACKED_LIBS, ...optional];

  step(`build ${libs.length} libs to dist`);
  run('npx', ['nx', 'run-many', '-t', 'build', '-p', libs.join(','), '--outputStyle=static']);

  const dir = mkdtempSync(path.join(tmpdir(), 'referrals-pack-check-'));
  console.log(`throwaway project: ${dir}`);
  try {
    step('npm pack');
    const tarballs = path.join(dir, 'tarballs');
    mkdirSync(tarballs);
    const packed = JSON.parse(
      run('npm', ['pack', '--json', '--pack-destination', tarballs, ...libs.map((lib) => stageForPacking(lib, path.join(dir, 'stage')))], { cwd: ROOT, capture: true }),
    ) as { name: string; filename: string; entryCount: number; size: number }[];
    for (const p of packed) console.log(`${p.name}: ${p.filename} (${p.entryCount} files, ${(p.size / 1024).toFixed(0)} kB)`);

    step('npm install the tarballs outside the workspace');
    const fromTarballs = Object.fromEntries(packed.map((p) => [p.name, `file:./tarballs/${p.filename}`]));
    const manifest = {
      name: 'referrals-pack-check',
      private: true,
      type: 'commonjs',
      dependencies: { ...fromTarballs, sequelize: pinned('sequelize'), '@types/node': pinned('@types/node') },
      // Their @referrals/* dependencies too come from the tarballs, never from the registry.
      overrides: fromTarballs,
    };
    writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir });

    step('typecheck and compile the smoke programs against the installed types');
    const smokeSources = path.join(dir, 'smoke');
    cpSync(SMOKE_DIR, smokeSources, { recursive: true });
    const programs = [...SMOKE_PROGRAMS, ...optional.filter((lib) => existsSync(path.join(SMOKE_DIR, `${lib}.smoke.ts`)))];
    writeFileSync(
      path.join(dir, 'tsconfig.json'),
      `${JSON.stringify(
        {
          compilerOptions: {
            target: 'ES2022',
            module: 'node16',
            moduleResolution: 'node16',
            strict: true,
            esModuleInterop: true,
            // Third-party declarations are not ours to check (and slow); ours are used by every import.
            skipLibCheck: true,
            types: ['node'],
            rootDir: 'smoke',
            outDir: 'out',
          },
          include: programs.map((name) => `smoke/${name}.smoke.ts`),
        },
        null,
        2,
      )}\n`,
    );
    run(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir], { cwd: dir });

    step('run them (at once; each prints one line)');
    const outcomes = await Promise.all(programs.map((name) => runCollecting(process.execPath, [`out/${name}.smoke.js`], dir)));
    for (const outcome of outcomes) process.stdout.write(outcome.output);
    const failed = programs.filter((_, i) => outcomes[i]?.code !== 0);
    if (failed.length) throw new Error(`smoke programs failed: ${failed.join(', ')}`);
    for (const lib of optional) {
      const { name } = packed.find((p) => p.filename.includes(lib)) ?? { name: `@referrals/${lib}` };
      run(process.execPath, ['--input-type=module', '-e', `const m = await import('${name}'); console.log('${name}: imports (' + Object.keys(m).length + ' exports)')`], { cwd: dir });
    }

    step(`bundle ${BROWSER_SMOKE} for a browser with Vite (no Node built-ins) and run the bundle`);
    const bundle = await bundleForBrowser(dir, path.join(smokeSources, `${BROWSER_SMOKE}.smoke.ts`));
    run(process.execPath, [bundle], { cwd: dir });
    // The guard must be able to fail: an entry importing a Node built-in is refused.
    const probe = path.join(dir, 'smoke', 'node-builtin.probe.ts');
    writeFileSync(probe, "import { readFileSync } from 'node:fs';\nconsole.log(readFileSync);\n");
    const refused = await bundleForBrowser(dir, probe, 'silent').then(
      () => false,
      (error: unknown) => /a browser bundle has none/.test(String(error)),
    );
    if (!refused) throw new Error('the browser bundle accepted a Node built-in: the guard does not work');
    console.log('the guard refuses a Node built-in (probe entry importing node:fs)');

    const count = readdirSync(tarballs).length;
    step(`ok: ${count} tarballs installed outside the workspace, ${programs.length} programs ran, browser bundle ran`);
  } finally {
    if (process.env['KEEP_PACK_CHECK_DIR'] === '1') console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`libs:pack-check failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
