import { createHmac } from 'node:crypto';

/** Advocate accepts the token for an hour; the widget asks for a new one after that. */
export const VERIFIED_ACCESS_TOKEN_TTL_SECONDS = 3600;

/**
 * The signed-in user as the *server* knows it (from its session), never values from the request:
 * whoever could choose these could open another user's widget.
 */
export interface ServerSideIdentity {
  email: string;
  /** Advocate participant id; defaults to the email, as the production integration does. */
  participantId?: string;
  /** Advocate account id; defaults to the email. */
  accountId?: string;
}

export interface VerifiedAccessToken {
  token: string;
  /** When Advocate stops accepting the token (ISO 8601; outcomes stay JSON-safe). */
  expiresAt: string;
  tenantAlias: string;
  programId: string;
  widgetId: string;
}

export interface VerifiedAccessTokenPayload {
  user: { id: string; accountId: string; email: string; referable: false };
  exp: number;
}

const base64UrlJson = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

/**
 * Signs an HS256 JWT: header `{ alg, kid: <Advocate account SID> }`, payload with the top-level
 * `user` object (`referable: false`: the widget is for advocates, not for registering referees)
 * and `exp` one hour from now. Signed with node:crypto; tests verify it with an independent library.
 */
export function signVerifiedAccessToken(params: {
  accountSid: string;
  authToken: string;
  identity: ServerSideIdentity;
  nowMs: number;
}): { token: string; expiresAt: string; payload: VerifiedAccessTokenPayload } {
  const email = params.identity.email.trim();
  const exp = Math.floor(params.nowMs / 1000) + VERIFIED_ACCESS_TOKEN_TTL_SECONDS;
  const payload: VerifiedAccessTokenPayload = {
    user: {
      id: params.identity.participantId ?? email,
      accountId: params.identity.accountId ?? email,
      email,
      referable: false,
    },
    exp,
  };
  const signingInput = `${base64UrlJson({ alg: 'HS256', kid: params.accountSid })}.${base64UrlJson(payload)}`;
  const signature = createHmac('sha256', params.authToken).update(signingInput).digest('base64url');
  return { token: `${signingInput}.${signature}`, expiresAt: new Date(exp * 1000).toISOString(), payload };
}
