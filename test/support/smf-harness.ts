/** The test core (real NRF, AMC and AGW, core-harness.ts) plus a real SMF on port 0 over the same store. */
import { createSmf, type SmfDeps, type SmfHandle } from '../../nfs/smf/app.ts';
import { createLogger } from '../../nfs/shared/logger.ts';
import { listenNf } from '../../nfs/shared/nf-host.ts';
import { startTestCore, type TestCore } from './core-harness.ts';

export interface TestSmfCore extends TestCore {
  smf: SmfHandle;
  smfUrl: string;
  /** http://host:port/nsmf-agentsession/v1 */
  sessionsApi: string;
}

export async function startTestSmfCore(options: { smf?: Partial<SmfDeps>; core?: Parameters<typeof startTestCore>[0] } = {}): Promise<TestSmfCore> {
  const core = await startTestCore(options.core);
  const smf = await createSmf({
    store: core.store,
    logger: createLogger({ nf: 'SMF', level: 'silent' }),
    nrfUri: core.nrfUrl,
    backgroundTimers: false,
    notifier: { minRetryDelayMs: 20 },
    ...options.smf,
  });
  const listening = await listenNf(smf, { host: '127.0.0.1', port: 0 });
  return {
    ...core,
    smf,
    smfUrl: listening.apiRoot,
    sessionsApi: `${listening.apiRoot}/nsmf-agentsession/v1`,
    async close() {
      await listening.close();
      await core.close();
    },
  };
}
