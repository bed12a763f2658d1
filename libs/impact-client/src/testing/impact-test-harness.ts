import { type Logger } from 'pino';
import { createImpactClient, type ImpactClient } from '../impact-client';
import { type AdvocateAuthStyle, type ImpactConfig, type ImpactConfigInput, parseImpactConfig } from '../impact-config.schema';
import { createImpactLogger } from '../impact-logger';
import { type FakeImpactOptions, type FakeImpactServer, startFakeImpact } from './fake-impact.server';

export interface ImpactTestHarness {
  fake: FakeImpactServer;
  client: ImpactClient;
  config: ImpactConfig;
  logger: Logger;
  /** Every log line the client wrote (JSON, one per line), for assertions on redaction. */
  logLines: string[];
  /** A second client on the same fake and logger, with a changed configuration. */
  clientWith(change: (config: ImpactConfigInput) => ImpactConfigInput): ImpactClient;
  close(): Promise<void>;
}

/**
 * A running fake and a real client pointed at it over real HTTP, with captured logs. For contract
 * tests here and for services that build on the client (api, worker).
 */
export async function startImpactTestHarness(
  options: FakeImpactOptions & {
    client?: { authStyle?: AdvocateAuthStyle; timeoutMs?: number; only?: readonly string[] };
    now?: () => number;
  } = {},
): Promise<ImpactTestHarness> {
  const fake = await startFakeImpact(options);
  const logLines: string[] = [];
  const logger = createImpactLogger({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
  const input = fake.clientConfig({ timeoutMs: 2000, ...options.client });
  const config = parseImpactConfig(input);
  const make = (c: ImpactConfig) => createImpactClient({ config: c, logger, ...(options.now ? { now: options.now } : {}) });
  return {
    fake,
    client: make(config),
    config,
    logger,
    logLines,
    clientWith: (change) => make(parseImpactConfig(change(structuredClone(input)))),
    close: () => fake.close(),
  };
}
