import { createHash, timingSafeEqual } from 'node:crypto';
import { type Request, type RequestHandler } from 'express';
import { ApiError } from '../http/api-error';

/**
 * Who may call what. Each caller is a server of the host, holding a key of one role:
 * - `storefront`: the storefront's backend (touches, signups, widget tokens, summaries);
 * - `billing`: the billing system (payments, lessons, adverse notices, issuances);
 * - `admin`: the admin console and operators (programs, simulate, rewards, ops).
 * Keys never go to browsers.
 */
export const API_ROLES = ['storefront', 'billing', 'admin'] as const;
export type ApiRole = (typeof API_ROLES)[number];

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * The configured keys, kept only as SHA-256 digests. A presented key is hashed and compared with
 * every digest with `timingSafeEqual` (equal-length digests, no early exit), so neither the
 * comparison time nor the key's length tells an attacker how close a guess was.
 */
export class ApiKeyring {
  private readonly entries: readonly { digest: Buffer; role: ApiRole }[];

  constructor(keys: Readonly<Partial<Record<ApiRole, readonly string[]>>>) {
    this.entries = API_ROLES.flatMap((role) => (keys[role] ?? []).map((key) => ({ digest: sha256(key), role })));
  }

  /** The role of a presented key, or null when no configured key matches. */
  roleOf(presented: string): ApiRole | null {
    const digest = sha256(presented);
    let found: ApiRole | null = null;
    for (const entry of this.entries) {
      // Every entry is compared, even after a match: the time does not depend on which key matched.
      if (timingSafeEqual(entry.digest, digest) && found === null) found = entry.role;
    }
    return found;
  }

  get size(): number {
    return this.entries.length;
  }
}

/** `Authorization: Bearer <key>` or `X-Api-Key: <key>`. */
export function presentedKey(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match) return match[1];
  }
  const apiKey = req.headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey.trim() !== '' ? apiKey.trim() : undefined;
}

/** The role that authenticated this request (set by `requireRole`). */
export function roleOf(res: { locals: Record<string, unknown> }): ApiRole {
  return res.locals['apiRole'] as ApiRole;
}

/**
 * 401 without a key or with an unknown one; 403 with a valid key of another role. Runs before
 * the body is validated, so a storefront key on an admin endpoint learns nothing but "forbidden".
 */
export function requireRole(keyring: ApiKeyring, allowed: readonly ApiRole[]): RequestHandler {
  return (req, res, next) => {
    const key = presentedKey(req);
    if (key === undefined) {
      throw new ApiError(401, 'api_key_missing', 'send an API key: Authorization: Bearer <key> (or X-Api-Key)');
    }
    const role = keyring.roleOf(key);
    if (role === null) throw new ApiError(401, 'api_key_unknown', 'the API key is not valid');
    if (!allowed.includes(role)) {
      throw new ApiError(403, 'role_forbidden', `a ${role} key cannot call this endpoint (allowed: ${allowed.join(', ')})`);
    }
    res.locals['apiRole'] = role;
    next();
  };
}
