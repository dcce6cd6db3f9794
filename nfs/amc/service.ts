/** The AMC's procedures, composed from one file per service; no express or store engine here. */
import { createAuthorization } from './authorization.ts';
import { createCredentials, type CredentialsDeps } from './credentials.ts';
import { createProviders } from './providers.ts';

export async function createAmcService(deps: CredentialsDeps) {
  const providers = createProviders(deps);
  await providers.seedProviders(deps.settings.providers);
  const authorization = createAuthorization({ ...deps, providers });
  const credentials = createCredentials(deps);
  return { ...providers, ...authorization, ...credentials };
}

export type AmcService = Awaited<ReturnType<typeof createAmcService>>;
