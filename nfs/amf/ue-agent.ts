/**
 * The UE's agent at the AGW, kept by the AMF on the UE's behalf (DMSC architecture draft, mobile
 * deployment: the NF that terminates NAS requests the AIC for the agent in the UE, and discovery
 * of that agent takes the UE's connection state into account; MACP section 5.1 ARP with
 * onBehalfOf). The AMF registers it with the UE's CSR (the key stays in the UE), reports every
 * CM state change, heartbeats it while the UE is CM-CONNECTED (the UE's NAS signalling is its
 * liveness) and deregisters it with the UE. What the AGW could not be told now is owed: the
 * context's agentDueAt brings the timers (timers.ts) back to it.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../shared/logger.ts';
import { ProblemError } from '../shared/problem.ts';
import type { Update } from '../shared/store/collection.ts';
import { UeAgentGoneError, type AgwConsumer } from './consumer.ts';
import type { AmfSettings } from './settings.ts';
import type { AmfStore, UeAgentRecord, UeContextDocument } from './store.ts';
import type { UeAgentResult } from './types.ts';

export interface UeAgentDeps {
  store: AmfStore;
  agw: AgwConsumer;
  settings: AmfSettings;
  logger: Logger;
  now: () => number;
}

export function createUeAgents(deps: UeAgentDeps) {
  const { store, agw, settings, logger, now } = deps;
  const retryAt = () => now() + settings.agwRetrySeconds * 1000;
  const heartbeatAt = (agent: UeAgentRecord) => now() + agent.heartbeatIntervalSeconds * 1000;

  /** Applies an update to the context only while it is still the one acted on (same registration). */
  const updateContext = (context: UeContextDocument, update: Update, extra: Record<string, unknown> = {}) =>
    store.ueContexts.findOneAndUpdate({ _id: context._id, guti: context.guti, ...extra }, update);

  return {
    /** ARP on the UE's behalf; the UE is registered whatever the AGW answers, and learns it from the result. */
    async register(supi: string, request: { csrPem: string; a2aUrl: string }): Promise<{ result: UeAgentResult; record?: UeAgentRecord }> {
      try {
        const registered = await agw.registerUeAgent({
          provider: settings.ueAgentProvider,
          agent: { name: 'ue-agent', version: '1.0.0', kind: 'ue-agent', description: 'Agent in the UE (UE OS layer agent), registered by the AMF on the UE\'s behalf' },
          requestedCapabilities: settings.ueAgentCapabilities,
          endpoints: { a2aUrl: request.a2aUrl },
          csrPem: request.csrPem,
          nonce: randomBytes(16).toString('base64url'),
          onBehalfOf: { supi, cmState: 'CM-CONNECTED' },
        });
        const record: UeAgentRecord = {
          aic: registered.aic,
          registrationAccessToken: registered.registrationAccessToken,
          heartbeatIntervalSeconds: registered.heartbeatIntervalSeconds,
          reportedCmState: 'CM-CONNECTED',
        };
        return {
          record,
          result: {
            status: 'REGISTERED',
            aic: registered.aic,
            certificatePem: registered.certificatePem,
            caCertificatePem: registered.caCertificatePem,
            registrationAccessToken: registered.registrationAccessToken,
            capabilityIds: registered.capabilityIds,
            heartbeatIntervalSeconds: registered.heartbeatIntervalSeconds,
          },
        };
      } catch (error) {
        // Whatever went wrong, the UE's registration goes on without its agent.
        const refused = error instanceof ProblemError && error.status < 500;
        logger.warn('UE agent not registered at the AGW', { supi, status: (error as ProblemError).status, error: (error as Error).message });
        return { result: { status: 'FAILED', detail: `${refused ? 'the AGW refused the UE agent' : 'the AGW could not be reached'}: ${(error as Error).message}`.slice(0, 500) } };
      }
    },

    /** Deregisters an agent at the AGW now; false when that failed (it is logged). */
    async release(agent: UeAgentRecord): Promise<boolean> {
      try {
        await agw.deregisterUeAgent(agent);
        return true;
      } catch (error) {
        logger.warn('UE agent deregistration at the AGW failed', { aic: agent.aic, error: (error as Error).message });
        return false;
      }
    },

    /**
     * Brings the AGW in line with the context: deregistration after the UE's, the CM state when
     * it changed (a heartbeat first when the UE is back, so it is live as soon as it is visible),
     * a heartbeat while CM-CONNECTED. Sets agentDueAt to when the next is owed, and returns the
     * context as updated (null when it changed meanwhile).
     */
    async upkeep(context: UeContextDocument): Promise<UeContextDocument | null> {
      const agent = context.ueAgent;
      if (!agent) return updateContext(context, { $unset: { agentDueAt: true } });
      try {
        if (context.rmState === 'RM-DEREGISTERED') {
          await agw.deregisterUeAgent(agent);
          return await updateContext(context, { $unset: { ueAgent: true, agentDueAt: true } });
        }
        if (context.cmState === 'CM-CONNECTED') await agw.heartbeat(agent);
        if (agent.reportedCmState !== context.cmState) {
          await agw.reportUeState(agent, context.cmState);
          const reported = await updateContext(
            context,
            context.cmState === 'CM-CONNECTED'
              ? { $set: { 'ueAgent.reportedCmState': context.cmState, agentDueAt: heartbeatAt(agent) } }
              : { $set: { 'ueAgent.reportedCmState': context.cmState }, $unset: { agentDueAt: true } },
            { cmState: context.cmState },
          );
          // The state changed again while it was reported: owe the AGW the new one.
          return reported ?? (await updateContext(context, { $set: { 'ueAgent.reportedCmState': context.cmState, agentDueAt: now() } }));
        }
        return await updateContext(context, context.cmState === 'CM-CONNECTED' ? { $set: { agentDueAt: heartbeatAt(agent) } } : { $unset: { agentDueAt: true } });
      } catch (error) {
        if (error instanceof UeAgentGoneError) {
          logger.warn('the AGW no longer knows the UE agent; the AMF forgets it', { aic: agent.aic, supi: context.supi });
          return updateContext(context, { $unset: { ueAgent: true, agentDueAt: true } });
        }
        logger.warn('AGW update for a UE agent failed; retrying later', { aic: agent.aic, supi: context.supi, error: (error as Error).message });
        return updateContext(context, { $set: { agentDueAt: retryAt() } });
      }
    },
  };
}

export type UeAgents = ReturnType<typeof createUeAgents>;
