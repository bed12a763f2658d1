import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { useTestDatabase } from '@referrals/db/testing';
import { SEARCH_ATTRIBUTES, workflowIds } from '@referrals/workflows';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { QueryTypes } from 'sequelize';
import { createActivities } from './activities';
import { ensureSearchAttributes } from './search-attributes';
import { bundleWorkflows } from './workflow-bundle';
import { createReferralsWorker } from './worker';

const address = () => process.env['TEMPORAL_ADDRESS'] ?? '';
const namespace = 'default';

describe('worker', () => {
  const db = useTestDatabase([]);
  let bundle: WorkflowBundleWithSourceMap;
  let nativeConnection: NativeConnection;
  let connection: Connection;
  let client: Client;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = `test-${randomUUID()}`;

  beforeAll(async () => {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    bundle = await bundleWorkflows(path.join(__dirname, 'testing', 'package-imports.workflow.ts'));
    nativeConnection = await NativeConnection.connect({ address: address() });
    connection = await Connection.connect({ address: address() });
    client = new Client({ connection, namespace });
    worker = await createReferralsWorker({
      connection: nativeConnection,
      namespace,
      taskQueue,
      activities: createActivities({ sequelize: db.sequelize }),
      workflowBundle: bundle,
    });
    running = worker.run();
  }, 120_000);

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await nativeConnection?.close();
    await connection?.close();
  }, 30_000);

  it('bundles workflow code that imports workspace libs by package name', () => {
    expect(bundle.code).toContain('describeTaskQueue');
    expect(bundle.code).toContain('stackCheck');
  });

  it('runs a workflow whose activity reads the real database', async () => {
    const [row] = await db.sequelize.query<{ now: Date }>('SELECT now() AS now', { type: QueryTypes.SELECT });
    const result = await client.workflow.execute('stackCheck', { taskQueue, workflowId: workflowIds.stackCheck(randomUUID()) });
    expect(Math.abs(Date.parse(result.databaseTime) - new Date(row!.now).getTime())).toBeLessThan(60_000);
  });

  it('resolves package-name imports inside the sandbox at run time', async () => {
    const result = await client.workflow.execute('describeTaskQueue', { taskQueue, workflowId: `describe-${randomUUID()}` });
    expect(result.taskQueue).toBe('referrals');
  });

  it('starting the same business work twice is a no-op: the second start finds the first', async () => {
    const workflowId = workflowIds.stackCheck(randomUUID());
    const first = await client.workflow.start('stackCheck', { taskQueue, workflowId });
    await expect(client.workflow.start('stackCheck', { taskQueue, workflowId })).rejects.toThrow(/already started/i);
    expect((await first.result()).workflowId).toBe(workflowId);
  });

  it('finds every custom search attribute registered on the cluster (nothing left to add)', async () => {
    expect(await ensureSearchAttributes(connection, namespace)).toEqual([]);
    const listed = await connection.operatorService.listSearchAttributes({ namespace });
    expect(Object.keys(listed.customAttributes ?? {})).toEqual(expect.arrayContaining(Object.keys(SEARCH_ATTRIBUTES)));
  });
});
