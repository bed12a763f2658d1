import { type z } from 'zod';
import {
  type AdvocateParticipant,
  type AdvocateReward,
  participantSchema,
  redeemResponseSchema,
  rewardListSchema,
  rewardSchema,
  type UpsertParticipantInput,
  upsertParticipantInputSchema,
} from './advocate.schemas';
import { minorToUnitAmount } from './amounts';
import { classifyFailure, errorDetailsOf, isSuccessStatus, unexpectedBody } from './classify-response';
import { type AdvocateProgramConfig, type WidgetConfig } from './impact-config.schema';
import {
  basicAuthorization,
  type CallOptions,
  type HttpDeps,
  type HttpResponse,
  joinUrl,
  newRequestId,
  sendRequest,
} from './impact-http';
import { normalizeLocale } from './locale';
import { logOutcome, runOperation, type OperationScope } from './operation';
import {
  type DisabledCode,
  disabled,
  type ImpactAlreadyRedeemed,
  type ImpactOutcome,
  type ImpactPermanent,
  type ImpactTransient,
  ok,
  permanent,
  transient,
} from './outcome';
import { redactEmail, redactIdentifier, redactOpaque } from './redact';
import { type RewardRejection, selectReward } from './select-reward';
import { type ServerSideIdentity, signVerifiedAccessToken, type VerifiedAccessToken } from './verified-access-token';

export interface RegisteredParticipant {
  participantId: string;
  accountId: string;
  /** `referralCodes[<programId>]` of this product's program; null when missing or blank. */
  referralCode: string | null;
  /** The code of whoever referred this participant, when Advocate attributed one. */
  referredByCode: string | null;
  /** The whole parsed participant, for callers that need more. */
  participant: AdvocateParticipant;
}

/** Whose rewards: Advocate's account id and participant (user) id. */
export interface ParticipantRef {
  accountId: string;
  userId: string;
}

export interface FindRewardInput extends ParticipantRef {
  /** The local reward's amount in minor units. */
  amountMinor: number;
  /** Impact reward ids already chosen by other local rewards. */
  excludeRewardIds?: readonly string[];
}

export interface RewardToRedeem {
  rewardId: string;
  reward: AdvocateReward;
  rejected: RewardRejection[];
}

export interface RedeemRewardInput {
  rewardId: string;
  /** The local reward's amount in minor units; sent in the configured unit. */
  amountMinor: number;
  /**
   * The Impact reward id this local reward had chosen on an earlier attempt, if any. "Already
   * redeemed" is a success only when it equals `rewardId`: then our own earlier attempt did it.
   */
  previouslyChosenRewardId?: string | null;
}

export interface RedeemedReward {
  rewardId: string;
  creditRedeemed: number;
  creditAvailable: number | null;
  unit: string;
}

export type RedeemOutcome = ImpactOutcome<RedeemedReward> | ImpactAlreadyRedeemed;

export interface CancelledReward {
  rewardId: string;
  /** The reward as Advocate returned it, when the answer was a reward. */
  reward: AdvocateReward | null;
}

export interface AdvocateClient {
  readonly product: string;
  /** False when the product has no Advocate configuration: every call answers `disabled`. */
  readonly enabled: boolean;
  /** Tenant, program and widget ids for the in-app widget; null when disabled. */
  readonly widget: WidgetConfig | null;
  upsertParticipant(input: UpsertParticipantInput, options?: CallOptions): Promise<ImpactOutcome<RegisteredParticipant>>;
  listRewards(participant: ParticipantRef, options?: CallOptions): Promise<ImpactOutcome<AdvocateReward[]>>;
  /** Lists the rewards and selects one; none matching is transient `reward_not_visible`. */
  findRewardToRedeem(input: FindRewardInput, options?: CallOptions): Promise<ImpactOutcome<RewardToRedeem>>;
  redeemReward(input: RedeemRewardInput, options?: CallOptions): Promise<RedeemOutcome>;
  cancelReward(input: { rewardId: string }, options?: CallOptions): Promise<ImpactOutcome<CancelledReward>>;
  /** Signs a Verified Access token for the widget; no request is sent. */
  createVerifiedAccessToken(identity: ServerSideIdentity, options?: Pick<CallOptions, 'requestId'>): ImpactOutcome<VerifiedAccessToken>;
}

/**
 * "Already redeemed". The Reward v13 OpenAPI documents no status or code for it, and the Advocate
 * error-code page we could read lists no redemption code; a production integration's fixture answers
 * 400 `Reward already redeemed`. So it is recognised from the error code (`apiErrorCode` or `rsCode`
 * naming it, e.g. `REWARD_ALREADY_REDEEMED`) as well as from that text, and, decisively, from the
 * reward itself (see {@link HttpAdvocateClient.redeemReward}).
 */
const ALREADY_REDEEMED = /already[\s_-]*redeemed/i;

function saysAlreadyRedeemed(details: { message: string; apiErrorCode?: string; rsCode?: string }): boolean {
  return [details.message, details.apiErrorCode, details.rsCode].some((text) => text !== undefined && ALREADY_REDEEMED.test(text));
}

function invalidInput(error: z.ZodError, requestId: string): ImpactPermanent {
  const fieldErrors = error.issues.map((issue) => ({ field: issue.path.join('.'), message: issue.message }));
  return permanent('invalid_input', `Invalid input: ${fieldErrors.map((e) => `${e.field} ${e.message}`).join('; ')}`, requestId, {
    fieldErrors,
  });
}

const pathId = (value: string) => encodeURIComponent(value);

class HttpAdvocateClient implements AdvocateClient {
  readonly enabled = true;
  readonly widget: WidgetConfig;
  private readonly scope: OperationScope;

  constructor(
    readonly product: string,
    private readonly config: AdvocateProgramConfig,
    private readonly deps: HttpDeps,
  ) {
    this.scope = { deps, product, api: 'advocate' };
    this.widget = { tenantAlias: config.tenantAlias, programId: config.programId, widgetId: config.widgetId };
  }

  private get authorization(): string {
    return this.config.authStyle === 'empty_username_api_key'
      ? basicAuthorization('', this.config.authToken)
      : basicAuthorization(this.config.accountSid, this.config.authToken);
  }

  private apiPath(path: string): string {
    return `/api/v1/${pathId(this.config.tenantAlias)}${path}`;
  }

  /** Sends one request and turns transport failures and non-2xx answers into outcomes. */
  private async exchange(
    operation: string,
    route: string,
    request: { method: 'GET' | 'POST' | 'PUT'; path: string; query?: Record<string, string>; json?: unknown },
    requestId: string,
    options: CallOptions,
  ): Promise<{ kind: 'response'; response: HttpResponse } | ImpactTransient> {
    return sendRequest(this.deps, {
      product: this.product,
      api: 'advocate',
      operation,
      route: `${request.method} /api/v1/{tenant}${route}`,
      method: request.method,
      url: joinUrl(this.config.baseUrl, this.apiPath(request.path), request.query),
      authorization: this.authorization,
      json: request.json,
      requestId,
      options,
    });
  }

  upsertParticipant(input: UpsertParticipantInput, options?: CallOptions): Promise<ImpactOutcome<RegisteredParticipant>> {
    const logFields = {
      participantId: redactIdentifier(input.id),
      email: redactEmail(input.email),
      saasquatchCookie: redactOpaque(input.cookies),
    };
    return runOperation(this.scope, 'upsertParticipant', logFields, options, async (requestId, callOptions) => {
      const parsed = upsertParticipantInputSchema.safeParse(input);
      if (!parsed.success) return invalidInput(parsed.error, requestId);
      const body = this.participantBody(parsed.data);
      const result = await this.exchange(
        'upsertParticipant',
        '/open/account/{accountId}/user/{userId}',
        { method: 'PUT', path: `/open/account/${pathId(parsed.data.accountId)}/user/${pathId(parsed.data.id)}`, json: body },
        requestId,
        callOptions,
      );
      if (result.kind !== 'response') return result;
      const { response } = result;
      if (!isSuccessStatus(response.status)) return classifyFailure(response, requestId, this.deps.now());
      const participant = participantSchema.safeParse(response.body);
      if (!participant.success) return unexpectedBody(participant.error, requestId, response.status);
      return ok(this.registered(participant.data), requestId);
    });
  }

  /** The request body, from an explicit allow-list: Advocate rejects unknown fields. */
  private participantBody(input: z.output<typeof upsertParticipantInputSchema>): Record<string, unknown> {
    const body: Record<string, unknown> = { id: input.id, accountId: input.accountId };
    if (input.email !== undefined) body['email'] = input.email;
    if (input.firstName !== undefined) body['firstName'] = input.firstName;
    if (input.lastName !== undefined) body['lastName'] = input.lastName;
    const locale = normalizeLocale(input.locale, input.countryCode);
    if (locale !== undefined) body['locale'] = locale;
    if (input.countryCode !== undefined) body['countryCode'] = input.countryCode;
    // Opaque: never parsed, trimmed or re-encoded; Advocate reads the referral from it.
    if (input.cookies !== undefined) body['cookies'] = input.cookies;
    if (input.segments !== undefined) body['segments'] = input.segments;
    if (input.customFields !== undefined) body['customFields'] = input.customFields;
    return body;
  }

  private registered(participant: AdvocateParticipant): RegisteredParticipant {
    // Only this program's code counts: the top-level `referralCode` may belong to another program.
    const code = participant.referralCodes?.[this.config.programId]?.trim();
    // `referredByCodes[]` in the current swagger, `referredBy.code` in the older one.
    const referredBy = participant.referredBy?.code?.trim() || participant.referredByCodes?.find((c) => c.trim())?.trim();
    return {
      participantId: participant.id,
      accountId: participant.accountId,
      referralCode: code ? code : null,
      referredByCode: referredBy ? referredBy : null,
      participant,
    };
  }

  listRewards(participant: ParticipantRef, options?: CallOptions): Promise<ImpactOutcome<AdvocateReward[]>> {
    const logFields = { participantId: redactIdentifier(participant.userId) };
    return runOperation(this.scope, 'listRewards', logFields, options, (requestId, callOptions) =>
      this.fetchRewards(participant, requestId, callOptions),
    );
  }

  private async fetchRewards(
    participant: ParticipantRef,
    requestId: string,
    options: CallOptions,
  ): Promise<ImpactOutcome<AdvocateReward[]>> {
    const result = await this.exchange(
      'listRewards',
      '/reward',
      {
        method: 'GET',
        path: '/reward',
        query: { accountId: participant.accountId, userId: participant.userId, rewardTypeFilter: 'CREDIT' },
      },
      requestId,
      options,
    );
    if (result.kind !== 'response') return result;
    const { response } = result;
    if (!isSuccessStatus(response.status)) return classifyFailure(response, requestId, this.deps.now());
    const rewards = rewardListSchema.safeParse(response.body);
    if (!rewards.success) return unexpectedBody(rewards.error, requestId, response.status);
    return ok(rewards.data, requestId);
  }

  findRewardToRedeem(input: FindRewardInput, options?: CallOptions): Promise<ImpactOutcome<RewardToRedeem>> {
    const logFields: Record<string, unknown> = { participantId: redactIdentifier(input.userId), amountMinor: input.amountMinor };
    return runOperation(this.scope, 'findRewardToRedeem', logFields, options, async (requestId, callOptions) => {
      const listed = await this.fetchRewards(input, requestId, callOptions);
      if (listed.kind !== 'ok') return listed;
      const selection = selectReward(listed.value, {
        programId: this.config.programId,
        unit: this.config.rewardUnit,
        amountMinor: input.amountMinor,
        unitDecimals: this.config.rewardUnitDecimals,
        excludeRewardIds: input.excludeRewardIds,
      });
      logFields['rejected'] = selection.rejected;
      if (selection.kind === 'none') {
        return transient(
          'reward_not_visible',
          `No unredeemed ${this.config.rewardUnit} credit reward of at least ${minorToUnitAmount(input.amountMinor, this.config.rewardUnitDecimals)} is visible yet (${listed.value.length} reward(s) checked)`,
          requestId,
        );
      }
      logFields['rewardId'] = selection.rewardId;
      return ok({ rewardId: selection.rewardId, reward: selection.reward, rejected: selection.rejected }, requestId);
    });
  }

  redeemReward(input: RedeemRewardInput, options?: CallOptions): Promise<RedeemOutcome> {
    const logFields = {
      rewardId: input.rewardId,
      amountMinor: input.amountMinor,
      chosenBefore: input.previouslyChosenRewardId === input.rewardId,
    };
    return runOperation<RedeemOutcome>(this.scope, 'redeemReward', logFields, options, async (requestId, callOptions) => {
      if (!input.rewardId.trim()) {
        return permanent('invalid_input', 'Invalid input: rewardId is required', requestId, {
          fieldErrors: [{ field: 'rewardId', message: 'is required' }],
        });
      }
      if (!Number.isSafeInteger(input.amountMinor) || input.amountMinor <= 0) {
        return permanent('invalid_input', 'Invalid input: amountMinor must be a positive integer', requestId, {
          fieldErrors: [{ field: 'amountMinor', message: 'must be a positive integer' }],
        });
      }
      if (input.previouslyChosenRewardId === input.rewardId) {
        // A retry of our own redemption: look at the reward first. No credit left (creditAvailable
        // 0) on a reward we chose, and the selection only chooses unredeemed ones: our earlier
        // attempt redeemed it and its answer was lost. Nothing is sent again.
        const spent = await this.spentReward(input.rewardId, requestId, callOptions);
        if (spent.kind === 'transient') return spent;
        if (spent.kind === 'spent') {
          return { kind: 'already_redeemed', rewardId: input.rewardId, message: 'The reward has no credit left: redeemed by an earlier attempt', requestId };
        }
      }
      const result = await this.exchange(
        'redeemReward',
        '/credit/{rewardId}/redeem',
        {
          method: 'POST',
          path: `/credit/${pathId(input.rewardId)}/redeem`,
          json: { amount: minorToUnitAmount(input.amountMinor, this.config.rewardUnitDecimals), unit: this.config.rewardUnit },
        },
        requestId,
        callOptions,
      );
      if (result.kind !== 'response') return result;
      const { response } = result;
      if (!isSuccessStatus(response.status)) {
        const details = errorDetailsOf(response);
        if (response.status >= 400 && response.status < 500 && saysAlreadyRedeemed(details)) {
          return input.previouslyChosenRewardId === input.rewardId
            ? { kind: 'already_redeemed', rewardId: input.rewardId, message: details.message, requestId }
            : permanent(
                'reward_already_redeemed',
                `Reward ${input.rewardId} was already redeemed, and not by an earlier attempt for this reward`,
                requestId,
                { httpStatus: 400, apiErrorCode: details.apiErrorCode, rsCode: details.rsCode },
              );
        }
        return classifyFailure(response, requestId, this.deps.now());
      }
      const redeemed = redeemResponseSchema.safeParse(response.body);
      if (!redeemed.success) return unexpectedBody(redeemed.error, requestId, response.status);
      return ok(
        {
          rewardId: input.rewardId,
          creditRedeemed: redeemed.data.creditRedeemed,
          creditAvailable: redeemed.data.creditAvailable ?? null,
          unit: redeemed.data.unit ?? this.config.rewardUnit,
        },
        requestId,
      );
    });
  }

  /** `GET /reward/{id}` (Reward v13 lookupReward): is this reward's credit all redeemed? */
  private async spentReward(
    rewardId: string,
    requestId: string,
    options: CallOptions,
  ): Promise<{ kind: 'spent' } | { kind: 'not_spent' } | ImpactTransient> {
    const result = await this.exchange('lookupReward', '/reward/{rewardId}', { method: 'GET', path: `/reward/${pathId(rewardId)}` }, requestId, options);
    if (result.kind !== 'response') return result;
    const { response } = result;
    if (!isSuccessStatus(response.status)) {
      const failure = classifyFailure(response, requestId, this.deps.now());
      // Anything permanent (404, ...) is left to the redeem call, which answers it properly.
      return failure.kind === 'transient' ? failure : { kind: 'not_spent' };
    }
    const reward = rewardSchema.safeParse(response.body);
    if (!reward.success) return unexpectedBody(reward.error, requestId, response.status);
    const assigned = reward.data.assignedCredit ?? 0;
    const redeemed = reward.data.redeemedCredit ?? 0;
    const spent = assigned > 0 && assigned - redeemed <= 0 && ((reward.data.redemptions?.length ?? 0) > 0 || redeemed > 0);
    return { kind: spent ? 'spent' : 'not_spent' };
  }

  cancelReward(input: { rewardId: string }, options?: CallOptions): Promise<ImpactOutcome<CancelledReward>> {
    return runOperation(this.scope, 'cancelReward', { rewardId: input.rewardId }, options, async (requestId, callOptions) => {
      const result = await this.exchange(
        'cancelReward',
        '/reward/{rewardId}/cancel',
        { method: 'POST', path: `/reward/${pathId(input.rewardId)}/cancel` },
        requestId,
        callOptions,
      );
      if (result.kind !== 'response') return result;
      const { response } = result;
      if (!isSuccessStatus(response.status)) {
        const failure = classifyFailure(response, requestId, this.deps.now());
        // Documented meaning of a 400 here; a stable code lets the caller record it as such.
        return failure.kind === 'permanent' && failure.httpStatus === 400 ? { ...failure, code: 'reward_not_cancellable' } : failure;
      }
      // The cancel answer's body is not documented: keep the reward when it is one, succeed anyway.
      const reward = rewardSchema.safeParse(response.body);
      return ok({ rewardId: input.rewardId, reward: reward.success && reward.data.id ? reward.data : null }, requestId);
    });
  }

  createVerifiedAccessToken(
    identity: ServerSideIdentity,
    options?: Pick<CallOptions, 'requestId'>,
  ): ImpactOutcome<VerifiedAccessToken> {
    const requestId = options?.requestId ?? newRequestId();
    const outcome = this.signToken(identity, requestId);
    logOutcome(this.scope, 'createVerifiedAccessToken', requestId, { email: redactEmail(identity.email) }, outcome, 0);
    return outcome;
  }

  private signToken(identity: ServerSideIdentity, requestId: string): ImpactOutcome<VerifiedAccessToken> {
    if (!identity.email?.trim()) {
      return permanent('invalid_input', 'Invalid input: email is required', requestId, {
        fieldErrors: [{ field: 'email', message: 'is required' }],
      });
    }
    const { token, expiresAt } = signVerifiedAccessToken({
      accountSid: this.config.accountSid,
      authToken: this.config.authToken,
      identity,
      nowMs: this.deps.now(),
    });
    return ok({ token, expiresAt, ...this.widget }, requestId);
  }
}

/** Every method answers `disabled`; nothing is sent. */
class DisabledAdvocateClient implements AdvocateClient {
  readonly enabled = false;
  readonly widget = null;
  private readonly scope: OperationScope;

  constructor(
    readonly product: string,
    private readonly code: DisabledCode,
    deps: HttpDeps,
  ) {
    this.scope = { deps, product, api: 'advocate' };
  }

  private disabled<T>(operation: string, options?: CallOptions): Promise<ImpactOutcome<T>> {
    return runOperation<ImpactOutcome<T>>(this.scope, operation, {}, options, (requestId) =>
      disabled(
        this.code,
        this.product,
        `Impact Advocate is not configured for product "${this.product}"; nothing was sent`,
        requestId,
      ),
    );
  }

  upsertParticipant(_input: UpsertParticipantInput, options?: CallOptions) {
    return this.disabled<RegisteredParticipant>('upsertParticipant', options);
  }
  listRewards(_participant: ParticipantRef, options?: CallOptions) {
    return this.disabled<AdvocateReward[]>('listRewards', options);
  }
  findRewardToRedeem(_input: FindRewardInput, options?: CallOptions) {
    return this.disabled<RewardToRedeem>('findRewardToRedeem', options);
  }
  redeemReward(_input: RedeemRewardInput, options?: CallOptions): Promise<RedeemOutcome> {
    return this.disabled<RedeemedReward>('redeemReward', options);
  }
  cancelReward(_input: { rewardId: string }, options?: CallOptions) {
    return this.disabled<CancelledReward>('cancelReward', options);
  }
  createVerifiedAccessToken(_identity: ServerSideIdentity, options?: Pick<CallOptions, 'requestId'>): ImpactOutcome<VerifiedAccessToken> {
    const requestId = options?.requestId ?? newRequestId();
    const outcome = disabled(
      this.code,
      this.product,
      `Impact Advocate is not configured for product "${this.product}"; no widget token can be issued`,
      requestId,
    );
    logOutcome(this.scope, 'createVerifiedAccessToken', requestId, {}, outcome, 0);
    return outcome;
  }
}

export function createAdvocateClient(params: {
  product: string;
  config: AdvocateProgramConfig | undefined;
  deps: HttpDeps;
  disabledCode: DisabledCode;
}): AdvocateClient {
  return params.config
    ? new HttpAdvocateClient(params.product, params.config, params.deps)
    : new DisabledAdvocateClient(params.product, params.disabledCode, params.deps);
}
