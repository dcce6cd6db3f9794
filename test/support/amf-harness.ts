/**
 * The test core (real NRF, AMC and AGW in this process, core-harness.ts) plus a real AMF on port 0
 * over the same store, and helpers that speak raw NAS to it: a registration done by hand, whose
 * security context a test can then use, abuse or forge.
 */
import { createAmf, type AmfDeps, type AmfHandle } from '../../nfs/amf/app.ts';
import { createLogger } from '../../nfs/shared/logger.ts';
import { listenNf } from '../../nfs/shared/nf-host.ts';
import { authenticationResponse, demoMasterSecret, nasIntegrityKey, protectNasMessage, subscriberKey } from '../../nfs/shared/ue-keys.ts';
import { startTestCore, type TestCore } from './core-harness.ts';
import { request } from './nrf-harness.ts';

export interface TestAmfCore extends TestCore {
  amf: AmfHandle;
  /** The AMF's API root, and its N1 endpoint. */
  amfUrl: string;
  n1Url: string;
}

/** A clock the AMF reads instead of Date.now, moved by the test. */
export function testClock(start = Date.now()) {
  let time = start;
  return { now: () => time, advance: (ms: number) => void (time += ms) };
}

export async function startTestAmfCore(options: { amf?: Partial<AmfDeps>; core?: Parameters<typeof startTestCore>[0] } = {}): Promise<TestAmfCore> {
  const core = await startTestCore(options.core);
  const amf = await createAmf({
    store: core.store,
    logger: createLogger({ nf: 'AMF', level: 'silent' }),
    nrfUri: core.nrfUrl,
    backgroundTimers: false,
    ...options.amf,
    // Each intent discovers afresh unless a test says otherwise, so tests see the AGW as it is now.
    settings: { intentDiscoveryCacheSeconds: 0, ...options.amf?.settings },
  });
  const listening = await listenNf(amf, { host: '127.0.0.1', port: 0 });
  return {
    ...core,
    amf,
    amfUrl: listening.apiRoot,
    n1Url: `${listening.apiRoot}/namf-nas/v1/n1-messages`,
    async close() {
      await listening.close();
      await core.close();
    },
  };
}

/** One uplink NAS message as it is given (an object is sent as JSON). */
export const sendNas = (n1Url: string, message: unknown, headers: Record<string, string> = {}) => request('POST', n1Url, message, headers);

export interface RawNasSession {
  supi: string;
  guti: string;
  ngKsi: number;
  kNasInt: Buffer;
  accept: any;
  /** The next uplink NAS COUNT protect() uses. */
  nextCount: number;
  /** The message with a securityHeader for the next uplink NAS COUNT. */
  protect(message: Record<string, unknown>): Record<string, unknown>;
}

/** Registration by hand: REGISTRATION REQUEST, AUTHENTICATION RESPONSE and, unless told not to, REGISTRATION COMPLETE. */
export async function registerByHand(
  n1Url: string,
  supi: string,
  options: { masterSecret?: string; ueAgent?: { csrPem: string; a2aUrl: string }; complete?: boolean } = {},
): Promise<RawNasSession> {
  const key = subscriberKey(options.masterSecret ?? demoMasterSecret, supi);
  const challenge = await sendNas(n1Url, { messageType: 'REGISTRATION_REQUEST', registrationType: 'INITIAL', supi, ...(options.ueAgent ? { ueAgent: options.ueAgent } : {}) });
  if (challenge.body?.messageType !== 'AUTHENTICATION_REQUEST') throw new Error(`no challenge: ${challenge.status} ${JSON.stringify(challenge.body)}`);
  const accept = await sendNas(n1Url, {
    messageType: 'AUTHENTICATION_RESPONSE',
    authenticationContextId: challenge.body.authenticationContextId,
    res: authenticationResponse(key, challenge.body.rand),
  });
  if (accept.body?.messageType !== 'REGISTRATION_ACCEPT') throw new Error(`no accept: ${accept.status} ${JSON.stringify(accept.body)}`);
  const session: RawNasSession = {
    supi,
    guti: accept.body.guti,
    ngKsi: challenge.body.ngKsi,
    kNasInt: nasIntegrityKey(key, challenge.body.rand),
    accept: accept.body,
    nextCount: 0,
    protect(message) {
      const protectedMessage = protectNasMessage({ guti: session.guti, ...message }, session.kNasInt, 'uplink', session.ngKsi, session.nextCount);
      session.nextCount += 1;
      return protectedMessage;
    },
  };
  if (options.complete !== false) {
    const complete = await sendNas(n1Url, session.protect({ messageType: 'REGISTRATION_COMPLETE' }));
    if (complete.status !== 204) throw new Error(`registration complete: ${complete.status} ${JSON.stringify(complete.body)}`);
  }
  return session;
}

/** An intent in UL NAS TRANSPORT, protected under the session. */
export const intentMessage = (session: RawNasSession, payloadContainer: Record<string, unknown>) =>
  session.protect({ messageType: 'UL_NAS_TRANSPORT', payloadContainerType: 'INTENT', payloadContainer });
