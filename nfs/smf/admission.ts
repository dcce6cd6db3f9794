/**
 * What the SMF asks the AGW before it authorizes a session (DMSC architecture draft, mobile
 * deployment; MACP "Agent-to-Agent Process"): the target is registered, ACTIVE (live, credential
 * good and, for a UE's agent, CM-CONNECTED) and holds the capability; the initiator is registered
 * and ACTIVE; and policy lets this initiator reach the target for this capability.
 */
import { badRequest, conflict, forbidden, notFound } from '../shared/problem.ts';
import type { AgentRecord, AgwConsumer } from './consumer.ts';

export interface AdmittedPair {
  initiator: AgentRecord;
  target: AgentRecord;
}

export async function admitSession(agw: AgwConsumer, request: { initiatorAic: string; targetAic: string; capabilityId: string }): Promise<AdmittedPair> {
  const [target, initiator] = await Promise.all([agw.getRegistration(request.targetAic), agw.getRegistration(request.initiatorAic)]);
  if (!target) throw notFound(`the target agent ${request.targetAic} is not registered`, 'TARGET_AGENT_NOT_FOUND');
  if (!initiator) throw notFound(`the initiator agent ${request.initiatorAic} is not registered`, 'INITIATOR_AGENT_NOT_FOUND');
  if (target.aic === initiator.aic) throw badRequest('an agent cannot open a session to itself', [{ param: '/targetAic', reason: 'same agent as initiatorAic' }], 'SAME_AGENT');

  checkState(target, 'target');
  checkState(initiator, 'initiator');
  if (!target.capabilities.includes(request.capabilityId)) {
    throw forbidden(`the target agent ${target.aic} does not hold ${request.capabilityId}`, 'CAPABILITY_NOT_HELD');
  }
  const reach = await agw.checkReach(initiator.aic, target.aic, request.capabilityId);
  if (!reach.allowed) {
    if (reach.reason === 'POLICY_DENIED') throw forbidden(`policy denies ${initiator.aic} a session with ${target.aic} for ${request.capabilityId}: ${reach.detail}`, 'POLICY_DENIED');
    // It was ACTIVE a moment ago; the gateway no longer answers it.
    throw conflict(`the target agent ${target.aic} is not reachable: ${reach.detail}`, 'TARGET_NOT_REACHABLE');
  }
  return { initiator, target };
}

function checkState(agent: AgentRecord, role: 'target' | 'initiator'): void {
  const upper = role.toUpperCase();
  switch (agent.state) {
    case 'ACTIVE':
      return;
    case 'UE_IDLE':
      throw conflict(`the ${role} agent ${agent.aic} belongs to a UE in CM-IDLE`, `${upper}_NOT_REACHABLE`);
    case 'STALE':
      throw conflict(`the ${role} agent ${agent.aic} missed its heartbeats (STALE)`, `${upper}_NOT_REACHABLE`);
    default:
      throw forbidden(`the ${role} agent ${agent.aic} has a ${agent.state} credential`, `${upper}_CREDENTIAL_${agent.state}`);
  }
}
