/**
 * An intent agent inside another NF: the AMF with agent capability (DMSC architecture draft,
 * mobile deployment: "the AMF ... comprehends the intent itself when it is agent-capable"). The
 * agent gets its own key and registers at the AGW through ARP like any intent agent, so its task
 * calls carry its own credential; its SubmitIntent is served on the host NF's port too, so the
 * AGW's directory never lists an agent nobody answers for.
 */
import { randomUUID } from 'node:crypto';
import { createAgentHost } from '../agent-host.ts';
import { createJsonPostFastPath, pathMatcher } from '../json-post-fast-path.ts';
import type { Logger } from '../logger.ts';
import type { FastPath } from '../nf-host.ts';
import { createNrfClient } from '../nrf-client.ts';
import { ProblemError } from '../problem.ts';
import { createSbiClient } from '../sbi-client.ts';
import { compileBodyCheck } from '../schema-validator.ts';
import { createIntentAgentPipeline, type IntentAgentSettings } from './intent-agent.ts';
import type { IntentOutcome, IntentRequest } from './intent-pipeline.ts';
import { createOfflineEngine } from './offline-engine.ts';
import { sbiSessionAuthority } from '../a2a/session/session-authority.ts';
import { createAgwResolution } from './task-calls.ts';

export interface LocalIntentAgent {
  handleIntent(request: IntentRequest): Promise<IntentOutcome>;
  /** SubmitIntent of the embedded agent, to be served on the host NF's port. */
  fastPath: FastPath;
  start(apiRoot: string): void;
  stop(): Promise<void>;
  /** Settles once the agent registered at the AGW or gave up. */
  whenSettled(): Promise<void>;
}

export interface LocalIntentAgentOptions {
  nrfUri: string;
  logger: Logger;
  /** The host NF, as it asks the NRF for peers. */
  host: { nfType: string; nfInstanceId?: string };
  name?: string;
  provider?: { providerId: string; clientSecret: string };
  settings?: Partial<IntentAgentSettings>;
  /** With OAuth on, the check of whoever submits an intent to the embedded agent over HTTP. */
  intentCallers?: (authorization: string | undefined) => Promise<void>;
}

const operatorCore = { providerId: 'operator-core', clientSecret: 'operator-core-demo-secret' };

export async function createLocalIntentAgent(options: LocalIntentAgentOptions): Promise<LocalIntentAgent> {
  const name = options.name ?? `${options.host.nfType.toLowerCase()}-intent-agent`;
  const intentsPath = `/nagent-tip/v1/agents/${name}/intents`;
  const sbi = createSbiClient({ nrf: createNrfClient({ nrfUri: options.nrfUri }), self: { nfInstanceId: options.host.nfInstanceId ?? randomUUID(), nfType: options.host.nfType } });
  const host = createAgentHost({
    sbi,
    logger: options.logger,
    provider: options.provider ?? operatorCore,
    agents: [{ name, role: 'intent', capabilities: ['/capability/intent-recognition'], description: `The ${options.host.nfType}'s own intent agent`, invokePath: intentsPath, a2aPath: `/a2a/${name}` }],
  });
  const pipeline = createIntentAgentPipeline({
    self: () => host.get(name)!,
    agw: createAgwResolution(sbi),
    authority: sbiSessionAuthority(sbi),
    checkResult: await compileBodyCheck('nagent-tip.yaml', 'TaskResult'),
    engine: createOfflineEngine(),
    settings: { taskTimeoutMs: 2000, maxCandidates: 3, attemptsPerCandidate: 2, ...options.settings },
    logger: options.logger,
  });
  const handleIntent = async (request: IntentRequest): Promise<IntentOutcome> => {
    if (host.get(name)!.state !== 'REGISTERED') throw new ProblemError(503, `the ${options.host.nfType}'s intent agent is not registered at the AGW yet`, { cause: 'AGENT_NOT_REGISTERED' });
    return pipeline.handle(request);
  };
  const [checkRequest, checkOutcome] = await Promise.all([compileBodyCheck('nagent-tip.yaml', 'IntentRequest'), compileBodyCheck('nagent-tip.yaml', 'IntentOutcome')]);
  const matchIntents = pathMatcher(intentsPath);
  return {
    handleIntent,
    fastPath: createJsonPostFastPath({
      logger: options.logger,
      routes: [{ match: matchIntents, checkBody: checkRequest, checkAnswer: checkOutcome, handle: async ({ body, headers }) => {
        await options.intentCallers?.(headers.authorization);
        return handleIntent(body as IntentRequest);
      } }],
    }),
    start: (apiRoot) => host.start(apiRoot),
    stop: async () => {
      await pipeline.stop();
      await host.stop();
    },
    whenSettled: () => host.whenSettled(),
  };
}
