/** Settings of an NF with agents: which agents it hosts, how they register, how intents are understood. */
import type { HostedAgentSpec } from '../shared/agent-host.ts';
import { providerAccountSchema } from '../shared/settings-file.ts';

export interface HostedAgentSetting {
  name: string;
  role: HostedAgentSpec['role'];
  capabilities: string[];
  description?: string;
}

export type ComprehensionSetting =
  | { engine: 'offline' }
  | { engine: 'chat-completions'; baseUrl: string; model: string; apiKey?: string; timeoutMs?: number };

export interface AgentNfSettings {
  /** The agent-provider account the hosted agents register with (AMC provider, MACP section 4.1). */
  provider: { providerId: string; clientSecret: string };
  agents: HostedAgentSetting[];
  comprehension: ComprehensionSetting;
  /** One task call's time limit before it counts as failed and the next agent is tried. */
  taskTimeoutMs: number;
  /** Agents one task may be tried on (fail-over), and calls per agent (retries). */
  maxCandidates: number;
  attemptsPerCandidate: number;
  /** A pooled semantic session to a capability agent unused this long is terminated (seconds). */
  sessionIdleSeconds?: number;
  /** How long an intent's record stays readable at GET .../intents/{intentId}. */
  intentRetentionSeconds: number;
  /** The whole exchange with a UE's agent for a device measurement (discovery, SMF, session), ms. */
  deviceMeasurementTimeoutMs: number;
}

const operatorCore = { providerId: 'operator-core', clientSecret: 'operator-core-demo-secret' };

const common = {
  provider: operatorCore,
  comprehension: { engine: 'offline' } as ComprehensionSetting,
  taskTimeoutMs: 2000,
  maxCandidates: 3,
  attemptsPerCandidate: 2,
  intentRetentionSeconds: 3600,
  deviceMeasurementTimeoutMs: 1000,
};

export const defaultIntentAgentSettings: AgentNfSettings = Object.freeze({
  ...common,
  agents: <HostedAgentSetting[]>[{ name: 'intent-agent', role: 'intent', capabilities: ['/capability/intent-recognition'], description: 'Understands UE intents and runs them as tasks on capability agents.' }],
});

/** One agent per network capability of the default taxonomy (the home-broadband agents of seed 004 case 2 included). */
export const defaultCapabilityAgentSettings: AgentNfSettings = Object.freeze({
  ...common,
  agents: <HostedAgentSetting[]>[
    { name: 'qos-agent', role: 'capability', capabilities: ['/capability/qos-optimisation'] },
    { name: 'diagnosis-agent', role: 'capability', capabilities: ['/capability/network-diagnosis', '/capability/wireless-network-optimisation'] },
    { name: 'location-agent', role: 'capability', capabilities: ['/capability/location'] },
    { name: 'analytics-agent', role: 'capability', capabilities: ['/capability/cell-load-analytics'] },
    { name: 'broadband-agent', role: 'capability', capabilities: ['/capability/broadband-troubleshooting', '/capability/data-preprocessing'] },
    { name: 'rca-agent', role: 'capability', capabilities: ['/capability/root-cause-analysis'] },
    { name: 'repair-agent', role: 'capability', capabilities: ['/capability/fault-handling', '/capability/maintenance-scheduling'] },
    { name: 'testing-agent', role: 'capability', capabilities: ['/capability/e2e-testing'] },
    { name: 'billing-agent', role: 'capability', capabilities: ['/capability/billing-plan', '/capability/knowledge-qa'] },
  ],
});

const capabilityId = { type: 'string', pattern: '^/capability/[a-z0-9][a-z0-9-]{0,62}$' };

/** What a settings file may set for an NF with agents (settings-file.ts). */
export const agentNfSettingsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    provider: providerAccountSchema,
    agents: {
      type: 'array',
      minItems: 1,
      maxItems: 64,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'role', 'capabilities'],
        properties: {
          name: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' },
          role: { enum: ['intent', 'capability'] },
          capabilities: { type: 'array', minItems: 1, maxItems: 16, items: capabilityId },
          description: { type: 'string', maxLength: 1000 },
        },
      },
    },
    comprehension: {
      oneOf: [
        { type: 'object', additionalProperties: false, required: ['engine'], properties: { engine: { const: 'offline' } } },
        {
          type: 'object',
          additionalProperties: false,
          required: ['engine', 'baseUrl', 'model'],
          properties: {
            engine: { const: 'chat-completions' },
            baseUrl: { type: 'string', pattern: '^https?://', maxLength: 512 },
            model: { type: 'string', minLength: 1, maxLength: 128 },
            apiKey: { type: 'string', maxLength: 512 },
            timeoutMs: { type: 'integer', minimum: 100, maximum: 120000 },
          },
        },
      ],
    },
    taskTimeoutMs: { type: 'integer', minimum: 10, maximum: 600000 },
    maxCandidates: { type: 'integer', minimum: 1, maximum: 16 },
    attemptsPerCandidate: { type: 'integer', minimum: 1, maximum: 5 },
    sessionIdleSeconds: { type: 'integer', minimum: 1, maximum: 3600 },
    intentRetentionSeconds: { type: 'integer', minimum: 1, maximum: 2592000 },
    deviceMeasurementTimeoutMs: { type: 'integer', minimum: 50, maximum: 10000 },
  },
} as const;
