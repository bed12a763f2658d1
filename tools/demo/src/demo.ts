import { randomInt } from 'node:crypto';
import { type components, createReferralsClient, ok, type ReferralsClient } from '@referrals/client';
import { fakeSaasquatchCookie } from '@referrals/impact-client/testing';
import { type DemoConfig, DemoSetupError } from './demo-config';

export const KILO_PASS_PROGRAM = 'kilo-pass-referrals';
export const CHALLENGE_PROGRAM = 'challenge-based-rewards-student';
const DAY_MS = 86_400_000;

type Delivery = components['schemas']['DeliveryList']['deliveries'][number];
type DeliveryKind = NonNullable<Delivery['kind']>;
type RewardView = components['schemas']['Reward'];

/** What the demo created, for its summary and for tests. */
export interface DemoResult {
  kiloPass: {
    referrer: string;
    referee: string;
    rewards: RewardView[];
    issuance: { issuanceId: string; decision: string | null; rewardId: string | null };
    redemption: { rewardId: string; status: string; impactRewardId: string | null };
  };
  challenge: { advocate: string; student: string; rewards: RewardView[] };
  /** Temporal workflow ids of what the demo started, in order. */
  workflows: { label: string; workflowId: string }[];
  links: { label: string; url: string }[];
}

interface Clients {
  storefront: ReferralsClient;
  billing: ReferralsClient;
  admin: ReferralsClient;
}

/**
 * One Kilo Pass referral (widget token, touch, signup, first tier_49 payment, issuance, redemption
 * in Impact) and one Challenge lesson against a running stack, through `@referrals/client`. Each
 * step prints a line when it starts and one with what it got; asynchronous work (Temporal
 * workflows, Impact deliveries) is followed through the admin api until it is done.
 */
export async function runDemo(config: DemoConfig, print: (line: string) => void): Promise<DemoResult> {
  const retry = (label: string) => ({
    onRetry: (n: { attempt: number; delayMs: number }) => print(`      (${label}: the api is unavailable, attempt ${n.attempt}; retrying in ${n.delayMs} ms)`),
  });
  const clients: Clients = {
    storefront: createReferralsClient({ baseUrl: config.apiUrl, apiKey: config.keys.storefront, ...retry('storefront') }),
    billing: createReferralsClient({ baseUrl: config.apiUrl, apiKey: config.keys.billing, ...retry('billing') }),
    admin: createReferralsClient({ baseUrl: config.apiUrl, apiKey: config.keys.admin, ...retry('admin') }),
  };
  const total = 13;
  let n = 0;
  const step = (title: string) => print(`[${String(++n).padStart(2)}/${total}] ${title}`);
  const done = (detail: string) => print(`        ✓ ${detail}`);
  const workflows: DemoResult['workflows'] = [];
  // Ids of this run: a second demo on the same stack is a new story (numeric: Challenge's blocklist compares ints).
  const run = `${Date.now().toString().slice(-7)}${randomInt(100, 999)}`;

  print(`Referrals demo against ${config.apiUrl} (run ${run})`);
  step('the example programs are stored and active');
  const programs = ok(await clients.admin.GET('/v1/admin/programs')).programs;
  const kiloPass = programs.find((p) => p.key === KILO_PASS_PROGRAM);
  const challenge = programs.find((p) => p.key === CHALLENGE_PROGRAM);
  if (!kiloPass || !challenge) {
    throw new DemoSetupError(`the example programs are not stored (missing: ${[!kiloPass && KILO_PASS_PROGRAM, !challenge && CHALLENGE_PROGRAM].filter(Boolean).join(', ')}): run \`npm run seed\``);
  }
  done(`${kiloPass.key} v${kiloPass.version} (${kiloPass.document.product}), ${challenge.key} v${challenge.version} (${challenge.document.product})`);

  // ---- Kilo Pass referral -------------------------------------------------------------------
  const referrer = `demo-referrer-${run}`;
  const referee = `demo-referee-${run}`;
  const referrerEmail = `${referrer}@example.com`;
  const refereeEmail = `${referee}@example.com`;
  const anonymousId = `demo-visitor-${run}`;

  step(`Kilo Pass: the referrer ${referrer} opens the referral widget (widget token; registers them in Impact Advocate)`);
  const token = ok(await clients.storefront.POST('/v1/widget-tokens', { body: { programKey: KILO_PASS_PROGRAM, user: { id: referrer, email: referrerEmail } } }));
  workflows.push({ label: 'referrer registration', workflowId: token.registration.workflowId });
  await delivery(clients, config, 'participant_registration', referrer, print);
  const code = await referralCodeShownByWidget(config, referrerEmail, token.programId);
  done(`token for widget ${token.widgetId} (tenant ${token.tenantAlias}, program ${token.programId}), registered; their referral code: ${code}`);

  step('Kilo Pass: a visitor follows the referrer\'s link (touch with the _saasquatch cookie)');
  const cookie = fakeSaasquatchCookie({ tenantAlias: token.tenantAlias, programId: token.programId, code });
  const touch = await clients.storefront.POST('/v1/touches', {
    body: { kind: 'referral', anonymousId, product: 'kilo_pass', programKey: KILO_PASS_PROGRAM, saasquatchCookie: cookie, metadata: { rsCode: code } },
  });
  ok(touch);
  done(`touch recorded (HTTP ${touch.response.status})`);

  step(`Kilo Pass: the visitor signs up as ${referee}`);
  const signup = ok(await clients.storefront.POST('/v1/signups', { body: { product: 'kilo_pass', userId: referee, anonymousId, email: refereeEmail } }));
  if (signup.referral?.status !== 'qualified') throw new Error(`the referral did not qualify: ${JSON.stringify(signup.referral)}`);
  done(`referral ${signup.referral.status}: ${signup.referral.referrerUserId} → ${referee}, program ${signup.referral.programKey} v${signup.referral.programVersion}`);

  step('Kilo Pass: the new subscriber opens the widget (registered in Impact as referred by the code)');
  const refereeToken = ok(
    await clients.storefront.POST('/v1/widget-tokens', { body: { programKey: KILO_PASS_PROGRAM, user: { id: referee, email: refereeEmail }, saasquatchCookie: cookie } }),
  );
  workflows.push({ label: 'referee registration', workflowId: refereeToken.registration.workflowId });
  await delivery(clients, config, 'participant_registration', referee, print);
  done('registered in Impact Advocate as a referred participant');

  step('Kilo Pass: billing reports the first monthly tier_49 payment (49.00 USD)');
  const invoice = `in_demo_${run}`;
  const paidAt = new Date().toISOString();
  const payment = ok(
    await clients.billing.POST('/v1/events/payment-succeeded', {
      body: {
        provider: 'stripe',
        sourcePaymentId: invoice,
        product: 'kilo_pass',
        userId: referee,
        email: refereeEmail,
        paidAt,
        amount: { minor: 4900, currency: 'USD' },
        sequence: 1,
        subscription: { id: `sub_demo_${run}`, tier: 'tier_49', interval: 'monthly', kind: 'personal', startedAt: paidAt },
      },
    }),
  );
  for (const w of payment.workflows) workflows.push({ label: `payment ${invoice}: ${w.type}`, workflowId: w.workflowId });
  done(`decision ${payment.decision.code} (${payment.decision.rule?.description ?? 'no rule'}); rewards: ${payment.rewards.map(describeReward).join('; ')}`);

  step('Kilo Pass: the worker reports the referral SALE to Impact');
  const sale = await delivery(clients, config, 'referral_sale', referee, print);
  done(`referral SALE ${sale.businessId} ${sale.status} after ${sale.attempts} attempt(s)`);

  step('Kilo Pass: billing creates the subscriber\'s next monthly issuance (the referral reward is applied to it)');
  const issuanceId = `iss_demo_${run}`;
  const createdAt = new Date(Date.now() + 1_000);
  const issued = await clients.billing.POST('/v1/events/issuance-created', {
    body: {
      issuanceId,
      subscriberId: referee,
      product: 'kilo_pass',
      programKey: KILO_PASS_PROGRAM,
      issuanceCreatedAt: createdAt.toISOString(),
      periodEndsAt: new Date(createdAt.getTime() + 30 * DAY_MS).toISOString(),
      interval: 'month',
      subscriptionStatus: 'active',
      issuanceNumber: 2,
      firstTimeSubscriber: false,
      subscriberStartedAt: new Date(createdAt.getTime() - 30 * DAY_MS).toISOString(),
    },
  });
  ok(issued);
  const issuance = await waitFor(config, `issuance ${issuanceId} decided`, async () => {
    const outcome = ok(await clients.billing.GET('/v1/issuances/{issuanceId}', { params: { path: { issuanceId } } }));
    return outcome.status === 'decided' ? outcome : undefined;
  });
  workflows.push({ label: `issuance ${issuanceId}: bonus decision`, workflowId: issuance.workflowId });
  done(`decision ${issuance.decision}: ${issuance.item?.itemKind ?? 'no item'}${issuance.consumedReward ? `, consumed reward ${issuance.consumedReward.id}` : ''} (${issuance.reason})`);

  step('Kilo Pass: the worker redeems the applied reward in Impact Advocate');
  const redeemedDelivery = await delivery(clients, config, 'reward_redemption', referee, print);
  const rewardId = redeemedDelivery.businessId;
  const shown = ok(await clients.admin.GET('/v1/admin/rewards/{rewardId}', { params: { path: { rewardId } } })).reward;
  const redemption = shown.redemption;
  if (redeemedDelivery.workflowId) workflows.push({ label: `reward ${rewardId}: redemption`, workflowId: redeemedDelivery.workflowId });
  const fakeRedemptions = config.fakeImpactUrl ? await fakeJson<unknown[]>(config.fakeImpactUrl, '/__fake/redemptions') : null;
  done(
    `reward ${rewardId} ${shown.status}, redemption ${redemption?.status ?? 'none'} (Impact reward ${redemption?.impactRewardId ?? '?'})` +
      (fakeRedemptions ? `; the fake Impact holds ${fakeRedemptions.length} redemption(s)` : ''),
  );

  step(`Kilo Pass: what the storefront shows ${referee}`);
  const summary = ok(await clients.storefront.GET('/v1/users/{userId}/summary', { params: { path: { userId: referee }, query: { product: 'kilo_pass' } } }));
  done(summary.rewards.map((r) => `${describeReward(r)}${r.redemption ? `, redemption ${r.redemption.status}` : ''}`).join('; ') || 'no rewards');

  // ---- Challenge lesson ---------------------------------------------------------------------
  const challengeTerms = new Map(challenge.document.terms.map((t) => [t.name, t] as const));
  const toggle = valueOf(challengeTerms.get('challenge_toggle'));
  const country = (valueOf(challengeTerms.get('eligible_countries')) as string[] | undefined)?.[0] ?? 'US';
  const advocate = `9${run}`;
  const student = `8${run}`;
  const inviteCode = `DEMO${run}`;

  step(`Challenge: advocate ${advocate} (opted in: ${String(toggle)}) shares invite code ${inviteCode}; a student follows it`);
  ok(await clients.storefront.POST('/v1/referral-codes', { body: { programKey: CHALLENGE_PROGRAM, code: inviteCode, userId: advocate } }));
  ok(await clients.storefront.POST('/v1/touches', { body: { kind: 'referral', anonymousId: `demo-student-${run}`, product: challenge.document.product, programKey: CHALLENGE_PROGRAM, referralCode: inviteCode } }));
  done('code registered, touch recorded');

  step(`Challenge: the student signs up as ${student} (country ${country})`);
  const studentSignup = ok(
    await clients.storefront.POST('/v1/signups', {
      body: {
        product: challenge.document.product,
        userId: student,
        anonymousId: `demo-student-${run}`,
        email: `student-${run}@example.com`,
        facts: { advocate: { toggles: toggle ? [toggle] : [] }, invitee: { country } },
      },
    }),
  );
  if (studentSignup.referral?.status !== 'qualified') throw new Error(`the Challenge referral did not qualify: ${JSON.stringify(studentSignup.referral)}`);
  done(`referral qualified: ${advocate} → ${student}, program ${studentSignup.referral.programKey} v${studentSignup.referral.programVersion}`);

  step('Challenge: the marketplace reports the student\'s first completed lesson (45.30 USD)');
  const lesson = ok(
    await clients.billing.POST('/v1/events/lesson-completed', {
      body: {
        eventId: `lesson_demo_${run}`,
        product: challenge.document.product,
        userId: student,
        completedAt: new Date().toISOString(),
        lesson: { id: `lesson-${run}`, usdAmount: '45.30', durationMinutes: 50, sequence: 1, isTrial: false },
      },
    }),
  );
  done(`decision ${lesson.decision.code} (${lesson.decision.rule?.description ?? 'no rule'}); rewards: ${lesson.rewards.map(describeReward).join('; ') || 'none'}`);

  // ---- Summary ------------------------------------------------------------------------------
  const links = demoLinks(config, workflows, [
    { label: 'the Kilo Pass referrer', userId: referrer },
    { label: 'the Kilo Pass referee', userId: referee },
    { label: 'the Challenge advocate', userId: advocate },
  ]);
  const result: DemoResult = {
    kiloPass: {
      referrer,
      referee,
      rewards: payment.rewards,
      issuance: { issuanceId, decision: issuance.decision, rewardId: issuance.consumedReward?.id ?? null },
      redemption: { rewardId, status: redemption?.status ?? 'none', impactRewardId: redemption?.impactRewardId ?? null },
    },
    challenge: { advocate, student, rewards: lesson.rewards },
    workflows,
    links,
  };
  // The rewards as they stand now (the payment's were pending; the referee's has since been applied and redeemed).
  print('');
  print('Rewards:');
  for (const [userId, product] of [[referrer, 'kilo_pass'], [referee, 'kilo_pass'], [advocate, challenge.document.product]] as const) {
    const now = ok(await clients.storefront.GET('/v1/users/{userId}/summary', { params: { path: { userId }, query: { product } } }));
    for (const r of now.rewards) print(`  ${r.programKey}  ${describeReward(r)}${r.redemption ? ` (redemption ${r.redemption.status})` : ''}`);
  }
  print('');
  print('Links:');
  for (const link of links) print(`  ${link.label.padEnd(56)} ${link.url}`);
  return result;
}

function describeReward(r: RewardView): string {
  const amount = r.amountMinor === null ? (r.percent ? `${r.percent}%` : '?') : `${(r.amountMinor / 100).toFixed(2)} ${r.unit ?? ''}`.trim();
  return `${r.role} ${r.beneficiaryId}: ${amount} ${r.status}`;
}

function valueOf(term: unknown): unknown {
  return term && typeof term === 'object' && 'value' in term ? (term as { value: unknown }).value : undefined;
}

function demoLinks(config: DemoConfig, workflows: DemoResult['workflows'], users: { label: string; userId: string }[]): DemoResult['links'] {
  const admin = `${config.apiUrl}/admin/`;
  const links: DemoResult['links'] = [
    { label: 'Admin: Kilo Pass program', url: `${admin}?program=${KILO_PASS_PROGRAM}` },
    { label: 'Admin: Challenge program', url: `${admin}?program=${CHALLENGE_PROGRAM}` },
    ...users.map((u) => ({ label: `Admin support: ${u.label}`, url: `${admin}?screen=support&user=${encodeURIComponent(u.userId)}` })),
    { label: 'Admin operations: Impact deliveries', url: `${admin}?screen=ops` },
  ];
  for (const w of workflows) {
    const url = config.temporalUiUrl
      ? `${config.temporalUiUrl}/namespaces/${encodeURIComponent(config.temporalNamespace)}/workflows/${encodeURIComponent(w.workflowId)}`
      : `workflow id ${w.workflowId} (Temporal UI unknown: set TEMPORAL_UI_URL)`;
    links.push({ label: `Temporal: ${w.label}`, url });
  }
  if (config.fakeImpactUrl) links.push({ label: 'Impact (fake): participants, rewards, actions', url: `${config.fakeImpactUrl}/__fake/state` });
  return links;
}

/** Follows one Impact delivery of a user through the admin api until it succeeded (or failed). */
async function delivery(clients: Clients, config: DemoConfig, kind: DeliveryKind, userId: string, print: (line: string) => void): Promise<Delivery> {
  let lastShown = '';
  return waitFor(config, `${kind} of ${userId}`, async () => {
    const list = ok(await clients.admin.GET('/v1/admin/ops/deliveries', { params: { query: { kind, userId, order: 'newest', limit: 100 } } }));
    const found = list.deliveries[0];
    if (!found) return undefined;
    if (found.status === 'failed') throw new Error(`the ${kind} of ${userId} failed: ${JSON.stringify(found.lastError)}`);
    if (found.status === 'succeeded') return found;
    const state = `${found.status}${found.lastError ? ` (${found.lastError.code})` : ''}`;
    if (state !== lastShown && found.status !== 'pending') print(`        … ${kind} ${state}, attempt ${found.attempts}`);
    lastShown = state;
    return undefined;
  });
}

async function waitFor<T>(config: DemoConfig, what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + config.stepTimeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not done after ${config.stepTimeoutMs} ms (is the worker running?)`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * The code the referral widget shows the referrer: Impact Advocate gave it at registration. On the
 * dev stack Impact is the fake server, whose state holds it.
 */
async function referralCodeShownByWidget(config: DemoConfig, email: string, programId: string): Promise<string> {
  if (!config.fakeImpactUrl) {
    throw new DemoSetupError('the demo reads the referral code the widget shows from the fake Impact server: run it against `npm start` without IMPACT_* credentials, or set FAKE_IMPACT_URL');
  }
  const state = await fakeJson<{ participants: { email: string | null; referralCodes: Record<string, string> }[] }>(config.fakeImpactUrl, '/__fake/state');
  const code = state.participants.find((p) => p.email === email)?.referralCodes[programId];
  if (!code) throw new Error(`Impact holds no referral code for ${email} in program ${programId}`);
  return code;
}

async function fakeJson<T>(fakeUrl: string, path: string): Promise<T> {
  const res = await fetch(`${fakeUrl}${path}`);
  if (!res.ok) throw new Error(`fake Impact ${path} answered ${res.status}`);
  return (await res.json()) as T;
}
