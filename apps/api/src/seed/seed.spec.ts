import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { useTestDatabase } from '@referrals/db/testing';
import { createProgramStore } from '@referrals/programs';
import { compileProgramOrThrow, exampleCatalogs, examplePrograms } from '@referrals/rule-dsl';
import { allMigrationSources } from '../migrations';
import { loadProductRegistry } from '../products';

const WORKSPACE_ROOT = path.resolve(__dirname, '../../../..');

/** `npm run seed` as a process (what the launcher and a user run), with exactly the given environment. */
function runSeed(env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'apps/api/src/seed.main.ts', ...args], {
      cwd: WORKSPACE_ROOT,
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe('npm run seed: the example programs, windows from the seeding day', () => {
  jest.setTimeout(120_000);
  const db = useTestDatabase(allMigrationSources);
  const dataDirs: string[] = [];
  const dataDirWithDatabaseFile = (databaseUrl: string) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seed-data-'));
    dataDirs.push(dir);
    fs.writeFileSync(path.join(dir, 'dev-database.env'), `DATABASE_URL=${databaseUrl}\n`, { mode: 0o600 });
    return dir;
  };
  afterAll(() => dataDirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));
  const programs = () => createProgramStore({ sequelize: db.sequelize, catalogs: loadProductRegistry().catalogs });

  it('without DATABASE_URL, reads the dev stack\'s file and never prints the URL (it holds the password)', async () => {
    const databaseUrl = db.databaseUrl.replace('://postgres@', '://postgres:s3cret-pw@');
    const run = await runSeed({ DATA_DIR: dataDirWithDatabaseFile(databaseUrl) });
    expect(run.output).toContain("using the dev stack's database");
    expect(run.output).not.toContain('s3cret-pw');
    expect(run.code).toBe(0);
    expect(run.output).toMatch(/^seeded kilo-pass-referrals v1 /m);
    expect(run.output).toMatch(/^seeded challenge-based-rewards-student v1 /m);
    expect(run.output).toMatch(/^retired kiloclaw-referrals v2/m);
  });

  it('stores Kilo Pass and the Challenge so that both invite and reward today; Kilo Pass invites for years', async () => {
    const now = new Date();
    const at = now.toISOString();
    const kiloPass = compileProgramOrThrow((await programs().get(examplePrograms.kiloPass.key)).document, exampleCatalogs.kiloPass);
    expect(kiloPass.evaluateEligibility({ referee: { user_id: 'u_2', is_new_account: true } } as never, { at }).eligible).toBe(true);
    const payment = kiloPass.evaluateReward(
      'payment.succeeded',
      {
        referral: { created_at: at },
        referrer: { user_id: 'u_1', rewards_earned: 0 },
        referee: { user_id: 'u_2', is_new_account: true },
        subscription: { tier: 'tier_49', interval: 'monthly', kind: 'personal', monthly_price: { amountMinor: 4900, currency: 'USD' }, started_at: at },
        payment: { amount: { amountMinor: 2450, currency: 'USD' }, sequence: 1, paid_at: at },
        event: { sequence: 1 },
      },
      { at },
    );
    expect(payment.grants.map((g) => g.beneficiary)).toEqual(['referrer', 'referee']);
    const fourYears = new Date(now.getTime() + 4 * 365 * 24 * 3600 * 1000).toISOString();
    expect(kiloPass.evaluateEligibility({ referee: { user_id: 'u_3', is_new_account: true } } as never, { at: fourYears }).eligible).toBe(true);

    const challenge = compileProgramOrThrow((await programs().get(examplePrograms.challengeRewards.key)).document, exampleCatalogs.challengeRewards);
    const referral = { advocate: { user_id: 7, toggles: ['student_challenge_2025'] }, invitee: { user_id: 8, country: 'US', signed_up_at: at }, referral: { created_at: at } };
    expect(challenge.evaluateEligibility(referral as never, { at }).eligible).toBe(true);
    const lesson = challenge.evaluateReward(
      'lesson.completed',
      { ...referral, lesson: { id: 'l', usd_amount: 60, duration_minutes: 60, sequence: 1, is_trial: false, completed_at: at }, event: { sequence: 1 } },
      { at },
    );
    expect(lesson.rule?.description).toBe('Enhanced challenge reward');
    // The fixtures' own (fixed, 2025) window would not reward today: the seed is what moved it.
    expect(compileProgramOrThrow(examplePrograms.challengeRewards, exampleCatalogs.challengeRewards).window.endAtMs).toBeLessThan(now.getTime());
  });

  it('with --if-no-programs (npm start) leaves a database that holds programs as it is; plain seed is idempotent', async () => {
    const before = await programs().list();
    const guarded = await runSeed({ DATABASE_URL: db.databaseUrl }, ['--if-no-programs']);
    expect(guarded.code).toBe(0);
    expect(guarded.output).toContain('3 program(s) stored: examples not seeded');
    const again = await runSeed({ DATABASE_URL: db.databaseUrl });
    expect(again.code).toBe(0);
    expect((await programs().list()).map((p) => [p.key, p.version])).toEqual(before.map((p) => [p.key, p.version]));
  });

  it('without DATABASE_URL and without a dev stack, names both ways out and exits 78', async () => {
    const run = await runSeed({ DATA_DIR: path.join(os.tmpdir(), 'no-such-dev-stack') });
    expect(run.code).toBe(78);
    expect(run.output.trim()).toMatch(/^Configuration error: DATABASE_URL is not set and no dev stack has run here .*`npm start`.*or set DATABASE_URL\.$/);
  });
});
