/**
 * What one benchmarked operation costs, beside how many run per second: this process's CPU, the
 * CPU of the PostgreSQL backends serving the benchmark's database, the statements this process
 * sent, and the WAL the server wrote. A ratio between two workloads says THAT one is slower; these
 * say WHERE its time goes (issue 12's analysis is built on them).
 *
 * - statements: every `pg.Client#query` of this process (Sequelize and the libs' direct queries
 *   both end there), counted by wrapping the prototype once;
 * - PostgreSQL CPU: utime + stime of the database's backends from /proc/<pid>/stat, so only when
 *   the server runs on this machine (the embedded one, or 127.0.0.1); otherwise null. Background
 *   processes (WAL writer, checkpointer, autovacuum) are not counted;
 * - WAL: the server's insert position before and after (any other database's writes count too).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import pg from 'pg';

let statementsSent = 0;
let counting = false;

/** Wraps pg.Client#query once, so every statement this process sends is counted. */
function countStatements(): void {
  if (counting) return;
  counting = true;
  const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  (pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function counted(this: pg.Client, ...args: unknown[]) {
    statementsSent += 1;
    return query.apply(this, args);
  };
}

const clockTicksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU ticks of a PostgreSQL process, or null when the pid is not a local postgres process. */
function processTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    if (!stat.slice(stat.indexOf('(') + 1, close).startsWith('postgres')) return null;
    // Fields after "pid (comm) ": state is field 3, utime 14, stime 15.
    const fields = stat.slice(close + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

/** A WAL position as PostgreSQL writes it (`16/B374D848`: the high and low 32 bits in hex), in bytes. */
function walPositionOf(lsn: string): bigint {
  const [high = '0', low = '0'] = lsn.split('/');
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
}

interface Snapshot {
  nodeCpu: NodeJS.CpuUsage;
  statements: number;
  /** The server's WAL insert position, in bytes. */
  walPosition: bigint;
  /** Ticks per backend pid, or null when the server is not on this machine. */
  backends: Map<number, number> | null;
}

export interface OperationCost {
  nodeCpuUs: number;
  /** null: PostgreSQL runs elsewhere, its processes cannot be read. */
  postgresCpuUs: number | null;
  statements: number;
  walBytes: number;
}

/**
 * A probe on its own connection (not counted among the benchmark's statements, its backend left
 * out of the CPU sum). `start()` before a measurement, `stop(operations)` after it.
 */
export async function createCostProbe(databaseUrl: string) {
  countStatements();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();

  async function snapshot(): Promise<Snapshot> {
    const before = statementsSent;
    const { rows } = await client.query<{ lsn: string; pids: number[] }>(
      `SELECT pg_current_wal_lsn()::text AS lsn,
              array(SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()) AS pids`,
    );
    const [{ lsn, pids }] = rows as [{ lsn: string; pids: number[] }];
    let backends: Map<number, number> | null = new Map();
    for (const pid of pids) {
      const ticks = processTicks(pid);
      if (ticks === null) {
        backends = null;
        break;
      }
      backends.set(pid, ticks);
    }
    statementsSent = before; // the probe's own query is not the benchmark's
    return { nodeCpu: process.cpuUsage(), statements: statementsSent, walPosition: walPositionOf(lsn), backends };
  }

  let started: Snapshot | null = null;
  return {
    async start(): Promise<void> {
      started = await snapshot();
    },
    /** The cost per operation since start(). */
    async stop(operations: number): Promise<OperationCost> {
      if (!started) throw new Error('cost probe: stop() before start()');
      const first = started;
      const ended = await snapshot();
      const node = process.cpuUsage(first.nodeCpu);
      let postgresTicks: number | null = null;
      if (first.backends && ended.backends) {
        postgresTicks = 0;
        // A backend that started during the measurement counts from zero.
        for (const [pid, ticks] of ended.backends) postgresTicks += ticks - (first.backends.get(pid) ?? 0);
      }
      const per = Math.max(operations, 1);
      return {
        nodeCpuUs: (node.user + node.system) / per,
        postgresCpuUs: postgresTicks === null ? null : (postgresTicks * 1e6) / clockTicksPerSecond / per,
        statements: (ended.statements - first.statements) / per,
        walBytes: Number(ended.walPosition - first.walPosition) / per,
      };
    },
    close: () => client.end(),
  };
}

export type CostProbe = Awaited<ReturnType<typeof createCostProbe>>;
