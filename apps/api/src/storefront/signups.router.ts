import { recordSignup } from '@referrals/rewarding';
import { type FactSet } from '@referrals/rule-dsl';
import { type ApiRoutes } from '../http/api-routes';
import { type ApiServices } from '../services';
import { referralView } from './referral-views';
import { referralCodeResponseSchema, registerReferralCodeRequestSchema, signupRequestSchema, signupResponseSchema } from './signups.schemas';

/**
 * Signup: associates the anonymous session's touches with the new user and decides the referral
 * (guards, program selection, version pinning) in the attribution lib; a referral from a
 * `_saasquatch` touch queues the referee's Advocate registration in the same transaction
 * (rewarding's `recordSignup`). Idempotent per (product, user): a second call returns the referral
 * decided by the first and queues nothing.
 */
export function signupRoutes(routes: ApiRoutes, services: ApiServices): void {
  routes.add({
    method: 'post',
    path: '/v1/signups',
    operationId: 'recordSignup',
    summary: 'Record a signup: associate touches, create the referral',
    tags: ['storefront'],
    roles: ['storefront'],
    body: signupRequestSchema,
    idempotencyKey: true,
    response: { status: 200, description: 'The referral decided for the user (or that there was no referral touch)', schema: signupResponseSchema },
    async handler({ body }) {
      const { facts, ...signup } = body;
      // The signup and the referee's Advocate registration it queues: one transaction (rewarding).
      const result = await recordSignup({ ...services.rewarding, attribution: services.attributionWith(facts as FactSet | undefined) }, signup, facts);
      if (!result.replayed) services.metrics.signups.inc({ outcome: result.outcome, referral_status: result.referral?.status ?? 'none' });
      return {
        body: {
          outcome: result.outcome,
          referral: result.referral ? referralView(result.referral) : null,
          associatedTouches: result.associatedTouches,
          signedUpAt: result.signedUpAt.toISOString(),
          replayed: result.replayed,
          registration: result.registration,
        },
      };
    },
  });

  routes.add({
    method: 'post',
    path: '/v1/referral-codes',
    operationId: 'registerReferralCode',
    summary: 'Register a referrer\'s native referral code in a program',
    description: 'Codes Impact Advocate returns are stored by the participant registration workflow; native codes (invite links) come here.',
    tags: ['storefront'],
    roles: ['storefront'],
    body: registerReferralCodeRequestSchema,
    idempotencyKey: true,
    errors: [409],
    response: { status: 201, description: 'Registered (again: the stored code)', schema: referralCodeResponseSchema },
    async handler({ body }) {
      const code = await services.attribution.registerReferralCode(body);
      return {
        body: { programKey: code.programKey, code: code.code, userId: code.userId, createdAt: code.createdAt.toISOString(), blocked: code.blockedAt !== null },
      };
    },
  });
}
