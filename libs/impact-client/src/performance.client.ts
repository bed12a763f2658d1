import { setTimeout as sleep } from 'node:timers/promises';
import { type z } from 'zod';
import { formatMinorUnits } from './amounts';
import { classifyFailure, isSuccessStatus, unexpectedBody } from './classify-response';
import { hashCustomerEmail, orderIdFor } from './conversion-fields';
import { type ConversionEvent, type PerformanceConfig } from './impact-config.schema';
import { basicAuthorization, type CallOptions, type HttpDeps, type HttpResponse, joinUrl, sendRequest } from './impact-http';
import { runOperation, type OperationScope } from './operation';
import { type DisabledCode, disabled, type ImpactOutcome, type ImpactTransient, ok, permanent, transient } from './outcome';
import {
  actionIdFromUri,
  actionIdOfSubmission,
  type ApiSubmission,
  apiSubmissionSchema,
  type ConversionInput,
  conversionInputSchema,
  type DispositionCode,
  dispositionCodeSchema,
  submissionResponseSchema,
} from './performance.schemas';
import { redactEmail, redactOpaque } from './redact';
import { classifySubmissionError } from './submission-errors';

export type ConversionSubmission =
  | { status: 'recorded'; orderId: string; actionId: string }
  | { status: 'queued'; orderId: string; queuedUri: string };

/**
 * A queued submission that completed without an error. The documented submission carries no
 * action id (`BatchId`, `Status`, `ErrorType`, `ErrorReason`, `OrderId`, `Uri`): the OrderId stays
 * the key of the conversion (a reversal names it with `ActionTrackerId` + `OrderId`).
 */
export interface CompletedSubmission {
  batchId: string | null;
  /** Only when Impact volunteers one (not documented); null otherwise. */
  actionId: string | null;
  /** True when Impact said `CONV_DUPLICATE`: it already has an action with this OrderId. */
  duplicate: boolean;
}

export interface ReportedConversion {
  orderId: string;
  /** The action id when Impact answered one immediately (not documented); null otherwise. */
  actionId: string | null;
  /** The API submission's batch id when the conversion was queued (the documented answer). */
  batchId: string | null;
}

export interface PollOptions {
  /** Polls before giving up with transient `submission_pending` (default 5). */
  maxPolls?: number;
  /** Wait between polls (default 1000 ms). */
  pollIntervalMs?: number;
}

export type ReverseActionTarget = { actionId: string } | { event: ConversionEvent; orderSourceId: string };

export type ReversalSubmission = { status: 'queued'; queuedUri: string } | { status: 'accepted' };

export interface PerformanceClient {
  readonly product: string;
  /** False when the product has no Performance configuration: every call answers `disabled`. */
  readonly enabled: boolean;
  /** One POST; answers the action id, or the queued URI to poll. */
  submitConversion(input: ConversionInput, options?: CallOptions): Promise<ImpactOutcome<ConversionSubmission>>;
  /**
   * Polls a queued submission until it completes. `Complete` without `ErrorType` is success (no
   * action id is documented); an `ErrorType` is permanent or transient (submission-errors.ts).
   */
  pollSubmission(
    input: { queuedUri: string },
    options?: CallOptions & PollOptions,
  ): Promise<ImpactOutcome<CompletedSubmission>>;
  /** Submit, then poll when queued: ends with the submission's batch id (or an action id if one was given). */
  reportConversion(input: ConversionInput, options?: CallOptions & PollOptions): Promise<ImpactOutcome<ReportedConversion>>;
  /** Reverses an action (form-encoded DELETE); Impact answers QUEUED. */
  reverseAction(
    target: ReverseActionTarget,
    disposition: DispositionCode,
    options?: CallOptions,
  ): Promise<ImpactOutcome<ReversalSubmission>>;
}

const DEFAULT_MAX_POLLS = 5;
const DEFAULT_POLL_INTERVAL_MS = 1000;

function invalidInput(error: z.ZodError, requestId: string) {
  const fieldErrors = error.issues.map((issue) => ({ field: issue.path.join('.'), message: issue.message }));
  return permanent('invalid_input', `Invalid input: ${fieldErrors.map((e) => `${e.field} ${e.message}`).join('; ')}`, requestId, {
    fieldErrors,
  });
}

class HttpPerformanceClient implements PerformanceClient {
  readonly enabled = true;
  private readonly scope: OperationScope;
  private readonly authorization: string;

  constructor(
    readonly product: string,
    private readonly config: PerformanceConfig,
    private readonly deps: HttpDeps,
  ) {
    this.scope = { deps, product, api: 'performance' };
    this.authorization = basicAuthorization(config.accountSid, config.authToken);
  }

  private get advertiserPath(): string {
    return `/Advertisers/${encodeURIComponent(this.config.accountSid)}`;
  }

  private send(
    operation: string,
    route: string,
    request: { method: 'GET' | 'POST' | 'DELETE'; path: string; json?: unknown; form?: URLSearchParams },
    requestId: string,
    options: CallOptions,
  ): Promise<{ kind: 'response'; response: HttpResponse } | ImpactTransient> {
    return sendRequest(this.deps, {
      product: this.product,
      api: 'performance',
      operation,
      route: `${request.method} /Advertisers/{AccountSID}${route}`,
      method: request.method,
      url: joinUrl(this.config.baseUrl, request.path),
      authorization: this.authorization,
      json: request.json,
      form: request.form,
      requestId,
      options,
    });
  }

  /**
   * The path of a queued URI, checked to be one of our account's submissions. An absolute URI is
   * reduced to its path: our credentials only ever go to the configured base URL.
   */
  private submissionPath(queuedUri: string): string | null {
    let path: string;
    try {
      path = new URL(queuedUri, 'http://relative.invalid').pathname;
    } catch {
      return null;
    }
    return path.startsWith(`${this.advertiserPath}/APISubmissions/`) && /^[^?#]+$/.test(path) ? path : null;
  }

  submitConversion(input: ConversionInput, options?: CallOptions): Promise<ImpactOutcome<ConversionSubmission>> {
    return runOperation(this.scope, 'submitConversion', this.conversionLogFields(input), options, (requestId, callOptions) =>
      this.submit(input, requestId, callOptions),
    );
  }

  private conversionLogFields(input: ConversionInput): Record<string, unknown> {
    return {
      event: input.event,
      orderId: input.orderSourceId ? orderIdFor(input.orderSourceId) : undefined,
      clickId: redactOpaque(input.clickId),
      customerEmail: redactEmail(input.customerEmail),
    };
  }

  private async submit(input: ConversionInput, requestId: string, options: CallOptions): Promise<ImpactOutcome<ConversionSubmission>> {
    const parsed = conversionInputSchema.safeParse(input);
    if (!parsed.success) return invalidInput(parsed.error, requestId);
    const conversion = parsed.data;
    const actionTrackerId = this.config.actionTrackerIds[conversion.event];
    if (!actionTrackerId) {
      return disabled(
        'impact_event_not_configured',
        this.product,
        `No Impact action tracker is configured for ${conversion.event} events of product "${this.product}"; nothing was sent`,
        requestId,
      );
    }
    const orderId = orderIdFor(conversion.orderSourceId);
    const body: Record<string, string> = {
      CampaignId: this.config.campaignId,
      // ActionTrackerId, not EventTypeId: the tracker pins the event to this campaign.
      ActionTrackerId: actionTrackerId,
      EventDate: conversion.eventDate,
      OrderId: orderId,
      CustomerId: conversion.customerId,
    };
    if (conversion.clickId !== undefined) body['ClickId'] = conversion.clickId;
    if (conversion.customerEmail !== undefined) body['CustomerEmail'] = hashCustomerEmail(conversion.customerEmail);
    const customerStatus = conversion.customerStatus ?? (conversion.event === 'SIGNUP' ? 'NEW' : undefined);
    if (customerStatus !== undefined) body['CustomerStatus'] = customerStatus;
    if (conversion.currencyCode !== undefined) body['CurrencyCode'] = conversion.currencyCode;
    if (conversion.amountMinor !== undefined) {
      body['ItemSubTotal1'] = formatMinorUnits(conversion.amountMinor, 2);
      body['ItemQuantity1'] = String(conversion.item?.quantity ?? 1);
    }
    if (conversion.item?.category !== undefined) body['ItemCategory1'] = conversion.item.category;
    if (conversion.item?.name !== undefined) body['ItemName1'] = conversion.item.name;
    if (conversion.item?.sku !== undefined) body['ItemSku1'] = conversion.item.sku;
    // The order's promo code is `OrderPromoCode` (Conversions v14); `PromoCode` is an attribution
    // key there and would credit whichever partner owns that code.
    if (conversion.promoCode !== undefined) body['OrderPromoCode'] = conversion.promoCode;

    const result = await this.send(
      'submitConversion',
      '/Conversions',
      { method: 'POST', path: `${this.advertiserPath}/Conversions`, json: body },
      requestId,
      options,
    );
    if (result.kind !== 'response') return result;
    const { response } = result;
    if (!isSuccessStatus(response.status)) return classifyFailure(response, requestId, this.deps.now());
    const answer = submissionResponseSchema.safeParse(response.body);
    if (!answer.success) return unexpectedBody(answer.error, requestId, response.status);
    const status = answer.data.Status.toUpperCase();
    const actionId = actionIdFromUri(answer.data.Uri);
    if (status === 'OK' && actionId) return ok({ status: 'recorded', orderId, actionId }, requestId);
    if (status === 'QUEUED' && answer.data.QueuedUri && this.submissionPath(answer.data.QueuedUri)) {
      return ok({ status: 'queued', orderId, queuedUri: answer.data.QueuedUri }, requestId);
    }
    return transient(
      'unexpected_response',
      `Impact answered ${response.status} with Status "${answer.data.Status}" and no usable Uri or QueuedUri`,
      requestId,
      { httpStatus: response.status },
    );
  }

  pollSubmission(input: { queuedUri: string }, options?: CallOptions & PollOptions): Promise<ImpactOutcome<CompletedSubmission>> {
    return runOperation(this.scope, 'pollSubmission', {}, options, (requestId, callOptions) =>
      this.poll(input, requestId, { ...options, ...callOptions }),
    );
  }

  private async poll(
    input: { queuedUri: string },
    requestId: string,
    options: CallOptions & PollOptions,
  ): Promise<ImpactOutcome<CompletedSubmission>> {
    const path = this.submissionPath(input.queuedUri);
    if (!path) {
      return permanent('invalid_input', 'Invalid input: queuedUri is not a submission of this account', requestId, {
        fieldErrors: [{ field: 'queuedUri', message: 'must be /Advertisers/<AccountSID>/APISubmissions/<BatchId>' }],
      });
    }
    const maxPolls = Math.max(1, options.maxPolls ?? DEFAULT_MAX_POLLS);
    const intervalMs = Math.max(0, options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS);
    for (let attempt = 1; ; attempt++) {
      const result = await this.send('pollSubmission', '/APISubmissions/{BatchId}', { method: 'GET', path }, requestId, options);
      if (result.kind !== 'response') return result;
      const { response } = result;
      if (!isSuccessStatus(response.status)) return classifyFailure(response, requestId, this.deps.now());
      const parsed = apiSubmissionSchema.safeParse(response.body);
      if (!parsed.success) return unexpectedBody(parsed.error, requestId, response.status);
      const submission = parsed.data;
      if (submission.Status.toLowerCase() === 'complete') return this.completed(submission, requestId, response.status);
      if (attempt >= maxPolls) {
        return transient(
          'submission_pending',
          `Queued submission still "${submission.Status}" after ${maxPolls} poll(s)`,
          requestId,
          { retryAfterMs: intervalMs, queuedUri: input.queuedUri },
        );
      }
      try {
        await sleep(intervalMs, undefined, { signal: options.signal });
      } catch {
        return transient('cancelled', 'The call was cancelled by the caller', requestId);
      }
    }
  }

  /** A `Complete` submission as an outcome (see submission-errors.ts for the classification). */
  private completed(submission: ApiSubmission, requestId: string, httpStatus: number): ImpactOutcome<CompletedSubmission> {
    const batchId = submission.BatchId ?? null;
    const why = [submission.ErrorType, submission.ErrorReason].filter(Boolean).join(': ');
    const verdict = classifySubmissionError(submission.ErrorType, submission.ErrorReason);
    switch (verdict.kind) {
      case 'none':
        return ok({ batchId, actionId: actionIdOfSubmission(submission), duplicate: false }, requestId);
      case 'duplicate':
        return ok({ batchId, actionId: actionIdOfSubmission(submission), duplicate: true }, requestId);
      case 'permanent':
        return permanent(verdict.code, `Impact refused queued submission ${batchId ?? '(no batch id)'}: ${why}`, requestId, { httpStatus });
      case 'transient':
        return transient('queued_submission_failed', `Queued submission ${batchId ?? '(no batch id)'} completed with an error: ${why}`, requestId, {
          httpStatus,
        });
    }
  }

  reportConversion(input: ConversionInput, options?: CallOptions & PollOptions): Promise<ImpactOutcome<ReportedConversion>> {
    return runOperation(this.scope, 'reportConversion', this.conversionLogFields(input), options, async (requestId, callOptions) => {
      const merged = { ...options, ...callOptions };
      const submitted = await this.submit(input, requestId, merged);
      if (submitted.kind !== 'ok') return submitted;
      if (submitted.value.status === 'recorded') {
        return ok({ orderId: submitted.value.orderId, actionId: submitted.value.actionId, batchId: null }, requestId);
      }
      const completed = await this.poll({ queuedUri: submitted.value.queuedUri }, requestId, merged);
      if (completed.kind !== 'ok') return completed;
      return ok({ orderId: submitted.value.orderId, actionId: completed.value.actionId, batchId: completed.value.batchId }, requestId);
    });
  }

  reverseAction(
    target: ReverseActionTarget,
    disposition: DispositionCode,
    options?: CallOptions,
  ): Promise<ImpactOutcome<ReversalSubmission>> {
    const logFields = 'actionId' in target ? { actionId: target.actionId, disposition } : { event: target.event, disposition };
    return runOperation(this.scope, 'reverseAction', logFields, options, async (requestId, callOptions) => {
      if (!dispositionCodeSchema.safeParse(disposition).success) {
        return permanent('invalid_input', `Invalid input: disposition must be one of ${dispositionCodeSchema.options.join(', ')}`, requestId, {
          fieldErrors: [{ field: 'disposition', message: 'is not a known disposition code' }],
        });
      }
      const form = new URLSearchParams();
      if ('actionId' in target) {
        if (!target.actionId.trim()) {
          return permanent('invalid_input', 'Invalid input: actionId is required', requestId, {
            fieldErrors: [{ field: 'actionId', message: 'is required' }],
          });
        }
        form.set('ActionId', target.actionId);
      } else {
        const actionTrackerId = this.config.actionTrackerIds[target.event];
        if (!actionTrackerId) {
          return disabled(
            'impact_event_not_configured',
            this.product,
            `No Impact action tracker is configured for ${target.event} events of product "${this.product}"; nothing was sent`,
            requestId,
          );
        }
        form.set('ActionTrackerId', actionTrackerId);
        form.set('OrderId', orderIdFor(target.orderSourceId));
      }
      form.set('DispositionCode', disposition);
      const result = await this.send(
        'reverseAction',
        '/Actions',
        { method: 'DELETE', path: `${this.advertiserPath}/Actions`, form },
        requestId,
        callOptions,
      );
      if (result.kind !== 'response') return result;
      const { response } = result;
      if (!isSuccessStatus(response.status)) return classifyFailure(response, requestId, this.deps.now());
      const answer = submissionResponseSchema.safeParse(response.body);
      if (!answer.success) return unexpectedBody(answer.error, requestId, response.status);
      if (answer.data.QueuedUri && this.submissionPath(answer.data.QueuedUri)) {
        return ok({ status: 'queued', queuedUri: answer.data.QueuedUri }, requestId);
      }
      return ok({ status: 'accepted' }, requestId);
    });
  }
}

class DisabledPerformanceClient implements PerformanceClient {
  readonly enabled = false;
  private readonly scope: OperationScope;

  constructor(
    readonly product: string,
    private readonly code: DisabledCode,
    deps: HttpDeps,
  ) {
    this.scope = { deps, product, api: 'performance' };
  }

  private disabled<T>(operation: string, options?: CallOptions): Promise<ImpactOutcome<T>> {
    return runOperation<ImpactOutcome<T>>(this.scope, operation, {}, options, (requestId) =>
      disabled(
        this.code,
        this.product,
        `Impact Performance is not configured for product "${this.product}"; nothing was sent`,
        requestId,
      ),
    );
  }

  submitConversion(_input: ConversionInput, options?: CallOptions) {
    return this.disabled<ConversionSubmission>('submitConversion', options);
  }
  pollSubmission(_input: { queuedUri: string }, options?: CallOptions) {
    return this.disabled<CompletedSubmission>('pollSubmission', options);
  }
  reportConversion(_input: ConversionInput, options?: CallOptions) {
    return this.disabled<ReportedConversion>('reportConversion', options);
  }
  reverseAction(_target: ReverseActionTarget, _disposition: DispositionCode, options?: CallOptions) {
    return this.disabled<ReversalSubmission>('reverseAction', options);
  }
}

export function createPerformanceClient(params: {
  product: string;
  config: PerformanceConfig | undefined;
  deps: HttpDeps;
  disabledCode: DisabledCode;
}): PerformanceClient {
  return params.config
    ? new HttpPerformanceClient(params.product, params.config, params.deps)
    : new DisabledPerformanceClient(params.product, params.disabledCode, params.deps);
}
