import { type Sequelize } from 'sequelize';
import { queryRows } from './ledger-sql';
import { verifyLedger, type LedgerViolation } from './verify-ledger';

/** One run of {@link verifyLedger}, as operators read it (ops view, `/metrics`). */
export interface LedgerVerification {
  readonly id: string;
  readonly checkedAt: Date;
  /** 0: the books are sound. */
  readonly violationCount: number;
  /** The violations found (each check lists at most 100 rows). */
  readonly violations: readonly LedgerViolation[];
}

interface VerificationRow {
  id: string;
  checked_at: Date;
  violation_count: number;
  violations: LedgerViolation[];
}

const toVerification = (row: VerificationRow): LedgerVerification => ({
  id: String(row.id),
  checkedAt: row.checked_at,
  violationCount: row.violation_count,
  violations: row.violations,
});

/**
 * Verifies the books (one consistent snapshot) and records the result, so the latest one is
 * readable by the api (ops, metrics) without re-running the checks on every read. What the
 * `verify-ledger` schedule runs.
 */
export async function runLedgerVerification(sequelize: Sequelize, options: { now?: Date } = {}): Promise<LedgerVerification> {
  const violations = await verifyLedger(sequelize);
  const [row] = await queryRows<VerificationRow>(
    sequelize,
    undefined,
    `INSERT INTO ledger_verifications (checked_at, violation_count, violations) VALUES ($1, $2, $3::jsonb)
      RETURNING id, checked_at, violation_count, violations`,
    [options.now ?? new Date(), violations.length, JSON.stringify(violations)],
  );
  if (!row) throw new Error('INSERT ... RETURNING returned no row');
  return toVerification(row);
}

/** The latest recorded verification, or null when none ran yet. */
export async function lastLedgerVerification(sequelize: Sequelize): Promise<LedgerVerification | null> {
  const [row] = await queryRows<VerificationRow>(
    sequelize,
    undefined,
    'SELECT id, checked_at, violation_count, violations FROM ledger_verifications ORDER BY id DESC LIMIT 1',
  );
  return row ? toVerification(row) : null;
}
