/**
 * A stand-in for Advocate's `_saasquatch` cookie. The client treats the value as opaque; only the
 * fake reads it, to find the referral code the way Advocate does. The shape mimics the real one
 * (base64 of JSON with `codes` keyed by program id) without claiming to be byte-exact.
 */
export function fakeSaasquatchCookie(params: { tenantAlias: string; programId: string; code: string; padding?: number }): string {
  const json = {
    'app.referralsaasquatch.com': {
      [`${params.tenantAlias}_${params.programId}`]: {
        codes: { [params.programId]: params.code },
        codesExp: { [params.code]: 1_900_000_000_000 },
        leadCodes: {},
        // Real cookies carry share-medium and tracking data; padding makes values realistically long.
        tracking: 'x'.repeat(params.padding ?? 120),
      },
    },
  };
  return Buffer.from(JSON.stringify(json), 'utf8').toString('base64url');
}

/** The referral codes inside a cookie, keyed by program id; empty when it is not one of ours. */
export function referralCodesInCookie(cookie: string): Record<string, string> {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cookie, 'base64url').toString('utf8'));
  } catch {
    return {};
  }
  const found: Record<string, string> = {};
  const visit = (node: unknown) => {
    if (typeof node !== 'object' || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'codes' && typeof value === 'object' && value !== null) {
        for (const [programId, code] of Object.entries(value)) if (typeof code === 'string') found[programId] = code;
      } else {
        visit(value);
      }
    }
  };
  visit(decoded);
  return found;
}
