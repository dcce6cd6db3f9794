/** The AMC's tunables and the accounts and peers it starts with. */
import { ConfigError } from '../shared/config.ts';
import { AGENT_KINDS, type AgentKind } from './providers.ts';

export interface ProviderSeed {
  providerId: string;
  name: string;
  clientSecret: string;
  allowedCapabilities: string[];
  /** Every kind when absent. */
  allowedAgentKinds?: AgentKind[];
}

export interface AmcSettings {
  /** The operator domain this AMC serves (the AIC's registration service provider). */
  domain: string;
  caCommonName: string;
  caValidityDays: number;
  credentialValidityDays: number;
  /** A grant not used for issuance within this time lapses, seconds. */
  grantLifetimeSeconds: number;
  /** nextUpdate of each CRL, seconds after it is made (RFC 5280 section 5.1.2.5). */
  crlValiditySeconds: number;
  /** Accounts created at first start when they do not exist yet. */
  providers: ProviderSeed[];
  /** CAs of peer domains, published with ours as trust anchors. */
  peerTrustAnchors: Array<{ domain: string; certificatePem: string }>;
}

/**
 * The emulator's demonstration accounts: the operator's own NF agents, the AMF registering UE
 * agents (of kind ue-agent alone), and a third party limited to two capabilities and to
 * third-party agents. Their secrets are public by design; a testbed configures its own.
 */
export const demoProviders: readonly ProviderSeed[] = Object.freeze([
  { providerId: 'operator-core', name: 'Operator core network agents', clientSecret: 'operator-core-demo-secret', allowedCapabilities: ['*'] },
  { providerId: 'operator-amf', name: 'AMF, on behalf of UE agents', clientSecret: 'operator-amf-demo-secret', allowedCapabilities: ['/capability/ue-measurement', '/capability/personal-assistant'], allowedAgentKinds: ['ue-agent'] },
  { providerId: 'acme-agents', name: 'ACME third-party agents', clientSecret: 'acme-agents-demo-secret', allowedCapabilities: ['/capability/billing-plan', '/capability/knowledge-qa'], allowedAgentKinds: ['third-party'] },
]);

export const defaultAmcSettings: AmcSettings = Object.freeze({
  domain: 'operator.example',
  caCommonName: 'dmsc-core AMC CA operator.example',
  caValidityDays: 3650,
  credentialValidityDays: 30,
  grantLifetimeSeconds: 300,
  crlValiditySeconds: 3600,
  providers: [...demoProviders],
  peerTrustAnchors: [],
});

/**
 * What the schema cannot say: a certificate does not outlive its CA (RFC 5280 section 6.1.3
 * checks every certificate of a path for validity), so credentials are issued for less time than
 * the CA certificate made with these settings is valid. A CA kept from an earlier start may end
 * sooner; issuance shortens a credential to it (credentials.ts).
 */
export function checkAmcSettings(settings: AmcSettings): AmcSettings {
  if (settings.credentialValidityDays >= settings.caValidityDays) {
    throw new ConfigError(`amc.credentialValidityDays (${settings.credentialValidityDays}) must be below amc.caValidityDays (${settings.caValidityDays}): no credential may outlive the CA that issues it`);
  }
  return settings;
}

/** What a settings file may set for the AMC (settings-file.ts). */
export const amcSettingsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    domain: { type: 'string', minLength: 1, maxLength: 128 },
    caCommonName: { type: 'string', minLength: 1, maxLength: 64 },
    caValidityDays: { type: 'integer', minimum: 1, maximum: 36500 },
    credentialValidityDays: { type: 'integer', minimum: 1, maximum: 3650 },
    grantLifetimeSeconds: { type: 'integer', minimum: 1, maximum: 86400 },
    crlValiditySeconds: { type: 'integer', minimum: 60, maximum: 604800 },
    providers: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['providerId', 'name', 'clientSecret', 'allowedCapabilities'],
        properties: {
          providerId: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{1,62}$' },
          name: { type: 'string', minLength: 1, maxLength: 128 },
          clientSecret: { type: 'string', minLength: 16, maxLength: 128 },
          allowedCapabilities: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^(\\*|/capability/[a-z0-9][a-z0-9-]{0,62})$' } },
          allowedAgentKinds: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: [...AGENT_KINDS] } },
        },
      },
    },
    peerTrustAnchors: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['domain', 'certificatePem'],
        properties: { domain: { type: 'string', minLength: 1 }, certificatePem: { type: 'string', pattern: '-----BEGIN CERTIFICATE-----' } },
      },
    },
  },
} as const;
