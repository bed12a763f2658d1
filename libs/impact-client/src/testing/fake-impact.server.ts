import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { type AdvocateAuthStyle, type ImpactConfigInput } from '../impact-config.schema';
import { FaultInjector, type FakeOperation, faultSpecSchema } from './fake-impact.faults';
import { defaultFakeImpactSeed, type FakeImpactSeed, fakeImpactClientConfig } from './fake-impact.seed';
import {
  type FakeAction,
  type FakeBehaviour,
  type FakeContract,
  FakeImpactState,
  type FakeParticipant,
  type FakeResponse,
  type FakeReward,
  type FakeSubmission,
  type RecordedRedemption,
  type SubmissionMode,
} from './fake-impact.state';

export interface FakeImpactOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  seed?: FakeImpactSeed;
  rewardDelayMs?: number;
  /** `documented` (default) or `permissive`; see {@link FakeContract}. */
  contract?: FakeContract;
  /** Default: queued, Complete on the third poll (Queued, In Progress, Complete). */
  submissions?: SubmissionMode;
  /** Default: the documented bare array (Reward v13 `RewardList`). */
  rewardListShape?: 'envelope' | 'array';
  now?: () => number;
  /**
   * Number in the first referral code (`ADA9001`; 9001 by default). The fake forgets its
   * participants when it stops while a database keeps the codes: a fake restarted next to the same
   * database (the dev stack) starts elsewhere so its new codes never collide with stored ones.
   */
  firstReferralCodeNumber?: number;
}

/** One request the fake received (control requests excluded). Passwords are never kept. */
export interface RecordedRequest {
  seq: number;
  at: Date;
  operation: FakeOperation | 'unknown';
  method: string;
  path: string;
  query: Record<string, string>;
  /** Basic auth username (`''` for the documented empty-username style), null without Basic auth. */
  authUsername: string | null;
  authValid: boolean;
  requestId: string | null;
  contentType: string | null;
  accept: string | null;
  /** Parsed JSON or form fields, or the raw text. */
  body: unknown;
  status: number | 'connection_reset' | null;
  /** The JSON (or text) answered, before any XML rendering; null when nothing was answered. */
  responseBody: unknown;
  fault: string | null;
}

export interface FakeImpactServer {
  /** `http://host:port`: the Advocate and Performance base URL alike (the paths do not overlap). */
  readonly url: string;
  readonly port: number;
  readonly seed: FakeImpactSeed;
  readonly faults: FaultInjector;
  /** Changes behaviour on the fly (reward delay, queued submissions, reward list shape). */
  configure(change: Partial<FakeBehaviour>): void;
  requests(filter?: { operation?: FakeOperation }): RecordedRequest[];
  redemptions(): RecordedRedemption[];
  participants(): FakeParticipant[];
  rewards(): FakeReward[];
  actions(): FakeAction[];
  submissions(): Omit<FakeSubmission, 'complete'>[];
  addReward(input: Parameters<FakeImpactState['addReward']>[0]): FakeReward;
  /** Resolves when delayed referral rewards have all been created. */
  settle(): Promise<void>;
  /** Forgets state, recorded requests and faults; keeps the seed and the port. */
  reset(): void;
  /** Client configuration for the seed's products, pointing here. */
  clientConfig(options?: { authStyle?: AdvocateAuthStyle; timeoutMs?: number; only?: readonly string[] }): ImpactConfigInput;
  close(): Promise<void>;
}

interface Route {
  methods: string[];
  pattern: RegExp;
  operation: FakeOperation;
  api: 'advocate' | 'performance';
}

const ROUTES: Route[] = [
  { methods: ['PUT', 'POST'], pattern: /^\/api\/v1\/([^/]+)\/open\/account\/([^/]+)\/user\/([^/]+)$/, operation: 'upsertParticipant', api: 'advocate' },
  { methods: ['GET'], pattern: /^\/api\/v1\/([^/]+)\/reward\/balance$/, operation: 'rewardBalance', api: 'advocate' },
  { methods: ['GET'], pattern: /^\/api\/v1\/([^/]+)\/reward$/, operation: 'listRewards', api: 'advocate' },
  { methods: ['GET'], pattern: /^\/api\/v1\/([^/]+)\/reward\/([^/]+)$/, operation: 'lookupReward', api: 'advocate' },
  { methods: ['POST'], pattern: /^\/api\/v1\/([^/]+)\/credit\/([^/]+)\/redeem$/, operation: 'redeemReward', api: 'advocate' },
  { methods: ['POST'], pattern: /^\/api\/v1\/([^/]+)\/reward\/([^/]+)\/cancel$/, operation: 'cancelReward', api: 'advocate' },
  { methods: ['POST'], pattern: /^\/Advertisers\/([^/]+)\/Conversions$/, operation: 'submitConversion', api: 'performance' },
  { methods: ['GET'], pattern: /^\/Advertisers\/([^/]+)\/APISubmissions\/([^/]+)$/, operation: 'pollSubmission', api: 'performance' },
  { methods: ['GET'], pattern: /^\/Advertisers\/([^/]+)\/Actions\/([^/]+)$/, operation: 'getAction', api: 'performance' },
  { methods: ['DELETE'], pattern: /^\/Advertisers\/([^/]+)\/Actions$/, operation: 'reverseAction', api: 'performance' },
];

const behaviourSchema = z.strictObject({
  contract: z.enum(['documented', 'permissive']).optional(),
  rewardDelayMs: z.number().int().nonnegative().optional(),
  submissions: z
    .discriminatedUnion('mode', [
      z.strictObject({ mode: z.literal('immediate') }),
      z.strictObject({
        mode: z.literal('queued'),
        pollsUntilComplete: z.number().int().positive(),
        result: z.enum(['action', 'failed', 'configuration_error', 'validation_error', 'contract_error']).optional(),
      }),
    ])
    .optional(),
  rewardListShape: z.enum(['envelope', 'array']).optional(),
});

const addRewardSchema = z.strictObject({
  tenantAlias: z.string(),
  accountId: z.string(),
  userId: z.string(),
  amount: z.number().positive(),
  unit: z.string(),
  programId: z.string().nullish(),
  rewardSource: z.string().optional(),
});

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function basicCredentials(header: string | undefined): { username: string; password: string } | null {
  const match = header ? /^Basic\s+(.+)$/i.exec(header) : null;
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function toXml(value: unknown, tag = 'ImpactRadiusResponse'): string {
  if (value === null || value === undefined) return `<${tag}/>`;
  if (Array.isArray(value)) return value.map((v) => toXml(v, tag)).join('');
  if (typeof value === 'object') {
    return `<${tag}>${Object.entries(value).map(([k, v]) => toXml(v, k)).join('')}</${tag}>`;
  }
  const text = String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<${tag}>${text}</${tag}>`;
}

function send(res: ServerResponse, response: FakeResponse, asXml = false): void {
  const headers: Record<string, string> = { ...response.headers };
  let payload = '';
  if (response.body !== undefined) {
    if (typeof response.body === 'string') {
      headers['content-type'] ??= 'text/plain; charset=utf-8';
      payload = response.body;
    } else if (asXml) {
      headers['content-type'] = 'application/xml; charset=utf-8';
      payload = `<?xml version="1.0" encoding="UTF-8"?>${toXml(response.body)}`;
    } else {
      headers['content-type'] = 'application/json; charset=utf-8';
      payload = JSON.stringify(response.body);
    }
  }
  res.writeHead(response.status, headers);
  res.end(payload);
}

/** A default error body in the shape of the API the fault hits. */
function faultBody(api: 'advocate' | 'performance' | null, status: number): unknown {
  const message = status >= 500 ? 'Injected server error' : `Injected error ${status}`;
  return api === 'performance' ? { Status: 'ERROR', Message: message, Errors: [] } : { statusCode: status, message, apiErrorCode: 'INJECTED_FAULT' };
}

/**
 * Starts the fake Impact server: the Advocate and Performance paths on one real HTTP port, with
 * Basic auth checks, request validation, in-memory state, fault injection and a request log.
 * Control endpoints under `/__fake/` mirror the programmatic API for other processes.
 */
export async function startFakeImpact(options: FakeImpactOptions = {}): Promise<FakeImpactServer> {
  const seed = options.seed ?? defaultFakeImpactSeed;
  const behaviour: FakeBehaviour = {
    contract: 'documented',
    rewardDelayMs: 0,
    submissions: { mode: 'queued', pollsUntilComplete: 3 },
    rewardListShape: 'array',
  };
  const now = options.now ?? Date.now;
  const state = new FakeImpactState(seed, behaviour, now, options.firstReferralCodeNumber);
  const faults = new FaultInjector();
  const recorded: RecordedRequest[] = [];
  let sequence = 0;

  const configure = (change: Partial<FakeBehaviour>) => {
    const parsed = behaviourSchema.parse(change);
    const contract = parsed.contract ?? behaviour.contract;
    const submissions = parsed.submissions ?? behaviour.submissions;
    if (contract === 'documented' && submissions.mode === 'immediate') {
      throw new Error("submissions mode 'immediate' is not documented (Conversions answer QUEUED): configure contract 'permissive' to use it");
    }
    behaviour.contract = contract;
    behaviour.submissions = submissions;
    if (parsed.rewardDelayMs !== undefined) behaviour.rewardDelayMs = parsed.rewardDelayMs;
    if (parsed.rewardListShape !== undefined) behaviour.rewardListShape = parsed.rewardListShape;
  };
  configure({
    contract: options.contract,
    rewardDelayMs: options.rewardDelayMs,
    submissions: options.submissions,
    rewardListShape: options.rewardListShape,
  });
  const reset = () => {
    state.reset();
    faults.clear();
    recorded.length = 0;
  };

  async function handleControl(req: IncomingMessage, res: ServerResponse, path: string, url: URL, raw: string): Promise<void> {
    const json = (): unknown => (raw.trim() ? JSON.parse(raw) : {});
    const route = `${req.method ?? 'GET'} ${path}`;
    try {
      switch (route) {
        case 'GET /__fake/requests': {
          const operation = url.searchParams.get('operation');
          return send(res, { status: 200, body: operation ? recorded.filter((r) => r.operation === operation) : recorded });
        }
        case 'GET /__fake/redemptions':
          return send(res, { status: 200, body: state.redemptions });
        case 'GET /__fake/state':
          return send(res, {
            status: 200,
            body: {
              participants: [...state.participants.values()],
              rewards: [...state.rewards.values()],
              actions: [...state.actions.values()],
              behaviour,
            },
          });
        case 'GET /__fake/faults':
          return send(res, { status: 200, body: faults.pending() });
        case 'POST /__fake/faults': {
          const body = json();
          for (const spec of Array.isArray(body) ? body : [body]) faults.add(faultSpecSchema.parse(spec));
          return send(res, { status: 204 });
        }
        case 'DELETE /__fake/faults':
          faults.clear();
          return send(res, { status: 204 });
        case 'PUT /__fake/behaviour':
          configure(behaviourSchema.parse(json()));
          return send(res, { status: 204 });
        case 'POST /__fake/rewards':
          return send(res, { status: 201, body: state.addReward(addRewardSchema.parse(json())) });
        case 'POST /__fake/reset':
          reset();
          return send(res, { status: 204 });
        default:
          return send(res, { status: 404, body: { message: `No control endpoint ${route}` } });
      }
    } catch (error) {
      return send(res, { status: 400, body: { message: error instanceof Error ? error.message : String(error) } });
    }
  }

  function authorize(route: Route, params: string[], credentials: ReturnType<typeof basicCredentials>): boolean {
    if (!credentials) return false;
    if (route.api === 'advocate') {
      const tenant = state.tenant(params[0] ?? '');
      // Both styles are accepted: documented `:apiKey` and the production `accountSid:authToken`.
      return Boolean(tenant && (credentials.username === '' || credentials.username === tenant.accountSid) && credentials.password === tenant.authToken);
    }
    const account = state.account(params[0] ?? '');
    return Boolean(account && credentials.username === account.accountSid && credentials.password === account.authToken);
  }

  function parsePayload(route: Route, contentType: string | null, raw: string): { ok: true; body: unknown } | { ok: false; response: FakeResponse } {
    if (raw.trim() === '') return { ok: true, body: null };
    if (contentType?.includes('application/x-www-form-urlencoded')) return { ok: true, body: Object.fromEntries(new URLSearchParams(raw)) };
    try {
      return { ok: true, body: JSON.parse(raw) as unknown };
    } catch {
      const response: FakeResponse =
        route.api === 'advocate'
          ? { status: 400, body: { statusCode: 400, message: 'Malformed JSON', apiErrorCode: 'INVALID_JSON_REQUEST' } }
          : { status: 400, body: { Status: 'ERROR', Message: 'Malformed request body', Errors: [] } };
      return { ok: false, response };
    }
  }

  function dispatch(route: Route, params: string[], body: unknown, url: URL, method: string, requestId: string | null, contentType: string | null): FakeResponse {
    const [first = '', second = '', third = ''] = params;
    if (route.api === 'advocate') {
      const tenant = state.tenant(first);
      if (!tenant) return { status: 401, body: { statusCode: 401, message: 'Unknown tenant', apiErrorCode: 'UNAUTHORIZED' } };
      switch (route.operation) {
        case 'upsertParticipant':
          return state.upsertParticipant(tenant, second, third, body, method === 'POST');
        case 'listRewards':
          return state.listRewards(tenant, url.searchParams);
        case 'lookupReward':
          return state.lookupReward(tenant, second);
        case 'rewardBalance':
          return state.rewardBalance(tenant, url.searchParams);
        case 'redeemReward':
          return state.redeem(tenant, second, body, requestId);
        case 'cancelReward':
          return state.cancelReward(tenant, second);
        default:
          return { status: 404, body: { statusCode: 404, message: 'Not found' } };
      }
    }
    const account = state.account(first);
    if (!account) return { status: 401, body: { Status: 'ERROR', Message: 'Unauthorized' } };
    const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const stringFields = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)]));
    switch (route.operation) {
      case 'submitConversion':
        return state.submitConversion(account, stringFields);
      case 'pollSubmission':
        return state.pollSubmission(account, second);
      case 'getAction':
        return state.getAction(account, second);
      case 'reverseAction':
        // Documented as form-encoded; a JSON body is refused so the client's encoding is checked.
        if (!contentType?.includes('application/x-www-form-urlencoded')) {
          return { status: 400, body: { Status: 'ERROR', Message: 'Expected form-encoded fields', Errors: [] } };
        }
        return state.reverseAction(account, stringFields);
      default:
        return { status: 404, body: { Status: 'ERROR', Message: 'Not found' } };
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const raw = await readBody(req);
    const path = url.pathname;
    if (path.startsWith('/__fake/')) return handleControl(req, res, path, url, raw);

    const method = req.method ?? 'GET';
    const match = ROUTES.map((route) => ({ route, found: route.pattern.exec(path) })).find((m) => m.found);
    const credentials = basicCredentials(req.headers.authorization);
    const contentType = req.headers['content-type'] ?? null;
    const requestId = typeof req.headers['x-request-id'] === 'string' ? req.headers['x-request-id'] : null;
    const entry: RecordedRequest = {
      seq: ++sequence,
      at: new Date(now()),
      operation: match?.route.operation ?? 'unknown',
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      authUsername: credentials?.username ?? null,
      authValid: false,
      requestId,
      contentType,
      accept: req.headers.accept ?? null,
      body: raw,
      status: null,
      responseBody: null,
      fault: null,
    };
    recorded.push(entry);
    const reply = (response: FakeResponse, asXml = false) => {
      entry.status = response.status;
      entry.responseBody = response.body ?? null;
      send(res, response, asXml);
    };

    if (!match?.found) return reply({ status: 404, body: { message: `No route for ${method} ${path}` } });
    const { route } = match;
    if (!route.methods.includes(method)) return reply({ status: 405, body: { message: `${method} not allowed` } });
    const params = match.found.slice(1).map((p) => decodeURIComponent(p));
    const payload = parsePayload(route, contentType, raw);
    if (payload.ok) entry.body = payload.body;

    const latency = faults.takeLatency(route.operation);
    if (latency > 0) await sleep(latency);

    const fault = faults.takeResponseFault(route.operation);
    if (fault) entry.fault = fault.kind;
    if (fault?.kind === 'reset' && fault.when === 'before') {
      entry.status = 'connection_reset';
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'status') {
      return reply({ status: fault.status, body: fault.body ?? faultBody(route.api, fault.status), headers: fault.headers });
    }
    if (fault?.kind === 'rate_limit') {
      const headers: Record<string, string> = { 'x-ratelimit-limit': '1000', 'x-ratelimit-remaining': '0' };
      if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
      if (fault.resetInSeconds !== undefined) headers['x-ratelimit-reset'] = String(Math.ceil(now() / 1000 + fault.resetInSeconds));
      const body = route.api === 'advocate' ? { statusCode: 429, message: 'Rate limit exceeded', apiErrorCode: 'RATE_LIMITED', rsCode: 'RS033' } : { Status: 'ERROR', Message: 'Rate limit exceeded', Errors: [] };
      return reply({ status: 429, body, headers });
    }
    if (fault?.kind === 'already_redeemed') return reply({ status: 400, body: 'Reward already redeemed' });

    entry.authValid = authorize(route, params, credentials);
    if (!entry.authValid) {
      return reply(
        route.api === 'advocate'
          ? { status: 401, body: { statusCode: 401, message: 'Unauthorized', apiErrorCode: 'UNAUTHORIZED' } }
          : { status: 401, body: { Status: 'ERROR', Message: 'Unauthorized', Errors: [] } },
      );
    }
    if (!payload.ok) return reply(payload.response);

    const response = dispatch(route, params, payload.body, url, method, requestId, contentType);
    if (fault?.kind === 'reset' && fault.when === 'after') {
      // Processed, but the answer is lost: the client cannot know whether it happened.
      entry.status = 'connection_reset';
      req.socket.destroy();
      return;
    }
    if (route.api === 'performance') {
      response.headers = { 'x-ratelimit-limit': '1000', 'x-ratelimit-remaining': '999', ...response.headers };
      // Impact answers XML unless JSON is asked for.
      return reply(response, !(req.headers.accept ?? '').includes('application/json'));
    }
    return reply(response);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, { status: 500, body: { message: error instanceof Error ? error.message : String(error) } });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;

  return {
    url,
    port: address.port,
    seed,
    faults,
    configure,
    requests: (filter) => recorded.filter((r) => !filter?.operation || r.operation === filter.operation),
    redemptions: () => [...state.redemptions],
    participants: () => [...state.participants.values()],
    rewards: () => [...state.rewards.values()],
    actions: () => [...state.actions.values()],
    submissions: () => [...state.submissions.values()].map(({ complete: _complete, ...rest }) => rest),
    addReward: (input) => state.addReward(input),
    settle: () => state.settle(),
    reset,
    clientConfig: (configOptions = {}) => fakeImpactClientConfig(seed, url, configOptions),
    close: () =>
      new Promise<void>((resolve, reject) => {
        state.reset();
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets would hold close() open until they time out.
        server.closeAllConnections();
      }),
  };
}
