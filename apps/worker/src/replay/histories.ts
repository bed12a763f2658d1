import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';

/**
 * Recorded workflow histories, committed as fixtures: `histories/<workflowType>-<case>.json`, the
 * History protobuf as a plain object (`History.toObject`: 64-bit ids and enums as strings, payload
 * bytes as base64). Not the CLI's proto3-JSON (`historyToJSON`): in this install
 * @temporalio/common and @temporalio/proto each carry their own protobufjs copy, and its
 * proto3-JSON codec rejects the other copy's types ("type must be a Type").
 * The replay spec replays every one of them against the current workflow bundle; the recorder
 * (`npm run workflows:record-histories`) only ever adds files, it never rewrites one.
 */
export const HISTORIES_DIR = path.join(__dirname, 'histories');

export interface RecordedHistory {
  /** File name without `.json`: `<workflowType>-<case>`. */
  name: string;
  /** The workflow type, taken from the history's first event. */
  workflowType: string;
  /** The parsed JSON history (`historyFromFixture` turns it into what `Worker.runReplayHistory` takes). */
  history: HistoryFixture;
}

export interface HistoryFixture {
  events: Record<string, unknown>[];
}

type History = temporal.api.history.v1.IHistory;

/** A fetched history (`handle.fetchHistory()`) as the JSON written to a fixture. */
export function historyToFixture(history: History): HistoryFixture {
  const object = temporal.api.history.v1.History.toObject(temporal.api.history.v1.History.fromObject(history), {
    longs: String,
    enums: String,
    bytes: String,
  });
  return object as HistoryFixture;
}

/** A fixture's JSON back as the History protobuf that `Worker.runReplayHistory` replays. */
export function historyFromFixture(fixture: HistoryFixture): temporal.api.history.v1.History {
  return temporal.api.history.v1.History.fromObject(fixture);
}

export function historyPath(name: string): string {
  return path.join(HISTORIES_DIR, `${name}.json`);
}

/** The workflow type a JSON history starts (its WorkflowExecutionStarted event). */
export function workflowTypeOf(history: HistoryFixture): string {
  const started = history.events[0]?.['workflowExecutionStartedEventAttributes'] as { workflowType?: { name?: string } } | undefined;
  const name = started?.workflowType?.name;
  if (!name) throw new Error('a history must start with WorkflowExecutionStarted');
  return name;
}

/** Every committed history, sorted by name. */
export function loadHistories(dir = HISTORIES_DIR): RecordedHistory[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const history = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as HistoryFixture;
      return { name: file.slice(0, -'.json'.length), workflowType: workflowTypeOf(history), history };
    });
}

/**
 * What must never be committed in a history (nor reach one in production in full): email
 * addresses, `_saasquatch` cookies, bearer tokens, API keys and other credentials. Payloads are
 * base64 in the JSON, so every base64-looking string is decoded and searched too.
 */
const SENSITIVE_PATTERNS: [string, RegExp][] = [
  ['email address', /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/],
  ['_saasquatch cookie', /_saasquatch/i],
  ['bearer token', /bearer\s+[A-Za-z0-9._~+/-]{8,}/i],
  ['credential field', /"(password|secret|apiKey|api_key|authToken|accessToken|authorization)"\s*:\s*"[^"]+"/i],
  ['Impact credential', /IMPACT_[A-Z_]*(TOKEN|SID|SECRET|KEY)/],
];

function* stringsIn(value: unknown): Generator<string> {
  if (typeof value === 'string') {
    yield value;
    if (value.length >= 8 && /^[A-Za-z0-9+/]+={0,2}$/.test(value)) yield Buffer.from(value, 'base64').toString('utf8');
  } else if (Array.isArray(value)) {
    for (const item of value) yield* stringsIn(item);
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      yield key;
      yield* stringsIn(item);
    }
  }
}

/** The kinds of sensitive values found in a JSON history (empty when it is clean). */
export function sensitiveValuesIn(history: unknown): string[] {
  const found = new Set<string>();
  for (const text of stringsIn(history)) {
    for (const [what, pattern] of SENSITIVE_PATTERNS) if (pattern.test(text)) found.add(what);
  }
  return [...found].sort();
}
