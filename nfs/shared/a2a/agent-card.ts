/**
 * The A2A 1.0 agent card of a hosted agent (A2A section 5.5): its JSON-RPC interface at the
 * a2aUrl it registered at the AGW, skills = its granted capabilities, and the semantic-session
 * extension whose params carry the agent's AIC, so that a client can tie the card to the AGW
 * directory (the ACS lists the same AIC and a2aUrl).
 */
import { A2A_PROTOCOL_VERSION, type AgentCard, type AgentSkill } from '@a2a-js/sdk';
import { A2A_LEGACY_PROTOCOL_VERSION } from '@a2a-js/sdk/compat/v0_3';
import { openCapabilityRules } from './open-capabilities.ts';
import { semanticSessionExtension } from './semantic-session-extension.ts';

export interface CapabilityDescription {
  name: string;
  description: string;
  tags: string[];
}

/** A capability's words, e.g. from the taxonomy; the default reads them off the identifier. */
export type CapabilityDescriber = (capabilityId: string) => CapabilityDescription | undefined;

export interface CardSubject {
  name: string;
  description?: string;
  aic: string;
  a2aUrl: string;
  capabilityIds: readonly string[];
}

export interface AgentCardOptions {
  provider: { organization: string; url?: string };
  describe?: CapabilityDescriber;
  version?: string;
}

export const a2aMediaTypes = ['application/json', 'text/plain'];

/** `/capability/cell-load-analytics` -> "Cell load analytics", tags cell, load, analytics. */
export function describeFromId(capabilityId: string): CapabilityDescription {
  const words = capabilityId.replace(/^\/capability\//, '').split('-').filter(Boolean);
  const name = words.join(' ').replace(/^./, (first) => first.toUpperCase());
  return { name, description: `${name}: a network capability of the operator's core.`, tags: words };
}

function skillOf(capabilityId: string, describe: CapabilityDescriber): AgentSkill {
  const words = describe(capabilityId) ?? describeFromId(capabilityId);
  const rule = openCapabilityRules[capabilityId];
  const access = !rule
    ? 'It changes network state, so it is served only in a dmsc semantic session.'
    : rule.actions
      ? `Open to plain A2A clients for actions ${rule.actions.open.join(', ')}; ${rule.actions.closed.join(', ')} need a dmsc semantic session.`
      : 'Open to plain A2A clients (read-only).';
  const example = { capabilityId, ...(rule?.needsSupi({}) === false ? {} : { supi: 'imsi-001010000000001' }), ...(rule?.actions ? { parameters: { action: rule.actions.open[0] } } : {}) };
  return {
    id: capabilityId,
    name: words.name,
    description: `${words.description} ${access} Send a data part ${JSON.stringify(example)}.`,
    tags: [...words.tags, rule ? 'open' : 'session-required'],
    examples: [JSON.stringify(example)],
    inputModes: a2aMediaTypes,
    outputModes: a2aMediaTypes,
    securityRequirements: [],
  };
}

export function buildAgentCard(subject: CardSubject, options: AgentCardOptions): AgentCard {
  const describe = options.describe ?? (() => undefined);
  const open = subject.capabilityIds.filter((id) => openCapabilityRules[id] !== undefined);
  return {
    name: subject.name,
    description: subject.description ?? `${subject.name}: an agent of the operator's core, AIC ${subject.aic}.`,
    // The same JSON-RPC endpoint for A2A 1.0 clients and, through the SDK's compatibility layer,
    // for 0.3 ones (a2a-server.ts); the SDK serves 0.3 only for an interface declared with it.
    supportedInterfaces: [A2A_PROTOCOL_VERSION, A2A_LEGACY_PROTOCOL_VERSION].map((protocolVersion) => ({ url: subject.a2aUrl, protocolBinding: 'JSONRPC', tenant: '', protocolVersion })),
    provider: { organization: options.provider.organization, url: options.provider.url ?? new URL(subject.a2aUrl).origin },
    version: options.version ?? '1.0',
    capabilities: {
      streaming: false,
      pushNotifications: false,
      extendedAgentCard: false,
      extensions: [semanticSessionExtension({ aic: subject.aic, openCapabilities: open, sessionCapabilities: subject.capabilityIds.filter((id) => !open.includes(id)) })],
    },
    securitySchemes: {},
    securityRequirements: [],
    defaultInputModes: a2aMediaTypes,
    defaultOutputModes: a2aMediaTypes,
    skills: subject.capabilityIds.map((id) => skillOf(id, describe)),
    signatures: [],
  };
}
