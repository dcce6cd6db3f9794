/** Wire shapes of the AGW, generated from openapi/ (never hand-written; STYLE.md rule 5). */
import type { components as reg } from '../../openapi/generated/nagw-reg.ts';
import type { components as disc } from '../../openapi/generated/nagw-disc.ts';
import type { components as tax } from '../../openapi/generated/nagw-tax.ts';
import type { components as pol } from '../../openapi/generated/nagw-pol.ts';
import type { components as evts } from '../../openapi/generated/nagw-evts.ts';
import type { components as cred } from '../../openapi/generated/namc-cred.ts';

export type Acs = reg['schemas']['Acs'];
export type AgentKind = Acs['kind'];
export type CmState = reg['schemas']['CmState'];
export type AgentRecord = reg['schemas']['AgentRecord'];
export type RegistrationRequest = reg['schemas']['RegistrationRequest'];
export type RegistrationUpdate = reg['schemas']['RegistrationUpdate'];
export type RegistrationResult = reg['schemas']['RegistrationResult'];
export type Endpoints = reg['schemas']['Endpoints'];
export type DiscoveryAnswer = disc['schemas']['DiscoveryAnswer'];
export type DiscoveredAgent = disc['schemas']['DiscoveredAgent'];
export type Capability = tax['schemas']['Capability'];
export type CapabilityDefinition = tax['schemas']['CapabilityDefinition'];
export type PolicyRule = pol['schemas']['PolicyRule'];
export type PolicyRuleDefinition = pol['schemas']['PolicyRuleDefinition'];
export type GatewayEvent = evts['schemas']['GatewayEvent'];
export type CredentialEvent = cred['schemas']['CredentialEvent'];
