import { cancelProgramRewards, inLedgerTransaction } from '@referrals/ledger';
import { programRetired, type ProgramVersion, type RetireProgramInput } from '@referrals/programs';
import { type Transaction } from 'sequelize';
import { rewardRecord, type RewardRecord } from './records';
import { type RewardingDeps } from './record-qualifying-event';

export interface ProgramRetirement {
  /** The retiring version (status `retired`), current from now on. */
  readonly program: ProgramVersion;
  /** The open (pending, earned) rewards this retirement canceled; applied rewards stand. */
  readonly canceledRewards: RewardRecord[];
  /** True when the program was retired already: nothing was written. */
  readonly replayed: boolean;
}

/**
 * Retires a program (Kilo rules 69a-69g, generalised), in ONE transaction: the program gets a
 * `retired` version (who, when, why: its History) and every pending or earned-but-unapplied reward
 * of the program is canceled with the retirement's reason in its audit trail. Applied rewards
 * stand. Everything else follows from the status, read where the work happens: no new touch,
 * referral code, referral, conversion credit, reward or widget token (`program_retired`); its
 * referral touches no longer win attribution, so affiliate SALEs of its product are reported
 * again; its queued Impact redemptions end (the worker reads the status). Idempotent: retiring a
 * retired program writes nothing and answers `replayed`.
 */
export async function retireProgram(deps: Pick<RewardingDeps, 'sequelize' | 'programs'>, input: RetireProgramInput): Promise<ProgramRetirement> {
  return inLedgerTransaction(deps.sequelize, async (t) => {
    const retired = await deps.programs.retire(input, { transaction: t });
    if (retired.replayed) return { program: retired.version, canceledRewards: [], replayed: true };
    const canceled = await cancelProgramRewards(
      deps.sequelize,
      { programKey: retired.version.key, actor: retired.version.author, reason: `program retired: ${input.reason}` },
      { transaction: t },
    );
    return { program: retired.version, canceledRewards: canceled.map(rewardRecord), replayed: false };
  });
}

/**
 * Refuses new work for a retired program (`program_retired`, located at `path` of the request).
 * With `transaction`, the status is read in the caller's transaction.
 */
export async function assertProgramNotRetired(
  deps: Pick<RewardingDeps, 'programs'>,
  programKey: string,
  options: { path?: string; transaction?: Transaction } = {},
): Promise<void> {
  const program = await deps.programs.find(programKey, options.transaction ? { transaction: options.transaction } : {});
  if (program?.status === 'retired') throw programRetired(programKey, options.path);
}
