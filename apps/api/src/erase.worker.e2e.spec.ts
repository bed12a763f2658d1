import { normalizeEmail } from '@referrals/attribution';
import { fakeSaasquatchCookie } from '@referrals/impact-client/testing';
import { getParticipantRegistration } from '@referrals/impact-sync';
import { verifyLedger } from '@referrals/ledger';
import { type DeliveryResult, type IssuanceBonusResult, workflowIds } from '@referrals/workflows';
import { QueryTypes, type Sequelize } from 'sequelize';
import { KILO_PASS_PROGRAM, kiloPayment, referKiloPass } from './testing/kilo-pass-fixtures';
import { kiloIssuance, referredKiloPassSubscriber, useWorkerE2e } from './testing/worker-e2e';
import { flowHistories } from './testing/workflow-histories';

/**
 * Issue 15 acceptance: a full Kilo Pass referral (touch, signup, widget tokens, payment, SALE,
 * issuance, redemption in the fake Impact), then the referee is erased. Every text, json and array
 * column of every table (from information_schema, so tables added later are scanned too) is
 * searched for what identified the referee; the ledger stays sound; the email, in another
 * spelling, is a deleted account; no workflow history of the flow ever held the email or a
 * tracking value.
 */
describe('Erase a user, end to end with the worker (issue 15)', () => {
  const e2e = useWorkerE2e();
  const { api, id } = e2e;
  const erase = (userId: string, role: 'admin' | 'storefront' | 'billing' = 'admin') =>
    api.post(`/v1/admin/users/${userId}/erase`, role, { requestedBy: 'operator:dpo', reason: 'data subject request DSR-1' });

  it('[164, 165, 166, 167, 184] erases the referee of a full Kilo Pass referral: nothing of them is left in any column, the ledger is sound, the email is a deleted account, Temporal never held it', async () => {
    const subscriber = await referredKiloPassSubscriber(e2e, 'er');
    const { referee, referrer, refereeEmail } = subscriber;
    const code = (await getParticipantRegistration(api.db.sequelize, KILO_PASS_PROGRAM, referrer))!.referralCode!;
    const cookie = fakeSaasquatchCookie({ tenantAlias: 'referrals_demo', programId: '51700', code });
    const clickId = `click-${id('er-click')}`;
    const landing = id('er-landing');
    // A later affiliate visit of the signed-up referee: a click id, a landing path and metadata.
    await api
      .post('/v1/touches', 'storefront', { kind: 'affiliate', userId: referee, product: 'kilo_pass', clickId, landingPath: `/pricing/${landing}?x=1`, metadata: { utm: { campaign: landing } } })
      .expect(201);
    // The referral reward applied to the next issuance and redeemed in Impact Advocate.
    // A later anonymous visit from the same browser, never associated with the referee.
    await api.post('/v1/touches', 'storefront', { kind: 'affiliate', anonymousId: id('er-anon'), product: 'kilo_pass', clickId: `${clickId}-again` }).expect(201);
    const issuanceId = id('er-iss');
    await api.post('/v1/events/issuance-created', 'billing', kiloIssuance(issuanceId, referee)).expect(202);
    const bonus = await e2e.result<IssuanceBonusResult>(workflowIds.issuanceBonus(issuanceId));
    expect(bonus).toMatchObject({ decision: 'referral_bonus' });
    const redeemed = await e2e.result<DeliveryResult>(bonus.redemptionWorkflowId ?? workflowIds.rewardRedemption(subscriber.refereeReward.id));
    expect(redeemed).toMatchObject({ kind: 'reward_redemption', status: 'succeeded' });

    const needles = [referee, refereeEmail, normalizeEmail(refereeEmail), cookie, clickId, landing, id('er-anon')];
    // The scan finds the referee before the erase: it can fail.
    const before = await columnsHolding(api.db.sequelize, needles);
    expect(before).toEqual(
      expect.arrayContaining([
        `attribution_touches.user_id: ${referee}`,
        `attribution_touches.saasquatch_cookie: ${cookie}`,
        `attribution_touches.click_id: ${clickId}`,
        `ledger_rewards.beneficiary_id: ${referee}`,
        `impact_sync_participant_requests.details: ${refereeEmail}`,
      ]),
    );

    // Storefront and billing keys may not erase: 403, nothing written.
    const untouched = await databaseFingerprint(api.db.sequelize);
    expect((await erase(referee, 'storefront').expect(403)).body.error.code).toBe('role_forbidden');
    expect((await erase(referee, 'billing').expect(403)).body.error.code).toBe('role_forbidden');
    expect(await databaseFingerprint(api.db.sequelize)).toEqual(untouched);

    const erased = await erase(referee).expect(200);
    expect(erased.body).toMatchObject({ nothingToDo: false, pseudonym: expect.stringMatching(/^erased:[0-9a-f]{64}$/), tombstonesWritten: 1, previousErasures: [] });
    expect(erased.body.tables).toMatchObject({
      attribution_touches: { deleted: 3 },
      attribution_signups: { deleted: 1 },
      attribution_referrals: { deleted: 1 },
      attribution_conversions: { deleted: 1 },
      impact_sync_participants: { deleted: 1 },
      impact_sync_participant_requests: { deleted: 1 },
      impact_sync_sale_requests: { deleted: 1 },
      ledger_accounts: { anonymized: 1 },
      // The referee's reward and the referrer's, which names its referee.
      ledger_rewards: { anonymized: 2 },
      ledger_issuances: { anonymized: 1 },
      rewarding_decision_records: { anonymized: 1 },
    });
    expect(erased.body.erasure).toMatchObject({ requestedBy: 'operator:dpo', reason: 'data subject request DSR-1', counts: erased.body.tables });
    expect(JSON.stringify(erased.body)).not.toContain(referee);

    expect(await columnsHolding(api.db.sequelize, needles)).toEqual([]);
    // The pseudonym stands where the accounting history must stay whole.
    const [pseudonymous] = await api.db.sequelize.query<{ n: number }>('SELECT count(*)::int AS n FROM ledger_rewards WHERE beneficiary_id = $1', {
      bind: [erased.body.pseudonym],
      type: QueryTypes.SELECT,
    });
    expect(pseudonymous?.n).toBe(1);
    expect(await verifyLedger(api.db.sequelize)).toEqual([]);
    // The referrer keeps their reward and what they are.
    const summary = await api.get(`/v1/users/${referrer}/summary?product=kilo_pass`, 'storefront').expect(200);
    expect(summary.body.rewards).toHaveLength(1);

    // A second erase: nothing left, nothing written, the first one answered.
    const erasedState = await databaseFingerprint(api.db.sequelize);
    const again = await erase(referee).expect(200);
    expect(again.body).toMatchObject({ nothingToDo: true, tombstonesWritten: 0, erasure: null, previousErasures: [erased.body.erasure] });
    expect(Object.values(again.body.tables as Record<string, { deleted: number; anonymized: number }>).every((c) => c.deleted === 0 && c.anonymized === 0)).toBe(true);
    expect(await databaseFingerprint(api.db.sequelize)).toEqual(erasedState);

    // The same mailbox spelled otherwise signs up through the referrer's link: deleted_account.
    const respelled = `${referee.toUpperCase()}+again@EXAMPLE.com`;
    expect(normalizeEmail(respelled)).toBe(normalizeEmail(refereeEmail));
    await api
      .post('/v1/touches', 'storefront', { kind: 'referral', anonymousId: id('er-anon-2'), product: 'kilo_pass', programKey: KILO_PASS_PROGRAM, saasquatchCookie: cookie, metadata: { rsCode: code } })
      .expect(201);
    const signup = await api.post('/v1/signups', 'storefront', { product: 'kilo_pass', userId: id('er-again'), anonymousId: id('er-anon-2'), email: respelled }).expect(200);
    expect(signup.body.referral).toMatchObject({ status: 'disqualified', reasons: expect.arrayContaining(['deleted_account']) });

    // Temporal: no workflow history of the flow holds the email, the cookie or a tracking value.
    const histories = await flowHistories(e2e, [workflowIds.issuanceBonus(issuanceId)]);
    expect(histories.size).toBeGreaterThanOrEqual(5);
    for (const [workflowId, text] of histories) {
      const leaks = [refereeEmail, normalizeEmail(refereeEmail), cookie, clickId, landing].filter((v) => text.toLowerCase().includes(v.toLowerCase()));
      expect({ workflowId, leaks }).toEqual({ workflowId, leaks: [] });
    }
  }, 180_000);

  it('[165] erasing a REFERRER keeps their referee\'s referral and rewards, naming the pseudonym instead; the ledger stays sound', async () => {
    const { referrer, referee } = await referKiloPass(api, 'err');
    const paid = await api.post('/v1/events/payment-succeeded', 'billing', kiloPayment(referee, id('err-in'))).expect(200);
    expect(paid.body.rewards).toHaveLength(2);

    const erased = await erase(referrer).expect(200);
    expect(erased.body.tables).toMatchObject({
      attribution_referrals: { deleted: 0, anonymized: 1 },
      attribution_referral_codes: { deleted: 1 },
      ledger_rewards: { anonymized: 2 },
      ledger_accounts: { anonymized: 1 },
    });
    expect(await columnsHolding(api.db.sequelize, [referrer])).toEqual([]);
    const summary = await api.get(`/v1/users/${referee}/summary?product=kilo_pass`, 'storefront').expect(200);
    expect(summary.body.referral).toMatchObject({ status: 'qualified', referrerUserId: erased.body.pseudonym });
    expect(summary.body.rewards).toHaveLength(1);
    expect(await verifyLedger(api.db.sequelize)).toEqual([]);
  });

  it('two erases of the same user at once: one erases, the other finds nothing left', async () => {
    const userId = id('twice');
    await api.post('/v1/touches', 'storefront', { kind: 'affiliate', anonymousId: id('twice-anon'), product: 'kilo_pass', clickId: `click-${id('twice')}` }).expect(201);
    await api.post('/v1/signups', 'storefront', { product: 'kilo_pass', userId, anonymousId: id('twice-anon'), email: `${userId}@example.com` }).expect(200);
    const answers = await Promise.all([erase(userId).expect(200), erase(userId).expect(200)]);
    expect(answers.map((a) => a.body.nothingToDo).sort()).toEqual([false, true]);
    const done = answers.find((a) => !a.body.nothingToDo)!.body;
    expect(done.tables).toMatchObject({ attribution_touches: { deleted: 1 }, attribution_signups: { deleted: 1 } });
    expect(await columnsHolding(api.db.sequelize, [userId, `click-${id('twice')}`])).toEqual([]);
  });

  it('an unknown user: 200, nothing to do, nothing written', async () => {
    // The worker may still be delivering the earlier tests' Impact work (its delivery rows and attempts
    // change on their own): those two tables are compared apart, by the rows naming this user (none).
    const workerWritten = ['impact_sync_deliveries', 'impact_sync_attempts'];
    const withoutWorkerTables = (f: Record<string, string>) => Object.fromEntries(Object.entries(f).filter(([table]) => !workerWritten.includes(table)));
    const state = withoutWorkerTables(await databaseFingerprint(api.db.sequelize));
    const res = await erase(id('nobody')).expect(200);
    expect(res.body).toMatchObject({ nothingToDo: true, tombstonesWritten: 0, erasure: null, previousErasures: [] });
    expect(withoutWorkerTables(await databaseFingerprint(api.db.sequelize))).toEqual(state);
    expect(await columnsHolding(api.db.sequelize, [id('nobody')])).toEqual([]);
  });

  it('[167] a deletion made elsewhere (storefront): the email is hashed, never stored, and a later signup with it is deleted_account; billing keys get 403', async () => {
    const email = `Gone.${id('elsewhere')}@example.com`;
    await api.post('/v1/users/deletions', 'billing', { email }).expect(403);
    expect((await api.post('/v1/users/deletions', 'storefront', { email }).expect(200)).body).toEqual({ recorded: true, alreadyRecorded: false });
    expect((await api.post('/v1/users/deletions', 'storefront', { email: email.toUpperCase() }).expect(200)).body).toEqual({ recorded: true, alreadyRecorded: true });
    expect(await columnsHolding(api.db.sequelize, [email, normalizeEmail(email)])).toEqual([]);

    const [referrer] = await api.db.sequelize.query<{ code: string }>(`SELECT code FROM attribution_referral_codes WHERE program_key = $1 LIMIT 1`, {
      bind: [KILO_PASS_PROGRAM],
      type: QueryTypes.SELECT,
    });
    const cookie = fakeSaasquatchCookie({ tenantAlias: 'referrals_demo', programId: '51700', code: referrer!.code });
    await api
      .post('/v1/touches', 'storefront', { kind: 'referral', anonymousId: id('gone-anon'), product: 'kilo_pass', programKey: KILO_PASS_PROGRAM, saasquatchCookie: cookie, metadata: { rsCode: referrer!.code } })
      .expect(201);
    const signup = await api.post('/v1/signups', 'storefront', { product: 'kilo_pass', userId: id('gone'), anonymousId: id('gone-anon'), email: email.replace('Gone.', 'gone.').replace('@', '+x@') }).expect(200);
    expect(signup.body.referral).toMatchObject({ status: 'disqualified', reasons: expect.arrayContaining(['deleted_account']) });
  });
});

interface ColumnRef {
  table_name: string;
  column_name: string;
}

/** Every text-like column (text, varchar, char, json, jsonb, arrays) of every table of the database. */
async function textColumns(sequelize: Sequelize): Promise<ColumnRef[]> {
  return sequelize.query<ColumnRef>(
    `SELECT c.table_name::text AS table_name, c.column_name::text AS column_name FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
        AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY')
      ORDER BY 1, 2`,
    { type: QueryTypes.SELECT },
  );
}

/** `table.column: needle` for every column holding one of the needles (case-insensitive, as a substring). */
async function columnsHolding(sequelize: Sequelize, needles: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const { table_name, column_name } of await textColumns(sequelize)) {
    const rows = await sequelize.query<{ needle: string }>(
      `SELECT DISTINCT n AS needle FROM "${table_name}" x, unnest($1::text[]) AS n WHERE position(lower(n) IN lower(x."${column_name}"::text)) > 0`,
      { bind: [needles], type: QueryTypes.SELECT },
    );
    for (const { needle } of rows) found.push(`${table_name}.${column_name}: ${needle}`);
  }
  return found.sort();
}

/** A digest of every row of every table: equal digests, same database state. */
async function databaseFingerprint(sequelize: Sequelize): Promise<Record<string, string>> {
  const tables = await sequelize.query<{ table_name: string }>(
    `SELECT table_name::text AS table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`,
    { type: QueryTypes.SELECT },
  );
  const out: Record<string, string> = {};
  for (const { table_name } of tables) {
    const [row] = await sequelize
      .query<{ digest: string }>(`SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS digest FROM "${table_name}" x`, { type: QueryTypes.SELECT })
      .catch((error: unknown) => {
        throw new Error(`${table_name}: ${String((error as { original?: unknown }).original ?? error)}`);
      });
    out[table_name] = row!.digest;
  }
  return out;
}
