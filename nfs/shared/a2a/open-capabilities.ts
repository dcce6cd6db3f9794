/**
 * Which capabilities answer a plain A2A client, one without a semantic session, and how such a
 * client's message reads as a task. Only read-only capabilities and read-only actions are open:
 * whatever changes the network or a subscription (QoS, repairs, plan changes, bookings) needs a
 * network-authorized session (MACP Agent-to-Agent Process), carried by the semantic-session
 * extension. No SDK server code here: a refusal is data, the server turns it into an A2A error.
 */
import type { Message } from '@a2a-js/sdk';
import { SEMANTIC_SESSION_EXTENSION_URI } from './semantic-session-extension.ts';

export interface OpenCapabilityRule {
  /** For capabilities with parameters.action: what a plain client may ask for, and what changes state. */
  actions?: { open: readonly string[]; closed: readonly string[] };
  /** Whether the task needs the subscriber's SUPI with these parameters. */
  needsSupi(parameters: Record<string, unknown>): boolean;
}

const always = () => true;

export const openCapabilityRules: Readonly<Record<string, OpenCapabilityRule>> = Object.freeze({
  '/capability/location': { needsSupi: always },
  '/capability/network-diagnosis': { needsSupi: always },
  // A named cell needs no subscriber; otherwise the UE's serving cell is analysed.
  '/capability/cell-load-analytics': { needsSupi: (parameters: Record<string, unknown>) => parameters.cellId === undefined },
  '/capability/knowledge-qa': { needsSupi: () => false },
  '/capability/broadband-troubleshooting': { actions: { open: ['check'], closed: ['repair'] }, needsSupi: always },
  '/capability/billing-plan': {
    actions: { open: ['show-bill', 'show-usage', 'list-plans'], closed: ['change-plan'] },
    needsSupi: (parameters: Record<string, unknown>) => String(parameters.action ?? '').trim().toLowerCase() !== 'list-plans',
  },
});

/** A plain client's request for one open capability. */
export interface OpenRequest {
  capabilityId: string;
  supi?: string;
  parameters: Record<string, unknown>;
}

export interface OpenRequestRefusal {
  /** malformed: bad input (A2A invalid params); session-required: the capability needs the session extension. */
  kind: 'malformed' | 'session-required';
  message: string;
  /** Carried as google.rpc.ErrorInfo metadata on the wire. */
  metadata: Record<string, string>;
}

const capabilityIdPattern = /^\/capability\/[a-z0-9][a-z0-9-]{0,62}$/;
/** TS 29.571 clause 5.3.2 SUPI, IMSI form only, as in openapi/nagent-tip.yaml. */
const supiPattern = /^imsi-[0-9]{5,15}$/;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const shown = (value: unknown) => JSON.stringify(value)?.slice(0, 60) ?? String(value);

const malformed = (message: string, reason: string, extra: Record<string, string> = {}): OpenRequestRefusal => ({ kind: 'malformed', message, metadata: { reason, ...extra } });

/**
 * Reads a message as {capabilityId?, supi?, parameters?} in its DataPart(s), with any text as the
 * question of knowledge-qa. `held` are the capabilities the agent holds and has logic for.
 */
export function readOpenRequest(message: Message | undefined, agentName: string, held: readonly string[]): OpenRequest | OpenRequestRefusal {
  const parts = message?.parts ?? [];
  if (parts.length === 0) return malformed('the message has no parts: send a data part {capabilityId, supi, parameters}', 'NO_CONTENT');
  const data: Record<string, unknown> = {};
  const texts: string[] = [];
  for (const part of parts) {
    const content = part?.content;
    if (content?.$case === 'data') {
      if (!isRecord(content.value)) return malformed('a data part must be a JSON object such as {"capabilityId": "/capability/location", "supi": "imsi-..."}', 'INVALID_DATA_PART');
      Object.assign(data, content.value);
    } else if (content?.$case === 'text') {
      texts.push(content.value);
    } else {
      return malformed('only text and data parts are understood', 'UNSUPPORTED_PART');
    }
  }

  let capabilityId = data.capabilityId;
  if (capabilityId === undefined) {
    if (held.length !== 1) return malformed(`say which capability in the data part's capabilityId: ${agentName} holds ${held.join(', ')}`, 'MISSING_CAPABILITY', { agent: agentName });
    capabilityId = held[0];
  }
  if (typeof capabilityId === 'string' && !capabilityId.startsWith('/')) capabilityId = `/capability/${capabilityId}`;
  if (typeof capabilityId !== 'string' || !capabilityIdPattern.test(capabilityId)) {
    return malformed(`capabilityId ${shown(data.capabilityId)} is not a capability identifier such as /capability/location`, 'INVALID_CAPABILITY');
  }
  if (!held.includes(capabilityId)) {
    return malformed(`agent ${agentName} does not hold ${capabilityId}; it holds ${held.join(', ') || 'no capability open to A2A'}`, 'CAPABILITY_NOT_HELD', { agent: agentName, capabilityId });
  }
  const rule = openCapabilityRules[capabilityId];
  if (!rule) return sessionRequired(capabilityId, `${capabilityId} changes network state`);

  if (data.parameters !== undefined && !isRecord(data.parameters)) return malformed('parameters must be a JSON object', 'INVALID_PARAMETERS', { capabilityId });
  const parameters: Record<string, unknown> = { ...(data.parameters as Record<string, unknown> | undefined) };
  if (rule.actions && parameters.action !== undefined) {
    const action = typeof parameters.action === 'string' ? parameters.action.trim().toLowerCase() : undefined;
    if (action !== undefined && rule.actions.closed.includes(action)) return sessionRequired(capabilityId, `action ${action} of ${capabilityId} changes network state`);
    if (action === undefined || !rule.actions.open.includes(action)) {
      return malformed(`action must be one of ${rule.actions.open.join(', ')}, not ${shown(parameters.action)}`, 'INVALID_PARAMETERS', { capabilityId });
    }
  }
  if (capabilityId === '/capability/knowledge-qa' && parameters.question === undefined && texts.length) parameters.question = texts.join('\n').trim();

  const supi = data.supi;
  if (supi === undefined || supi === '') {
    if (rule.needsSupi(parameters)) return malformed(`${capabilityId} needs the subscriber's SUPI in the data part's supi, e.g. "imsi-001010000000001"`, 'MISSING_SUPI', { capabilityId });
    return { capabilityId, parameters };
  }
  if (typeof supi !== 'string' || !supiPattern.test(supi)) return malformed(`supi ${shown(supi)} is not "imsi-" and 5 to 15 digits`, 'INVALID_SUPI', { capabilityId });
  return { capabilityId, supi, parameters };
}

function sessionRequired(capabilityId: string, why: string): OpenRequestRefusal {
  return {
    kind: 'session-required',
    message: `${why}: it is served only in a dmsc semantic session authorized by the network; activate the A2A extension ${SEMANTIC_SESSION_EXTENSION_URI}`,
    metadata: { reason: 'SEMANTIC_SESSION_REQUIRED', capabilityId, extension: SEMANTIC_SESSION_EXTENSION_URI },
  };
}

export const isRefusal = (value: OpenRequest | OpenRequestRefusal): value is OpenRequestRefusal => 'kind' in value;
