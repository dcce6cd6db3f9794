/**
 * The UE agent's A2A endpoint (DMSC architecture draft, mobile deployment: the UE OS agent; issue
 * 5, agent-to-agent semantic sessions with the UE's agent included). The UE opens it on a local
 * port before it registers, so that its REGISTRATION REQUEST can name the endpoint as the agent's
 * a2aUrl; it serves once the REGISTRATION ACCEPT gives the agent its AIC, and stops when the UE
 * deregisters or closes.
 *
 * It is the A2A harness the core's agents use (nfs/shared/a2a/a2a-server.ts, the official SDK's
 * express handlers): a card listing /capability/ue-measurement, JSON-RPC at the a2aUrl, and session
 * control through the same target checks (nfs/shared/a2a/session/session-target.ts): the
 * initiator's certificate chains to the AMC CA named in the REGISTRATION ACCEPT, the AMC calls it
 * GOOD, the proof, the artifact against the SMF's JWKS with this agent's AIC as audience, the
 * capability, expiry and replay. ue-measurement is not an open capability: a plain A2A client is
 * refused, a device is measured only inside a session the SMF authorized.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createA2aServer } from '../nfs/shared/a2a/a2a-server.ts';
import type { AgentIdentity } from '../nfs/shared/agent-auth.ts';
import { createSemanticSessions, type SemanticSessions } from '../nfs/shared/a2a/session/semantic-sessions.ts';
import { createSessionManagerPeer } from '../nfs/shared/a2a/session/session-manager-peer.ts';
import type { HostedAgent } from '../nfs/shared/agent-host.ts';
import { createAmcConsumer } from '../nfs/shared/credential-status.ts';
import { createLogger, type Logger } from '../nfs/shared/logger.ts';
import { createNrfClient } from '../nfs/shared/nrf-client.ts';
import { createSbiClient } from '../nfs/shared/sbi-client.ts';
import { createDeviceMeasurement, UE_MEASUREMENT } from './ue-measurement.ts';

const AGENT_NAME = 'ue-agent';

export interface UeAgentEndpointOptions {
  supi: string;
  nrfUri: string;
  /** The SMF's and the AMC's addresses (http://host:port), when they are not to be found through the NRF (a core with OAuth on). */
  nfAddresses?: Readonly<Partial<Record<'SMF' | 'AMC', string>>>;
  /** The address the UE listens on (loopback by default) and its port (0: any free one). */
  host?: string;
  port?: number;
  /** The address the network's agents reach the UE at, when host is a wildcard such as 0.0.0.0. */
  advertiseHost?: string;
  logger?: Logger;
  now?: () => number;
}

/** What the REGISTRATION ACCEPT says the network made of the agent. */
export interface UeAgentIdentity {
  aic: string;
  caCertificatePem: string;
  capabilityIds: string[];
  /** The agent's own credential: its reports to the SMF (establish, release) are signed with it. */
  credential: AgentIdentity;
}

export interface UeAgentEndpoint {
  /** The a2aUrl the UE sends in its REGISTRATION REQUEST. */
  readonly a2aUrl: string;
  /** The agent serves under this AIC, trusting initiators certified by this CA. */
  attach(identity: UeAgentIdentity): void;
  /** The agent is no longer registered: A2A requests get 503 until the next attach. */
  detach(): void;
  readonly sessions: SemanticSessions;
  close(): Promise<void>;
}

export async function startUeAgentEndpoint(options: UeAgentEndpointOptions): Promise<UeAgentEndpoint> {
  const logger = options.logger ?? createLogger({ nf: 'UE', level: 'silent' });
  const agent: HostedAgent = {
    spec: { name: AGENT_NAME, role: 'capability', capabilities: [UE_MEASUREMENT], description: `The agent in UE ${options.supi}: measures the device's radio for the network's agents.`, invokePath: '', a2aPath: `/a2a/${AGENT_NAME}` },
    state: 'REGISTERING',
    inFlight: 0,
  };
  // The SMF (JWKS, establish, release) and the AMC (credential status) are found as the UE finds the AMF: through the NRF.
  const sbi = createSbiClient({ nrf: createNrfClient({ nrfUri: options.nrfUri }), self: { nfInstanceId: randomUUID(), nfType: 'UE' }, timeoutMs: 3000, addresses: options.nfAddresses });
  const sessions = createSemanticSessions({ smf: createSessionManagerPeer(sbi, { now: options.now }), credentialStatus: createAmcConsumer(sbi).credentialStatus, logger, now: options.now, maxSessionsPerAgent: 100 });
  const a2a = createA2aServer({
    agent: (name) => (name === AGENT_NAME ? agent : undefined),
    handlers: { [UE_MEASUREMENT]: createDeviceMeasurement({ supi: options.supi, now: options.now }) },
    logger,
    provider: { organization: 'UE' },
    sessions,
  });
  const server = createServer((req, res) => a2a.fastPath(req, res, () => {
    res.writeHead(404, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ status: 404, title: 'Not Found', detail: `the UE agent serves only ${agent.spec.a2aPath}` }));
  }));
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  // The UE's lifetime is its owner's (a scenario, a test): an open endpoint alone keeps no process running.
  server.unref();
  const { port } = server.address() as AddressInfo;
  const reachableAt = options.advertiseHost ?? host;
  const a2aUrl = `http://${reachableAt.includes(':') ? `[${reachableAt}]` : reachableAt}:${port}${agent.spec.a2aPath}`;
  agent.a2aUrl = a2aUrl;

  return {
    a2aUrl,
    sessions,
    attach(identity) {
      Object.assign(agent, { state: 'REGISTERED', aic: identity.aic, identity: identity.credential, caCertificatePem: identity.caCertificatePem, capabilityIds: [...identity.capabilityIds] });
    },
    detach() {
      agent.state = 'REGISTERING';
    },
    async close() {
      agent.state = 'REGISTERING';
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
