/**
 * The UE's connection and registration after the initial registration: the service request
 * (TS 24.501 clause 5.6.1; TS 23.502 clause 4.2.3.2) that brings it from CM-IDLE to CM-CONNECTED,
 * and the UE-originating deregistration (TS 24.501 clause 5.5.2.2; TS 23.502 clause 4.2.2.3.2).
 * The UE agent's state at the AGW follows, before the answer goes back, so whoever discovers
 * agents sees what the UE just did.
 */
import { causeOf, FiveGmmCause, status } from './fivegmm-cause.ts';
import { connectedChanges, type ProcedureDeps } from './procedure-deps.ts';
import type { DeregistrationAccept, DeregistrationRequest, FiveGmmStatus, ServiceAccept, ServiceReject, ServiceRequest } from './types.ts';

export function createConnection(deps: ProcedureDeps) {
  const { security, ueAgents, timers, now } = deps;

  return {
    async serviceRequest(message: ServiceRequest): Promise<ServiceAccept | ServiceReject> {
      const verdict = await security.acceptUplink(message, (context) => connectedChanges(context, deps));
      // Clause 5.6.1.5: #9 and #10 send the UE to a new initial registration.
      if (verdict.kind === 'unknown') {
        return { messageType: 'SERVICE_REJECT', ...causeOf(FiveGmmCause.UE_IDENTITY_CANNOT_BE_DERIVED, 'no UE context has this 5G-GUTI: register again') };
      }
      if (verdict.kind === 'deregistered') {
        return { messageType: 'SERVICE_REJECT', ...causeOf(FiveGmmCause.IMPLICITLY_DEREGISTERED, 'this 5G-GUTI\'s registration has ended: register again') };
      }
      let { context } = verdict;
      if (context.ueAgent && context.agentDueAt !== undefined && context.agentDueAt <= now()) context = (await ueAgents.upkeep(context)) ?? context;
      await timers.rescheduleIfSooner(verdict.previous, context);
      return verdict.downlink<ServiceAccept>({ messageType: 'SERVICE_ACCEPT' } as ServiceAccept);
    },

    async deregistrationRequest(message: DeregistrationRequest): Promise<DeregistrationAccept | FiveGmmStatus> {
      // The context stays as RM-DEREGISTERED, so its 5G-GUTI answers #10 rather than #9.
      const verdict = await security.acceptUplink(message, (context) => ({
        $set: { rmState: 'RM-DEREGISTERED', cmState: 'CM-IDLE', ...(context.ueAgent ? { agentDueAt: now() } : {}) },
      }));
      if (verdict.kind === 'unknown') return status(FiveGmmCause.UE_IDENTITY_CANNOT_BE_DERIVED, 'no UE context has this 5G-GUTI');
      if (verdict.kind === 'deregistered') return status(FiveGmmCause.IMPLICITLY_DEREGISTERED, 'this 5G-GUTI is deregistered already');
      // The agent leaves the AGW with its UE; if the AGW cannot be reached the timers try again.
      const context = verdict.context.ueAgent ? ((await ueAgents.upkeep(verdict.context)) ?? verdict.context) : verdict.context;
      await timers.rescheduleIfSooner(verdict.previous, context);
      return verdict.downlink<DeregistrationAccept>({ messageType: 'DEREGISTRATION_ACCEPT' } as DeregistrationAccept);
    },
  };
}

export type Connection = ReturnType<typeof createConnection>;
