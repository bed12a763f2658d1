/** The console talks only to the api, with the admin key the operator typed in (sessionStorage). */
const KEY_STORAGE = 'referrals.adminKey';

export const storedKey = (): string => sessionStorage.getItem(KEY_STORAGE) ?? '';
export const storeKey = (key: string): void => (key ? sessionStorage.setItem(KEY_STORAGE, key) : sessionStorage.removeItem(KEY_STORAGE));

export interface ApiAnswer<T> {
  status: number;
  body: T;
  /** The server's clock (the Date header), for the clock-offset note. */
  serverDate: Date | null;
}

export interface ApiErrorBody {
  error?: { code: string; message: string; details?: { path: string; message: string }[] };
}

export async function call<T>(method: string, path: string, body?: unknown): Promise<ApiAnswer<T>> {
  const res = await fetch(path, {
    method,
    headers: { authorization: `Bearer ${storedKey()}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return answerOf<T>(res);
}

/** A whole JSON answer (a body that is not JSON becomes a `not_json` error). */
async function answerOf<T>(res: Response): Promise<ApiAnswer<T>> {
  const text = await res.text();
  let parsed: unknown = {};
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    parsed = { error: { code: 'not_json', message: `HTTP ${res.status}: ${text.slice(0, 200)}` } };
  }
  const date = res.headers.get('date');
  return { status: res.status, body: parsed as T, serverDate: date ? new Date(date) : null };
}

/**
 * A call whose answer streams as lines of JSON (`Accept: application/x-ndjson`): each line goes to
 * `onLine` as it arrives, and the answer is null. An answer that is not a stream (a refusal,
 * answered before any line) comes back as from `call`.
 */
export async function callStreamed(method: string, path: string, body: unknown, onLine: (line: unknown) => void): Promise<ApiAnswer<ApiErrorBody> | null> {
  const res = await fetch(path, {
    method,
    headers: { authorization: `Bearer ${storedKey()}`, 'content-type': 'application/json', accept: 'application/x-ndjson' },
    body: JSON.stringify(body),
  });
  if (!(res.headers.get('content-type') ?? '').startsWith('application/x-ndjson') || !res.body) return answerOf<ApiErrorBody>(res);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let pending = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (value) pending += value;
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (line) onLine(JSON.parse(line));
      newline = pending.indexOf('\n');
    }
    if (done) break;
  }
  if (pending.trim()) onLine(JSON.parse(pending));
  return null;
}
