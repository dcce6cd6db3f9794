/** Wire shapes of nsmf-agentsession, from the generated types (OpenAPI first). */
import type { components } from '../../openapi/generated/nsmf-agentsession.ts';

type Schemas = components['schemas'];
export type AgentSession = Schemas['AgentSession'];
export type SessionState = Schemas['SessionState'];
export type Operation = Schemas['Operation'];
export type AiTrafficQos = Schemas['AiTrafficQos'];
export type NotificationUris = Schemas['NotificationUris'];
export type SessionCreateData = Schemas['SessionCreateData'];
export type SessionEstablishData = Schemas['SessionEstablishData'];
export type SessionModifyData = Schemas['SessionModifyData'];
export type SessionReleaseData = Schemas['SessionReleaseData'];
export type SessionEvent = Schemas['SessionEvent'];
export type SessionEventNotification = Schemas['SessionEventNotification'];
