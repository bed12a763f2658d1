import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { SEARCH_ATTRIBUTES } from '@referrals/workflows';
import { Connection } from '@temporalio/client';

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface OwnTemporal {
  /** `127.0.0.1:<port>`: the same address across restarts. */
  readonly address: string;
  /** Starts the dev server (again) on the same port and SQLite file; resolves once the namespace answers. */
  start(): Promise<void>;
  /** Stops the dev server (SIGTERM, SIGKILL after 10 s); its state stays in the SQLite file. */
  stop(): Promise<void>;
  /** What the server wrote, for a failing test to show. */
  output(): string;
}

/**
 * A Temporal dev server of the test's own (`temporal server start-dev` from PATH or
 * TEMPORAL_CLI_PATH), unlike the shared test server, so a test can stop it and start it again:
 * workflows and history survive in `dbFile`. (The dev-stack launcher is a tool; apps do not import it.)
 */
export function ownTemporalServer(options: { port: number; dbFile: string; namespace?: string }): OwnTemporal {
  const address = `127.0.0.1:${options.port}`;
  const namespace = options.namespace ?? 'default';
  let child: { process: ChildProcess; exited: Promise<void> } | undefined;
  let output = '';

  const ready = async (timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!child) throw new Error('the Temporal dev server is not running');
      if (child.process.exitCode !== null) throw new Error(`the Temporal dev server exited (${child.process.exitCode}) before it was ready:\n${output}`);
      try {
        const connection = await Connection.connect({ address, connectTimeout: 1_000 });
        try {
          await connection.workflowService.describeNamespace({ namespace });
          return;
        } finally {
          await connection.close();
        }
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`Temporal at ${address} not ready within ${timeoutMs} ms (${(error as Error).message}):\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  };

  return {
    address,
    output: () => output,
    async start() {
      if (child) throw new Error('the Temporal dev server runs already');
      const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--headless', '--log-level', 'error', '--db-filename', options.dbFile];
      for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) args.push('--search-attribute', `${name}=${type}`);
      const processHandle = spawn(process.env['TEMPORAL_CLI_PATH'] || 'temporal', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      processHandle.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      processHandle.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<void>((resolve) => processHandle.once('exit', () => resolve()));
      child = { process: processHandle, exited };
      await ready(60_000);
    },
    async stop() {
      const running = child;
      child = undefined;
      if (!running || running.process.exitCode !== null) return;
      running.process.kill('SIGTERM');
      const timer = setTimeout(() => running.process.kill('SIGKILL'), 10_000);
      await running.exited;
      clearTimeout(timer);
    },
  };
}
