/** Agents that act on SMF sessions in tests: registered at the AGW, signing their SMF calls as agents do. */
import { expect } from 'chai';
import { createAgentCallSigner, type AgentIdentity } from '../../nfs/shared/agent-auth.ts';
import { SMF_CALL_AUDIENCE, smfCallTaskId } from '../../nfs/shared/a2a/session/session-authority.ts';
import { registerAgent } from './core-harness.ts';

export type SmfOperation = Parameters<typeof smfCallTaskId>[0];

/** Registers an agent and returns its identity (AIC, AMC certificate, private key). */
export async function registerIdentity(agwUrl: string, input: Parameters<typeof registerAgent>[1]): Promise<AgentIdentity> {
  const res = await registerAgent(agwUrl, input);
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  return { aic: res.body.aic, certificatePem: res.body.certificatePem, privateKey: res.key.keys.privateKey };
}

/** `Authorization` for one SMF operation by `agent`: subject is the target AIC (create) or the session id. */
export async function smfAuthorization(agent: AgentIdentity, operation: SmfOperation, subject: string, capabilityId: string, audience = SMF_CALL_AUDIENCE): Promise<string> {
  return `Bearer ${await createAgentCallSigner(agent).sign({ audience, capabilityId, taskId: smfCallTaskId(operation, subject) })}`;
}

export const operationOf: Record<string, SmfOperation> = { establish: 'EstablishAgentSession', modify: 'UpdateAgentSession', release: 'ReleaseAgentSession' };
