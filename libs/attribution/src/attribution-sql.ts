import { lockBusinessKey, lockBusinessKeys } from '@referrals/sql';
import { type Sequelize, type Transaction } from 'sequelize';

/** Attribution's advisory locks, namespaced so they never share a key with another lib's. */
export function lockKey(sequelize: Sequelize, transaction: Transaction, key: string): Promise<void> {
  return lockBusinessKey(sequelize, transaction, `referrals.attribution.${key}`);
}

/** Several of attribution's locks in one round trip, in the order given. */
export function lockKeys(sequelize: Sequelize, transaction: Transaction, keys: readonly string[]): Promise<void> {
  return lockBusinessKeys(
    sequelize,
    transaction,
    keys.map((key) => `referrals.attribution.${key}`),
  );
}

/** A bigint id as pg returns it (a string), or null. */
export function idOrNull(value: string | number | null | undefined): string | null {
  return value === null || value === undefined ? null : String(value);
}
