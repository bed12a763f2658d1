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
