/** Wire shapes the AMF speaks, generated from openapi/ (never hand-written; STYLE.md rule 5). */
import type { components as nas } from '../../openapi/generated/namf-nas.ts';
import type { components as tip } from '../../openapi/generated/nagent-tip.ts';
import type { components as reg } from '../../openapi/generated/nagw-reg.ts';
import type { components as disc } from '../../openapi/generated/nagw-disc.ts';

type Schemas = nas['schemas'];
export type UplinkNasMessage = Schemas['UplinkNasMessage'];
export type DownlinkNasMessage = Schemas['DownlinkNasMessage'];
export type RegistrationRequest = Schemas['RegistrationRequest'];
export type AuthenticationRequest = Schemas['AuthenticationRequest'];
export type AuthenticationResponse = Schemas['AuthenticationResponse'];
export type RegistrationAccept = Schemas['RegistrationAccept'];
export type RegistrationReject = Schemas['RegistrationReject'];
export type RegistrationComplete = Schemas['RegistrationComplete'];
export type DeregistrationRequest = Schemas['DeregistrationRequest'];
export type DeregistrationAccept = Schemas['DeregistrationAccept'];
export type ServiceRequest = Schemas['ServiceRequest'];
export type ServiceAccept = Schemas['ServiceAccept'];
export type ServiceReject = Schemas['ServiceReject'];
export type UlNasTransport = Schemas['UlNasTransport'];
export type DlNasTransport = Schemas['DlNasTransport'];
export type FiveGmmStatus = Schemas['FiveGmmStatus'];
export type UeAgentResult = Schemas['UeAgentResult'];
export type IntentContainer = Schemas['IntentContainer'];
/** An uplink message sent under a security context. */
export type ProtectedUplinkMessage = RegistrationComplete | DeregistrationRequest | ServiceRequest | UlNasTransport;

export type IntentRequest = tip['schemas']['IntentRequest'];
export type IntentOutcome = tip['schemas']['IntentOutcome'];
export type Intent = tip['schemas']['Intent'];

export type AgentRegistrationRequest = reg['schemas']['RegistrationRequest'];
export type AgentRegistrationResult = reg['schemas']['RegistrationResult'];
export type DiscoveryAnswer = disc['schemas']['DiscoveryAnswer'];
