/*
 * The library must run in a browser storefront and inside Temporal workflows, and be importable on
 * its own: its shipped sources import nothing but each other and zod (no Node built-ins, no other
 * workspace lib), and it reads no clock and no randomness.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const SRC = join(__dirname, '..', 'src');

function shippedSources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return shippedSources(path);
    return name.endsWith('.ts') && !name.endsWith('.spec.ts') ? [path] : [];
  });
}

const sources = shippedSources(SRC).map((path) => ({ file: relative(SRC, path), text: readFileSync(path, 'utf8') }));

describe('rule-dsl sources', () => {
  it('import only each other and zod', () => {
    const imports = sources.flatMap(({ file, text }) =>
      [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\('([^']+)'\)|require\('([^']+)'\)/g)].map((m) => ({
        file,
        specifier: m[1] ?? m[2] ?? m[3] ?? '',
      })),
    );
    expect(imports.length).toBeGreaterThan(20);
    expect(imports.filter(({ specifier }) => !specifier.startsWith('.') && specifier !== 'zod')).toEqual([]);
  });

  it('read no clock and no randomness, so evaluation is deterministic', () => {
    const offenders = sources.filter(({ text }) => /Date\.now\(|new Date\(\)|Math\.random\(|performance\.now\(/.test(text)).map(({ file }) => file);
    expect(offenders).toEqual([]);
  });

  it('declare zod as their only dependency', () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    expect(Object.keys(manifest.dependencies ?? {})).toEqual(['zod']);
  });
});
