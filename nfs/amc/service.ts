/** The AMC's procedures, composed from one file per service; no express or store engine here. */
import type { Logger } from '../shared/logger.ts';
import { audited } from './audit.ts';
import { createAuthorization } from './authorization.ts';
import { createCredentials, type CredentialsDeps } from './credentials.ts';
import { createProviders } from './providers.ts';
import { createSubscriptions } from './subscriptions.ts';

export async function createAmcService(deps: CredentialsDeps & { logger: Logger }) {
  const providers = createProviders(deps);
  await providers.seedProviders(deps.settings.providers);
  const authorization = createAuthorization({ ...deps, providers });
  const credentials = createCredentials(deps);
  const { logger } = deps;
  const statusChange = (args: [string, string?, string?], result?: { aic: string; status: string }) => ({
    serialNumber: args[0],
    ...(args[1] ? { reason: args[1] } : {}),
    ...(args[2] ? { onlyIfStatus: args[2] } : {}),
    ...(result ? { aic: result.aic, status: result.status } : {}),
  });
  return {
    ...providers,
    ...authorization,
    ...credentials,
    ...createSubscriptions(deps),
    // Every decision on an agent's identity leaves an event line (audit.ts); never the provider's secret.
    authorize: audited(logger, 'aaap.authorization', authorization.authorize, ([request], decision) => ({
      providerId: request?.provider?.providerId,
      gatewayNfInstanceId: request?.gateway?.nfInstanceId,
      ...(decision ? { outcome: decision.decision === 'GRANT' ? 'success' : 'refused', cause: decision.cause, grantId: decision.grantId, grantedCapabilities: decision.grantedCapabilities } : {}),
    })),
    issueCredential: audited(logger, 'credential.issued', credentials.issueCredential, ([request], issued) => ({
      aic: request?.aic,
      grantId: request?.grantId,
      ...(issued ? { serialNumber: issued.serialNumber } : {}),
    })),
    renewCredential: audited(logger, 'credential.renewed', credentials.renewCredential, ([serialNumber], renewed) => ({
      serialNumber,
      ...(renewed ? { aic: renewed.aic, renewedTo: renewed.serialNumber } : {}),
    })),
    suspendCredential: audited(logger, 'credential.suspended', credentials.suspendCredential, statusChange),
    resumeCredential: audited(logger, 'credential.resumed', credentials.resumeCredential, statusChange),
    revokeCredential: audited(logger, 'credential.revoked', credentials.revokeCredential, statusChange),
  };
}

export type AmcService = Awaited<ReturnType<typeof createAmcService>>;
