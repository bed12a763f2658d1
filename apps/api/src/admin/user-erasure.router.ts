import { eraseUser, recordAccountDeletionElsewhere, type UserErasure } from '@referrals/rewarding';
import { type ApiRoutes } from '../http/api-routes';
import { type ApiServices } from '../services';
import { eraseUserParamsSchema, eraseUserRequestSchema, eraseUserResponseSchema, recordDeletionRequestSchema, recordDeletionResponseSchema } from './user-erasure.schemas';

type Audit = NonNullable<UserErasure['erasure']>;
const auditView = (a: Audit) => ({ ...a, erasedAt: a.erasedAt.toISOString() });

/**
 * Privacy (issue 15): erase a user (admin), and record an account deletion made by the host
 * (storefront: the host's account system that sends signups, where the tombstone rule is checked,
 * is the one that deletes accounts; billing knows payments, not accounts).
 */
export function userErasureRoutes(routes: ApiRoutes, services: ApiServices): void {
  routes.add({
    method: 'post',
    path: '/v1/admin/users/{userId}/erase',
    operationId: 'eraseUser',
    summary: 'Erase a user\'s personal data (GDPR): deleted or anonymized in every table, audited, idempotent',
    description:
      'One transaction: touches, signups, referrals as referee, conversions, Advocate participants, queued Impact requests, outbox rows and stored answers naming the user are deleted; ' +
      'ledger rows, delivery records and referrals the user made keep their amounts and history with the user id replaced by a stable pseudonym; the deleted-account digest of every known email is written. ' +
      'A second call finds nothing left (nothingToDo) and writes nothing.',
    tags: ['admin: privacy'],
    roles: ['admin'],
    params: eraseUserParamsSchema,
    body: eraseUserRequestSchema,
    response: { status: 200, description: 'What was erased, per table (all zero when nothing was left)', schema: eraseUserResponseSchema },
    async handler({ params, body }) {
      const erased = await eraseUser(services.privacy, { userId: params.userId, requestedBy: body.requestedBy, reason: body.reason, emails: body.emails ?? [] });
      return {
        body: {
          pseudonym: erased.pseudonym,
          nothingToDo: erased.erasure === null,
          tables: erased.tables,
          tombstonesWritten: erased.tombstonesWritten,
          erasure: erased.erasure ? auditView(erased.erasure) : null,
          previousErasures: erased.previousErasures.map(auditView),
        },
      };
    },
  });

  routes.add({
    method: 'post',
    path: '/v1/users/deletions',
    operationId: 'recordAccountDeletion',
    summary: 'Record an account the host deleted: a later signup with its email is disqualified deleted_account',
    description: 'The email is hashed on arrival (HMAC-SHA-256 of its normalized form under EMAIL_HASH_SECRET) and never stored or logged. Idempotent.',
    tags: ['storefront'],
    roles: ['storefront'],
    body: recordDeletionRequestSchema,
    response: { status: 200, description: 'The deletion is recorded', schema: recordDeletionResponseSchema },
    async handler({ body }) {
      const { recorded } = await recordAccountDeletionElsewhere(services.privacy, body.email);
      return { body: { recorded: true as const, alreadyRecorded: !recorded } };
    },
  });
}
