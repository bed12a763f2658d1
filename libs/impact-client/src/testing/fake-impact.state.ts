import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { type ConversionEvent } from '../impact-config.schema';
import { referralCodesInCookie } from './saasquatch-cookie';
import {
  type FakeAdvocateProgramSeed,
  type FakeAdvocateTenantSeed,
  type FakeCampaignSeed,
  type FakeImpactSeed,
  type FakePerformanceAccountSeed,
} from './fake-impact.seed';

export interface FakeResponse {
  status: number;
  /** JSON-serialised; a string is sent as text/plain. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface FakeParticipant {
  tenantAlias: string;
  id: string;
  accountId: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  locale: string | null;
  countryCode: string | null;
  segments: string[];
  customFields: Record<string, unknown>;
  /** Program id → code. */
  referralCodes: Record<string, string>;
  /** The last cookie value received, exactly as sent. */
  cookies: string | null;
  referredBy: { code: string; programId: string; referrerId: string; referrerAccountId: string; isConverted: boolean } | null;
}

export interface FakeRedemption {
  id: string;
  dateRedeemed: number;
  quantityRedeemed: number;
}

export interface FakeReward {
  id: string;
  tenantAlias: string;
  programId: string | null;
  accountId: string;
  userId: string;
  type: 'CREDIT';
  unit: string;
  assignedCredit: number;
  redeemedCredit: number;
  dateGiven: number;
  dateExpires: number | null;
  dateCancelled: number | null;
  dateScheduledFor: number | null;
  cancellable: boolean;
  rewardSource: string;
  name: string;
  currency: string | null;
  redemptions: FakeRedemption[];
}

export interface RecordedRedemption {
  rewardId: string;
  amount: number;
  unit: string;
  requestId: string | null;
  at: Date;
}

export interface FakeAction {
  actionId: string;
  accountSid: string;
  campaignId: string;
  actionTrackerId: string;
  event: ConversionEvent | null;
  orderId: string;
  fields: Record<string, string>;
  state: 'PENDING' | 'REVERSED';
  disposition: string | null;
}

export interface FakeSubmission {
  batchId: string;
  accountSid: string;
  type: 'Conversion' | 'Reversal';
  orderId: string | null;
  polls: number;
  pollsUntilComplete: number;
  result: SubmissionResult;
  /** What completing the submission does; run once. */
  complete: () => string | null;
  completed: { actionId: string | null; errorType: string | null; errorReason: string | null; at: Date } | null;
}

/**
 * How a queued conversion completes: `action` (no error: the action is recorded), or with an
 * `ErrorType` and no action: `failed` (a type the documents do not list, which the client retries),
 * `configuration_error` (Contract Error, ACTIONTRACKER_CAMPAIGN_MISMATCH), `validation_error`
 * (Validation, MALFORMED), `contract_error` (Contract Error, CONTRACT_NOT_FOUND).
 */
export type SubmissionResult = 'action' | 'failed' | 'configuration_error' | 'validation_error' | 'contract_error';

const SUBMISSION_ERRORS: Record<Exclude<SubmissionResult, 'action'>, { errorType: string; errorReason: string }> = {
  failed: { errorType: 'Processing Error', errorReason: 'TEMPORARY_FAILURE' },
  configuration_error: { errorType: 'Contract Error', errorReason: 'ACTIONTRACKER_CAMPAIGN_MISMATCH' },
  validation_error: { errorType: 'Validation', errorReason: 'MALFORMED' },
  contract_error: { errorType: 'Contract Error', errorReason: 'CONTRACT_NOT_FOUND' },
};

/**
 * How conversions are answered. Documented (Conversions v14): `QUEUED` with a `QueuedUri`, the
 * submission `Complete` after N polls. `immediate` (`OK` + an action `Uri`) is not documented and is
 * available only with `contract: 'permissive'`.
 */
export type SubmissionMode = { mode: 'immediate' } | { mode: 'queued'; pollsUntilComplete: number; result?: SubmissionResult };

/**
 * `documented` (the default): the fake answers only what Impact's published descriptions say, and
 * refuses what they refuse. `permissive`: also the undocumented conveniences of earlier versions of
 * this fake (immediate `OK` answers, action ids on completed submissions, bare-language locales,
 * unknown Performance fields), for tests that need them.
 */
export type FakeContract = 'documented' | 'permissive';

export interface FakeBehaviour {
  contract: FakeContract;
  /** Delay before a referral SALE's rewards appear (exercises "reward not yet visible"). */
  rewardDelayMs: number;
  submissions: SubmissionMode;
  /** Documented envelope `{ rewards }` or the bare array of the examples. */
  rewardListShape: 'envelope' | 'array';
}

const PARTICIPANT_FIELDS = new Set([
  'id',
  'accountId',
  'email',
  'firstName',
  'lastName',
  'locale',
  'countryCode',
  'cookies',
  'segments',
  'customFields',
]);
/** Advocate wants `language_COUNTRY` (RS039 otherwise); the permissive fake also takes a bare language. */
const LOCALE = /^[a-z]{2,3}_([A-Z]{2}|\d{3})$/;
const PERMISSIVE_LOCALE = /^[a-z]{2,3}(_([A-Z]{2}|\d{3}))?$/;

/**
 * Conversion fields of the Conversions v14 `ConversionPayload` (api-evangelist/impact,
 * openapi/_original/impact-brand-conversions-v14-openapi.yml) that this fake knows; the documented
 * fake refuses any other. `Item*` fields are numbered (`ItemSku1`).
 */
const CONVERSION_FIELDS = new Set([
  'CampaignId', 'ActionTrackerId', 'EventTypeId', 'EventTypeCode', 'EventDate', 'OrderId', 'ClickId', 'CustomerId',
  'CustomProfileId', 'CustomClickId', 'PromoCode', 'OrderPromoCode', 'MediaId', 'MediaPartnerId', 'UniqueUrl', 'CustomerEmail',
  'CustomerStatus', 'CustomerCity', 'CustomerPostCode', 'CustomerCountry', 'CustomerRegion', 'CurrencyCode', 'Amount',
  'OrderDiscount', 'OrderSubTotalPostDiscount', 'OrderShipping', 'OrderTax', 'OrderMargin', 'OrderDiscountRate', 'PaymentType',
  'GiftPurchase', 'IpAddress', 'UserAgent', 'CountryCode', 'SubId1', 'SubId2', 'SubId3', 'SharedId',
]);
const ITEM_FIELD = /^Item(Sku|PromoCode|Name|Category|SubCategory|Mpn|Brand|Quantity|Price|SubTotal|Discount|DiscountRate|TotalDiscount|DeliveryType)\d+$/;
const DISPOSITIONS = new Set(['REJECTED', 'CONS_FRAUD', 'ITEM_RETURNED']);

const advocateError = (status: number, message: string, apiErrorCode: string, rsCode?: string): FakeResponse => ({
  status,
  body: { statusCode: status, message, apiErrorCode, ...(rsCode ? { rsCode } : {}) },
});
const performanceError = (status: number, message: string, errors: { Field: string; Message: string }[] = []): FakeResponse => ({
  status,
  body: { Status: 'ERROR', Message: message, Errors: errors },
});
/** The documented Conversions 400: `{ Status: "ERROR", errors: [{ field, level, message }] }`. */
const conversionValidationError = (errors: { Field: string; Message: string }[]): FakeResponse => ({
  status: 400,
  body: { Status: 'ERROR', errors: errors.map((e) => ({ field: e.Field, level: 'ERROR', message: e.Message })) },
});
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const sha1 = (value: string) => createHash('sha1').update(value.trim().toLowerCase(), 'utf8').digest('hex');

/** Completing a conversion whose OrderId Impact already has (documented reason CONV_DUPLICATE). */
class DuplicateConversion extends Error {}

/** The fake's in-memory Impact: tenants, participants, rewards, campaigns, actions, submissions. */
export class FakeImpactState {
  readonly participants = new Map<string, FakeParticipant>();
  readonly rewards = new Map<string, FakeReward>();
  readonly actions = new Map<string, FakeAction>();
  readonly submissions = new Map<string, FakeSubmission>();
  readonly redemptions: RecordedRedemption[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly settleWaiters: (() => void)[] = [];
  private codeSequence: number;
  private actionSequence = 1;

  constructor(
    private readonly seed: FakeImpactSeed,
    readonly behaviour: FakeBehaviour,
    private readonly now: () => number = Date.now,
    firstReferralCodeNumber = 9001,
  ) {
    this.codeSequence = firstReferralCodeNumber;
  }

  tenant(alias: string): FakeAdvocateTenantSeed | undefined {
    return this.seed.advocateTenants.find((t) => t.tenantAlias === alias);
  }

  account(sid: string): FakePerformanceAccountSeed | undefined {
    return this.seed.performanceAccounts.find((a) => a.accountSid === sid);
  }

  reset(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.participants.clear();
    this.rewards.clear();
    this.actions.clear();
    this.submissions.clear();
    this.redemptions.length = 0;
    this.releaseSettled();
  }

  /** Resolves once no delayed reward creation is pending. */
  settle(): Promise<void> {
    if (this.timers.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.settleWaiters.push(resolve));
  }

  private releaseSettled(): void {
    if (this.timers.size > 0) return;
    for (const resolve of this.settleWaiters.splice(0)) resolve();
  }

  private later(ms: number, task: () => void): void {
    if (ms <= 0) {
      task();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      task();
      this.releaseSettled();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  // ── Advocate ─────────────────────────────────────────────────────────────────────────────────

  private participantKey = (tenantAlias: string, accountId: string, userId: string) => `${tenantAlias}\u0000${accountId}\u0000${userId}`;

  upsertParticipant(tenant: FakeAdvocateTenantSeed, accountId: string, userId: string, body: unknown, create: boolean): FakeResponse {
    if (tenant.openEndpointDisabled) return advocateError(403, 'The open endpoint is disabled for this tenant', 'OPEN_ENDPOINT_DISABLED');
    if (!isRecord(body)) return advocateError(400, 'Request body must be a JSON object', 'INVALID_JSON_REQUEST');
    const unknown = Object.keys(body).filter((key) => !PARTICIPANT_FIELDS.has(key));
    if (unknown.length > 0) return advocateError(400, `Unrecognized field(s): ${unknown.join(', ')}`, 'INVALID_JSON_REQUEST');
    const strings = ['id', 'accountId', 'email', 'firstName', 'lastName', 'locale', 'countryCode', 'cookies'];
    const badType = strings.find((key) => body[key] !== undefined && body[key] !== null && typeof body[key] !== 'string');
    if (badType) return advocateError(400, `Field ${badType} must be a string`, 'INVALID_JSON_REQUEST');
    if (body['id'] !== userId || body['accountId'] !== accountId) {
      return advocateError(400, 'id and accountId must match the path', 'INVALID_PARAMETER');
    }
    const locale = body['locale'] as string | undefined;
    const localePattern = this.behaviour.contract === 'permissive' ? PERMISSIVE_LOCALE : LOCALE;
    if (locale !== undefined && locale !== null && !localePattern.test(locale)) {
      return advocateError(400, 'locale must be language_COUNTRY, like en_US', 'INVALID_PARAMETER', 'RS039');
    }
    const cookies = body['cookies'] as string | undefined;
    if (typeof cookies === 'string' && cookies.length > 512) return advocateError(400, 'cookies value is too long', 'INVALID_PARAMETER');

    const key = this.participantKey(tenant.tenantAlias, accountId, userId);
    let participant = this.participants.get(key);
    const created = !participant;
    if (!participant) {
      participant = {
        tenantAlias: tenant.tenantAlias,
        id: userId,
        accountId,
        email: null,
        firstName: null,
        lastName: null,
        locale: null,
        countryCode: null,
        segments: [],
        customFields: {},
        referralCodes: this.newReferralCodes(tenant, (body['firstName'] as string | undefined) ?? (body['email'] as string | undefined) ?? userId),
        cookies: null,
        referredBy: null,
      };
      this.participants.set(key, participant);
    }
    const p = participant;
    if (typeof body['email'] === 'string') p.email = body['email'];
    if (typeof body['firstName'] === 'string') p.firstName = body['firstName'];
    if (typeof body['lastName'] === 'string') p.lastName = body['lastName'];
    if (typeof locale === 'string') p.locale = locale;
    if (typeof body['countryCode'] === 'string') p.countryCode = body['countryCode'];
    if (Array.isArray(body['segments'])) p.segments = body['segments'].map(String);
    if (isRecord(body['customFields'])) p.customFields = { ...p.customFields, ...body['customFields'] };
    if (typeof cookies === 'string') {
      p.cookies = cookies;
      if (!p.referredBy && cookies !== '') p.referredBy = this.referralFromCookie(tenant, p, cookies);
    }
    return { status: create && created ? 201 : 200, body: this.participantJson(tenant, p) };
  }

  private newReferralCodes(tenant: FakeAdvocateTenantSeed, seedName: string): Record<string, string> {
    const base = (seedName.split('@')[0] ?? 'PARTICIPANT').replace(/[^A-Za-z0-9]/g, '').toUpperCase().slice(0, 12) || 'PARTICIPANT';
    const codes: Record<string, string> = {};
    for (const program of tenant.programs) codes[program.programId] = `${base}${this.codeSequence++}`;
    return codes;
  }

  private referralFromCookie(tenant: FakeAdvocateTenantSeed, participant: FakeParticipant, cookie: string): FakeParticipant['referredBy'] {
    for (const [programId, code] of Object.entries(referralCodesInCookie(cookie))) {
      for (const referrer of this.participants.values()) {
        if (referrer.tenantAlias !== tenant.tenantAlias || referrer.referralCodes[programId] !== code) continue;
        if (referrer === participant) return null; // self-referral: ignored, as Advocate does
        return { code, programId, referrerId: referrer.id, referrerAccountId: referrer.accountId, isConverted: false };
      }
    }
    return null;
  }

  private participantJson(tenant: FakeAdvocateTenantSeed, p: FakeParticipant): Record<string, unknown> {
    const firstProgram = tenant.programs[0]?.programId;
    const link = (code: string) => `https://ssqt.co/${tenant.tenantAlias}/${code}`;
    return {
      id: p.id,
      accountId: p.accountId,
      email: p.email,
      firstName: p.firstName,
      lastName: p.lastName,
      referralCode: firstProgram ? (p.referralCodes[firstProgram] ?? null) : null,
      referralCodes: p.referralCodes,
      referredBy: p.referredBy
        ? { code: p.referredBy.code, isConverted: p.referredBy.isConverted, newlyReferred: !p.referredBy.isConverted }
        : { code: null, isConverted: false, newlyReferred: false },
      referredByCodes: p.referredBy ? [p.referredBy.code] : [],
      referable: true,
      shareLinks: firstProgram && p.referralCodes[firstProgram] ? { shareLink: link(p.referralCodes[firstProgram]) } : {},
      programShareLinks: Object.fromEntries(Object.entries(p.referralCodes).map(([id, code]) => [id, { cleanShareLink: link(code) }])),
      locale: p.locale,
      countryCode: p.countryCode,
      segments: p.segments,
      customFields: p.customFields,
    };
  }

  listRewards(tenant: FakeAdvocateTenantSeed, query: URLSearchParams): FakeResponse {
    const accountId = query.get('accountId');
    const userId = query.get('userId');
    if (!accountId || !userId) return advocateError(400, 'accountId and userId are required', 'INVALID_PARAMETER');
    const filter = query.get('rewardTypeFilter');
    const rewards = [...this.rewards.values()].filter(
      (r) => r.tenantAlias === tenant.tenantAlias && r.accountId === accountId && r.userId === userId && (!filter || r.type === filter),
    );
    const json = rewards.map((r) => this.rewardJson(r));
    return { status: 200, body: this.behaviour.rewardListShape === 'array' ? json : { rewards: json, count: json.length, totalCount: json.length } };
  }

  rewardBalance(tenant: FakeAdvocateTenantSeed, query: URLSearchParams): FakeResponse {
    const listed = this.listRewards(tenant, query);
    if (listed.status !== 200) return listed;
    const byUnit = new Map<string, { type: string; unit: string; count: number; totalAssignedCredit: number; totalRedeemedCredit: number }>();
    for (const reward of this.rewards.values()) {
      if (reward.tenantAlias !== tenant.tenantAlias || reward.accountId !== query.get('accountId') || reward.userId !== query.get('userId')) continue;
      if (reward.dateCancelled !== null) continue;
      const entry = byUnit.get(reward.unit) ?? { type: 'CREDIT', unit: reward.unit, count: 0, totalAssignedCredit: 0, totalRedeemedCredit: 0 };
      entry.count++;
      entry.totalAssignedCredit += reward.assignedCredit;
      entry.totalRedeemedCredit += reward.redeemedCredit;
      byUnit.set(reward.unit, entry);
    }
    return { status: 200, body: [...byUnit.values()] };
  }

  /** Adds a credit reward directly (tests that start at "a reward exists"). */
  addReward(input: {
    tenantAlias: string;
    accountId: string;
    userId: string;
    amount: number;
    unit: string;
    programId?: string | null;
    rewardSource?: string;
  }): FakeReward {
    const reward: FakeReward = {
      id: randomBytes(12).toString('hex'),
      tenantAlias: input.tenantAlias,
      programId: input.programId ?? null,
      accountId: input.accountId,
      userId: input.userId,
      type: 'CREDIT',
      unit: input.unit,
      assignedCredit: input.amount,
      redeemedCredit: 0,
      dateGiven: this.now(),
      dateExpires: null,
      dateCancelled: null,
      dateScheduledFor: null,
      cancellable: true,
      rewardSource: input.rewardSource ?? 'MANUAL',
      name: `${input.amount} ${input.unit}`,
      currency: null,
      redemptions: [],
    };
    this.rewards.set(reward.id, reward);
    return reward;
  }

  /** Reward v13 `Reward`: with its `programId` (null when it belongs to no program). */
  private rewardJson(r: FakeReward): Record<string, unknown> {
    const { tenantAlias: _tenant, ...json } = r;
    return { ...json, redemptions: r.redemptions.map((x) => ({ ...x })) };
  }

  lookupReward(tenant: FakeAdvocateTenantSeed, rewardId: string): FakeResponse {
    const reward = this.rewards.get(rewardId);
    if (!reward || reward.tenantAlias !== tenant.tenantAlias) return advocateError(404, 'Reward not found', 'REWARD_NOT_FOUND');
    return { status: 200, body: this.rewardJson(reward) };
  }

  redeem(tenant: FakeAdvocateTenantSeed, rewardId: string, body: unknown, requestId: string | null): FakeResponse {
    const reward = this.rewards.get(rewardId);
    if (!reward || reward.tenantAlias !== tenant.tenantAlias) return advocateError(404, 'Reward not found', 'REWARD_NOT_FOUND');
    if (!isRecord(body) || typeof body['amount'] !== 'number' || typeof body['unit'] !== 'string') {
      return advocateError(400, 'amount (number) and unit (string) are required', 'INVALID_JSON_REQUEST');
    }
    const amount = body['amount'];
    const unit = body['unit'];
    if (!(amount > 0)) return advocateError(400, 'amount must be positive', 'INVALID_PARAMETER');
    if (reward.dateCancelled !== null) return advocateError(400, 'Reward is cancelled', 'REWARD_CANCELLED');
    const available = reward.assignedCredit - reward.redeemedCredit;
    // Partial redemptions are allowed (Reward v13: `redemptions[]`, `redeemedCredit`); once nothing
    // is left, the production integration's fixture answers exactly this text.
    if (available <= 1e-9) return advocateError(400, 'Reward already redeemed', 'REWARD_ALREADY_REDEEMED');
    if (unit.toLowerCase() !== reward.unit.toLowerCase()) return advocateError(400, `Unit ${unit} does not match the reward`, 'INVALID_PARAMETER');
    if (amount > available + 1e-9) return advocateError(400, 'Not enough credit available', 'INSUFFICIENT_CREDIT');
    reward.redeemedCredit = Number((reward.redeemedCredit + amount).toFixed(6));
    reward.redemptions.push({ id: randomUUID(), dateRedeemed: this.now(), quantityRedeemed: amount });
    reward.cancellable = false;
    this.redemptions.push({ rewardId, amount, unit: reward.unit, requestId, at: new Date(this.now()) });
    return {
      status: 200,
      body: { creditRedeemed: amount, creditAvailable: Number((reward.assignedCredit - reward.redeemedCredit).toFixed(6)), unit: reward.unit },
    };
  }

  cancelReward(tenant: FakeAdvocateTenantSeed, rewardId: string): FakeResponse {
    const reward = this.rewards.get(rewardId);
    if (!reward || reward.tenantAlias !== tenant.tenantAlias) return advocateError(404, 'Reward not found', 'REWARD_NOT_FOUND');
    if (!reward.cancellable || reward.dateCancelled !== null) return advocateError(400, 'Reward is not cancellable', 'REWARD_NOT_CANCELLABLE');
    reward.dateCancelled = this.now();
    reward.cancellable = false;
    return { status: 200, body: this.rewardJson(reward) };
  }

  // ── Performance ──────────────────────────────────────────────────────────────────────────────

  submitConversion(account: FakePerformanceAccountSeed, fields: Record<string, string>): FakeResponse {
    const errors: { Field: string; Message: string }[] = [];
    if (this.behaviour.contract === 'documented') {
      for (const field of Object.keys(fields)) {
        if (!CONVERSION_FIELDS.has(field) && !ITEM_FIELD.test(field)) errors.push({ Field: field, Message: 'is not a known field' });
      }
    }
    const campaign = account.campaigns.find((c) => c.campaignId === fields['CampaignId']);
    if (!campaign) errors.push({ Field: 'CampaignId', Message: 'CAMPAIGN_NOT_FOUND' });
    const trackerId = fields['ActionTrackerId'];
    const event = campaign ? this.eventOf(campaign, trackerId) : null;
    if (!trackerId) errors.push({ Field: 'ActionTrackerId', Message: 'is required' });
    else if (campaign && !event) errors.push({ Field: 'ActionTrackerId', Message: 'ACTIONTRACKER_CAMPAIGN_MISMATCH' });
    const orderId = fields['OrderId'];
    if (!orderId) errors.push({ Field: 'OrderId', Message: 'OID_MISSING' });
    else if (orderId.length > 64) errors.push({ Field: 'OrderId', Message: 'must be at most 64 characters' });
    if (fields['ClickId'] !== undefined && fields['ClickId'].length > 64) errors.push({ Field: 'ClickId', Message: 'must be at most 64 characters' });
    if (!fields['EventDate'] || Number.isNaN(Date.parse(fields['EventDate']))) errors.push({ Field: 'EventDate', Message: 'must be ISO 8601' });
    if (fields['CustomerEmail'] !== undefined && !/^[0-9a-f]{40}$/.test(fields['CustomerEmail'])) {
      errors.push({ Field: 'CustomerEmail', Message: 'must be the SHA-1 hex of the address' });
    }
    if (fields['ItemSubTotal1'] !== undefined && !/^-?\d+\.\d{2}$/.test(fields['ItemSubTotal1'])) {
      errors.push({ Field: 'ItemSubTotal1', Message: 'must be a decimal with 2 places' });
    }
    if (errors.length > 0 || !campaign || !trackerId || !orderId) return conversionValidationError(errors);

    // A resubmitted OrderId for the same tracker: the permissive fake answers the action it already
    // created; the documented one completes the submission with CONV_DUPLICATE (checked when it
    // completes, so an action created in between counts).
    const existingAction = () =>
      [...this.actions.values()].find((a) => a.accountSid === account.accountSid && a.actionTrackerId === trackerId && a.orderId === orderId);
    const record = () => existingAction()?.actionId ?? this.createAction(account, campaign, trackerId, event, orderId, fields);
    return this.answerSubmission(account, 'Conversion', orderId, record, () => existingAction() !== undefined);
  }

  private eventOf(campaign: FakeCampaignSeed, trackerId: string | undefined): ConversionEvent | null {
    const entry = Object.entries(campaign.actionTrackerIds).find(([, id]) => id === trackerId);
    return entry ? (entry[0] as ConversionEvent) : null;
  }

  private answerSubmission(
    account: FakePerformanceAccountSeed,
    type: FakeSubmission['type'],
    orderId: string | null,
    complete: () => string | null,
    isDuplicate: () => boolean = () => false,
  ): FakeResponse {
    const mode = this.behaviour.submissions;
    if (mode.mode === 'immediate' && type === 'Conversion') {
      const actionId = complete();
      return { status: 200, body: { Status: 'OK', Uri: `/Advertisers/${account.accountSid}/Actions/${actionId}` } };
    }
    const submission: FakeSubmission = {
      batchId: `A-${randomUUID()}`,
      accountSid: account.accountSid,
      type,
      orderId,
      polls: 0,
      pollsUntilComplete: mode.mode === 'queued' ? Math.max(1, mode.pollsUntilComplete) : 1,
      result: mode.mode === 'queued' && type === 'Conversion' ? (mode.result ?? 'action') : 'action',
      complete: () => {
        if (this.behaviour.contract === 'documented' && type === 'Conversion' && isDuplicate()) {
          throw new DuplicateConversion();
        }
        return complete();
      },
      completed: null,
    };
    this.submissions.set(submission.batchId, submission);
    return { status: 200, body: { Status: 'QUEUED', QueuedUri: `/Advertisers/${account.accountSid}/APISubmissions/${submission.batchId}` } };
  }

  /**
   * Submissions v14 `ApiSubmission`: Queued on the first poll, In Progress until it completes,
   * then Complete with `ErrorType` / `ErrorReason` when it failed. No action id is documented; the
   * permissive fake adds `ActionId` / `ActionUri`.
   */
  pollSubmission(account: FakePerformanceAccountSeed, batchId: string): FakeResponse {
    const submission = this.submissions.get(batchId);
    if (!submission || submission.accountSid !== account.accountSid) return performanceError(404, 'Submission not found');
    submission.polls++;
    const uri = `/Advertisers/${account.accountSid}/APISubmissions/${batchId}`;
    if (!submission.completed && submission.polls >= submission.pollsUntilComplete) {
      submission.completed = this.completeSubmission(submission);
    }
    const common = { BatchId: batchId, Type: submission.type, OrderId: submission.orderId, Uri: uri };
    if (!submission.completed) {
      return { status: 200, body: { ...common, Status: submission.polls <= 1 ? 'Queued' : 'In Progress', CompletionDate: null, ErrorType: null, ErrorReason: null } };
    }
    const { actionId, errorType, errorReason, at } = submission.completed;
    const body: Record<string, unknown> = { ...common, Status: 'Complete', CompletionDate: at.toISOString(), ErrorType: errorType, ErrorReason: errorReason };
    if (this.behaviour.contract === 'permissive') {
      body['ActionId'] = actionId;
      body['ActionUri'] = actionId ? `/Advertisers/${account.accountSid}/Actions/${actionId}` : null;
    }
    return { status: 200, body };
  }

  private completeSubmission(submission: FakeSubmission): NonNullable<FakeSubmission['completed']> {
    const at = new Date(this.now());
    if (submission.result !== 'action') return { actionId: null, ...SUBMISSION_ERRORS[submission.result], at };
    try {
      return { actionId: submission.complete(), errorType: null, errorReason: null, at };
    } catch (error) {
      if (!(error instanceof DuplicateConversion)) throw error;
      return { actionId: null, errorType: 'Contract Error', errorReason: 'CONV_DUPLICATE', at };
    }
  }

  getAction(account: FakePerformanceAccountSeed, actionId: string): FakeResponse {
    const action = this.actions.get(actionId);
    if (!action || action.accountSid !== account.accountSid) return performanceError(404, 'Action not found');
    return {
      status: 200,
      body: {
        Id: action.actionId,
        CampaignId: action.campaignId,
        ActionTrackerId: action.actionTrackerId,
        Oid: action.orderId,
        State: action.state,
        DispositionCode: action.disposition,
        Uri: `/Advertisers/${account.accountSid}/Actions/${action.actionId}`,
      },
    };
  }

  reverseAction(account: FakePerformanceAccountSeed, fields: Record<string, string>): FakeResponse {
    const disposition = fields['DispositionCode'];
    if (!disposition || !DISPOSITIONS.has(disposition)) {
      return performanceError(400, 'Validation Failed', [{ Field: 'DispositionCode', Message: 'must be REJECTED, CONS_FRAUD or ITEM_RETURNED' }]);
    }
    const action = fields['ActionId']
      ? this.actions.get(fields['ActionId'])
      : [...this.actions.values()].find((a) => a.actionTrackerId === fields['ActionTrackerId'] && a.orderId === fields['OrderId']);
    if (!fields['ActionId'] && !(fields['ActionTrackerId'] && fields['OrderId'])) {
      return performanceError(400, 'Validation Failed', [{ Field: 'ActionId', Message: 'ActionId or ActionTrackerId and OrderId are required' }]);
    }
    if (!action || action.accountSid !== account.accountSid) return performanceError(404, 'Action not found');
    return this.answerSubmission(account, 'Reversal', action.orderId, () => {
      action.state = 'REVERSED';
      action.disposition = disposition;
      return action.actionId;
    });
  }

  private createAction(
    account: FakePerformanceAccountSeed,
    campaign: FakeCampaignSeed,
    trackerId: string,
    event: ConversionEvent | null,
    orderId: string,
    fields: Record<string, string>,
  ): string {
    const actionId = `${campaign.campaignId.slice(-4).padStart(4, '0')}.${String(this.actionSequence++).padStart(4, '0')}.${randomBytes(2).readUInt16BE(0) + 1000}`;
    this.actions.set(actionId, {
      actionId,
      accountSid: account.accountSid,
      campaignId: campaign.campaignId,
      actionTrackerId: trackerId,
      event,
      orderId,
      fields: { ...fields },
      state: 'PENDING',
      disposition: null,
    });
    if (event === 'SALE') this.convertReferral(campaign, fields);
    return actionId;
  }

  /**
   * A SALE for a referred participant converts the referral: after `rewardDelayMs`, one credit
   * reward for the referrer and one for the referee, as Advocate does asynchronously.
   */
  private convertReferral(campaign: FakeCampaignSeed, fields: Record<string, string>): void {
    if (!campaign.advocate) return;
    const { tenantAlias, programId } = campaign.advocate;
    const tenant = this.tenant(tenantAlias);
    const program = tenant?.programs.find((p) => p.programId === programId);
    if (!tenant || !program) return;
    const referee = [...this.participants.values()].find(
      (p) =>
        p.tenantAlias === tenantAlias &&
        ((fields['CustomerEmail'] !== undefined && p.email !== null && sha1(p.email) === fields['CustomerEmail']) ||
          (fields['CustomerId'] !== undefined && (p.id === fields['CustomerId'] || p.accountId === fields['CustomerId']))),
    );
    if (!referee?.referredBy || referee.referredBy.isConverted || referee.referredBy.programId !== programId) return;
    const referral = referee.referredBy;
    referral.isConverted = true;
    const amount = this.referralRewardAmount(program, fields['ItemSubTotal1']);
    this.later(this.behaviour.rewardDelayMs, () => {
      const base = { tenantAlias, programId, unit: program.rewardUnit, amount, rewardSource: 'FRIEND_SIGNUP' };
      this.addReward({ ...base, accountId: referral.referrerAccountId, userId: referral.referrerId, rewardSource: 'REFERRED' });
      this.addReward({ ...base, accountId: referee.accountId, userId: referee.id });
    });
  }

  private referralRewardAmount(program: FakeAdvocateProgramSeed, subtotal: string | undefined): number {
    const rule = program.referralReward ?? { fixedAmount: 1 };
    if ('fixedAmount' in rule) return rule.fixedAmount;
    const decimals = program.rewardUnitDecimals ?? 0;
    // Integer cents × percent, rounded half up to the unit's decimals.
    const cents = subtotal ? Math.round(Number(subtotal) * 100) : 0;
    const scaled = Math.round((cents * rule.percentOfSale * 10 ** decimals) / (100 * 100));
    return scaled / 10 ** decimals;
  }
}
