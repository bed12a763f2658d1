import { z } from 'zod';

/** Operations of the fake, named like the client's methods so tests read the same on both sides. */
export const fakeOperationSchema = z.enum([
  'upsertParticipant',
  'listRewards',
  'rewardBalance',
  'redeemReward',
  'cancelReward',
  'lookupReward',
  'submitConversion',
  'pollSubmission',
  'getAction',
  'reverseAction',
]);
export type FakeOperation = z.infer<typeof fakeOperationSchema>;

const target = z.union([fakeOperationSchema, z.literal('*')]);
/** How many matching calls the fault affects; absent means "until cleared" for latency, 1 otherwise. */
const times = z.number().int().positive().optional();

/** A fault, as accepted by the programmatic API and by `POST /__fake/faults`. */
export const faultSpecSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('status'),
    operation: target,
    times,
    status: z.number().int().min(100).max(599),
    /** JSON body (or a string sent as text); defaults to a body in the API's error shape. */
    body: z.unknown().optional(),
    headers: z.record(z.string(), z.string()).optional(),
  }),
  z.strictObject({ kind: z.literal('latency'), operation: target, times, ms: z.number().int().nonnegative() }),
  z.strictObject({
    kind: z.literal('reset'),
    operation: target,
    times,
    /** `before`: nothing is processed. `after`: the request is processed, then the answer is lost. */
    when: z.enum(['before', 'after']).default('before'),
  }),
  z.strictObject({
    kind: z.literal('rate_limit'),
    operation: target,
    times,
    retryAfterSeconds: z.number().nonnegative().optional(),
    /** Sent as `X-RateLimit-Reset`, in epoch seconds, this many seconds from now. */
    resetInSeconds: z.number().nonnegative().optional(),
  }),
  /** Redeem answers `400 Reward already redeemed` (as text) without redeeming. */
  z.strictObject({ kind: z.literal('already_redeemed'), times }),
]);
export type FaultSpec = z.input<typeof faultSpecSchema>;
type ParsedFault = z.output<typeof faultSpecSchema>;

export type ResponseFault = Exclude<ParsedFault, { kind: 'latency' }>;

interface ActiveFault {
  spec: ParsedFault;
  remaining: number;
}

/** Faults waiting for matching calls. Each matching call consumes one use. */
export class FaultInjector {
  private faults: ActiveFault[] = [];

  /** Adds any fault (validated: the control endpoint passes untrusted JSON straight here). */
  add(spec: FaultSpec): void {
    const parsed = faultSpecSchema.parse(spec);
    const remaining = parsed.times ?? (parsed.kind === 'latency' ? Number.POSITIVE_INFINITY : 1);
    this.faults.push({ spec: parsed, remaining });
  }

  /** The next `times` calls of `operation` answer `status` (with an optional body and headers). */
  failNext(operation: FakeOperation | '*', status: number, options: { times?: number; body?: unknown; headers?: Record<string, string> } = {}): void {
    this.add({ kind: 'status', operation, status, ...options });
  }

  /** Delays calls of `operation` by `ms` (every call until cleared, or the next `times`). */
  addLatency(operation: FakeOperation | '*', ms: number, options: { times?: number } = {}): void {
    this.add({ kind: 'latency', operation, ms, ...options });
  }

  /** Destroys the connection of the next `times` calls, before or after processing them. */
  resetConnections(operation: FakeOperation | '*', options: { times?: number; when?: 'before' | 'after' } = {}): void {
    this.add({ kind: 'reset', operation, ...options });
  }

  /** The next `times` calls answer 429 with `Retry-After` and/or `X-RateLimit-Reset`. */
  rateLimit(operation: FakeOperation | '*', options: { times?: number; retryAfterSeconds?: number; resetInSeconds?: number } = {}): void {
    this.add({ kind: 'rate_limit', operation, ...options });
  }

  /** The next `times` redeems answer "Reward already redeemed". */
  alreadyRedeemed(options: { times?: number } = {}): void {
    this.add({ kind: 'already_redeemed', ...options });
  }

  clear(): void {
    this.faults = [];
  }

  pending(): ParsedFault[] {
    return this.faults.map((f) => f.spec);
  }

  /** Total latency to add to this call (consumes one use of each matching latency fault). */
  takeLatency(operation: FakeOperation): number {
    let ms = 0;
    for (const fault of this.faults) {
      if (fault.spec.kind === 'latency' && this.matches(fault.spec, operation) && fault.remaining > 0) {
        ms += fault.spec.ms;
        fault.remaining--;
      }
    }
    this.prune();
    return ms;
  }

  /** The first response-changing fault for this call, consumed. */
  takeResponseFault(operation: FakeOperation): ResponseFault | undefined {
    const found = this.faults.find((f) => f.spec.kind !== 'latency' && f.remaining > 0 && this.matches(f.spec, operation));
    if (!found) return undefined;
    found.remaining--;
    this.prune();
    return found.spec as ResponseFault;
  }

  private matches(spec: ParsedFault, operation: FakeOperation): boolean {
    if (spec.kind === 'already_redeemed') return operation === 'redeemReward';
    return spec.operation === '*' || spec.operation === operation;
  }

  private prune(): void {
    this.faults = this.faults.filter((f) => f.remaining > 0);
  }
}
