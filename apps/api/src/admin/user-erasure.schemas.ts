import { z } from 'zod';
import { externalIdSchema } from '../openapi/common.schemas';

const emailSchema = z.string().trim().max(320, 'must be at most 320 characters').regex(/^[^@\s]+@[^@\s]+$/, 'must be an email address');

export const eraseUserParamsSchema = z.strictObject({ userId: externalIdSchema.meta({ description: 'The host\'s user id to erase' }) });
export const eraseUserRequestSchema = z
  .strictObject({
    requestedBy: z.string().trim().min(1).max(200).meta({ description: 'Who asks (`operator:jane`): the audit\'s who (an admin key names a role, not a person)' }),
    reason: z.string().trim().min(1).max(1000).meta({ description: 'Why (the data subject\'s request, a ticket id): the audit\'s why. Write no personal data here.' }),
    emails: z
      .array(emailSchema)
      .max(20)
      .optional()
      .meta({ description: 'Emails of the account the engine may not hold (it tombstones the ones it holds anyway); hashed, never stored' }),
  })
  .meta({ id: 'EraseUserRequest' });

const tableErasureSchema = z.object({ deleted: z.int(), anonymized: z.int() });
const erasureAuditSchema = z
  .object({ id: z.string(), requestedBy: z.string(), reason: z.string(), counts: z.record(z.string(), tableErasureSchema), erasedAt: z.string() })
  .meta({ id: 'UserErasureAudit' });

export const eraseUserResponseSchema = z
  .object({
    pseudonym: z.string().meta({ description: '`erased:<hmac>`: what the ledger and the delivery records name instead of the user' }),
    nothingToDo: z.boolean().meta({ description: 'True when nothing of the user was left (unknown, or erased before): nothing was written' }),
    tables: z.record(z.string(), tableErasureSchema).meta({ description: 'Per table: rows deleted and rows anonymized by this call' }),
    tombstonesWritten: z.int().meta({ description: 'Deleted-account email digests written by this call' }),
    erasure: erasureAuditSchema.nullable().meta({ description: 'The audit row of this call (null when nothing was done)' }),
    previousErasures: z.array(erasureAuditSchema).meta({ description: 'Earlier erasures of this user, oldest first' }),
  })
  .meta({ id: 'UserErasure' });

export const recordDeletionRequestSchema = z
  .strictObject({ email: emailSchema.meta({ description: 'The deleted account\'s email: hashed on arrival (HMAC of its normalized form), never stored or logged' }) })
  .meta({ id: 'RecordAccountDeletionRequest' });
export const recordDeletionResponseSchema = z
  .object({
    recorded: z.literal(true),
    alreadyRecorded: z.boolean().meta({ description: 'The digest was there before (a retry, or an earlier erase): nothing was written' }),
  })
  .meta({ id: 'AccountDeletionRecorded' });
