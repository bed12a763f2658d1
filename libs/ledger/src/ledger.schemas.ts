import { CONVERSION_KEY_MAX_LENGTH, EXTERNAL_ID_MAX_LENGTH } from '@referrals/config';
import { inputParser } from '@referrals/errors';
import { z } from 'zod';
import { LedgerError } from './ledger.errors';

/**
 * Building blocks of the operations' input schemas. Every public operation parses its input
 * first, so nothing unvalidated (a float amount, an empty id, an unknown currency shape) ever
 * reaches SQL; a failure is one `input_invalid` error listing every problem with its path.
 */

/** An opaque external id (user, conversion, issuance, notice...). */
export const externalId = z.string().min(1, 'must not be empty').max(EXTERNAL_ID_MAX_LENGTH, `must be at most ${EXTERNAL_ID_MAX_LENGTH} characters`);
/** A conversion key's string form (`stripe:in_123`): a provider key and a host id of the longest length fit. */
export const conversionKeyText = z.string().min(1, 'must not be empty').max(CONVERSION_KEY_MAX_LENGTH, `must be at most ${CONVERSION_KEY_MAX_LENGTH} characters`);
/** A key the engine derives from host ids (an issuance workflow's claim key): as long as a workflow id may be. */
export const derivedKey = z.string().min(1, 'must not be empty').max(1000, 'must be at most 1000 characters');

/** `kilo-pass`, `cbr_student`. */
export const programKeySchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be a lowercase slug (a-z, 0-9, - and _), at most 64 characters');

/** An ISO 4217 currency (`USD`, minor units are its cents) or a lowercase unit (`day`, `credit`). */
export const unitSchema = z
  .string()
  .regex(/^([A-Z]{3}|[a-z][a-z0-9_]{0,31})$/, 'must be an ISO currency code (USD) or a lowercase unit (day, credit)');

/**
 * An amount in integer minor units. Never a float: non-integers, and integers past 2^53 (which a
 * JS number cannot hold exactly), are refused rather than rounded.
 */
export const amountMinorSchema = z
  .number()
  .refine((n) => Number.isSafeInteger(n), 'must be an integer amount of minor units within ±2^53')
  .refine((n) => n > 0, 'must be greater than zero');

/** An exact decimal percent as text (`50`, `12.5`): the rate is recorded, never multiplied as a float. */
export const percentSchema = z
  .string()
  .regex(/^\d{1,6}(\.\d{1,6})?$/, 'must be a decimal like "50" or "12.5" (at most 6 decimals)')
  .refine((s) => /[1-9]/.test(s), 'must be greater than zero');

/** Who or what acts (`system:grant-activity`, `operator:alice@example.com`). */
/** Who or what acts: an operator, or a workflow named by its id (workflow ids derive from host ids and reach 1000 characters). */
export const actorSchema = z.string().min(1, 'must name who or what acts').max(1000);

export const reasonSchema = z.string().min(1, 'must say why').max(1000);

export const validDate = z.date().refine((d) => !Number.isNaN(d.getTime()), 'must be a valid date');

/** External ids recorded with an audit row or a transaction (`{ invoice_id: 'in_123' }`). */
export const externalIdsSchema = z.record(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/), z.string().max(500));

/** Parses `input` or throws one `input_invalid` LedgerError listing every issue (see @referrals/errors). */
export const parseInput = inputParser(LedgerError);
