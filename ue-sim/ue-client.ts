/**
 * One simulated UE speaking NAS to the AMF (openapi/namf-nas.yaml): registration with
 * authentication, service request, intents in UL NAS TRANSPORT, deregistration. The UE holds K
 * (derived from the SUPI, nfs/shared/ue-keys.ts), answers the challenge, checks that the
 * REGISTRATION ACCEPT is protected under the K_NASint only the network could also derive, and
 * from then on protects every message and checks every protected answer (ue-security.ts).
 *
 * Its agent: a UE with an agent (hasAgent, the default) makes the agent's key pair and CSR once
 * and sends the CSR with every registration; the key never leaves the UE. Whether the AMF obtains
 * an AIC for it is the subscription's business: the REGISTRATION ACCEPT says what became of it.
 * With serveAgent, the UE opens its agent's A2A endpoint (ue-agent-endpoint.ts) when it registers,
 * names it as the agent's a2aUrl, serves it under the AIC the accept gives, and stops it when the UE
 * deregisters or the client closes.
 *
 * One NAS procedure at a time, as a UE runs them: calls made together are queued.
 */
import type { components as nas } from '../openapi/generated/namf-nas.ts';
import type { components as tip } from '../openapi/generated/nagent-tip.ts';
import { createAgentKeyAndCsr, type AgentKeyAndCsr } from '../nfs/shared/agent-credentials.ts';
import { authenticationResponse, demoMasterSecret, subscriberKey } from '../nfs/shared/ue-keys.ts';
import { startUeAgentEndpoint, type UeAgentEndpoint } from './ue-agent-endpoint.ts';
import { createNasChannel, discoverAmf, type DownlinkNasMessage } from './nas-channel.ts';
import { NasRejectError, createUeSecurity, type UeSecurity } from './ue-security.ts';

export type IntentOutcome = tip['schemas']['IntentOutcome'];
export type Intent = tip['schemas']['Intent'];
export type UeAgentResult = nas['schemas']['UeAgentResult'];
/**
 * Turns natural language into an operator-defined intent on the UE (optional, DMSC architecture
 * draft); undefined when it cannot, and the text goes to the network as it was written.
 */
export type IntentConverter = (text: string) => Intent | undefined | Promise<Intent | undefined>;
export type Timings = Record<string, number>;

export interface UeClientOptions {
  nrfUri: string;
  supi: string;
  /** The master secret the AMF derives K with; the public demonstration one by default. */
  masterSecret?: string;
  /** The UE has an agent and sends its CSR at registration (default true). */
  hasAgent?: boolean;
  /** The UE agent's A2A endpoint, as registered at the AGW, when the UE does not serve one itself. */
  agentA2aUrl?: string;
  /** Serve the UE agent's A2A endpoint on a local port (loopback and any free port by default). */
  serveAgent?: boolean | { host?: string; port?: number; advertiseHost?: string };
  /** Used when the subscription converts intents on the UE; text is sent otherwise. */
  convertIntent?: IntentConverter;
  /** The AMF's namf-nas base URI, when it is not to be discovered through the NRF. */
  amfUri?: string;
  /** The SMF's and the AMC's addresses for the UE's agent, when they are not to be discovered through the NRF. */
  nfAddresses?: Readonly<Partial<Record<'SMF' | 'AMC', string>>>;
  /** Longest wait for one downlink answer (an intent's takes a whole workflow), ms. */
  timeoutMs?: number;
}

export interface UeRegistration {
  guti: string;
  /** The UE agent's AIC, when the AMF obtained one. */
  aic?: string;
  ueAgent: UeAgentResult;
  intentConversionOnUe: boolean;
  timings: Timings;
}

export interface UeIntentExchange {
  outcome: IntentOutcome;
  sentAs: 'text' | 'operatorIntent';
  operatorIntent?: Intent;
  /** 90 when no intent agent could take the intent. */
  fiveGmmCause?: number;
  timings: Timings;
}

export interface UeState {
  rmState: 'RM-REGISTERED' | 'RM-DEREGISTERED';
  /** As the UE believes: the AMF may have released it to CM-IDLE since. */
  cmState: 'CM-CONNECTED' | 'CM-IDLE';
  guti?: string;
  ueAgent?: UeAgentResult;
  intentConversionOnUe?: boolean;
}

export interface UeClient {
  readonly supi: string;
  state(): UeState;
  /** The UE agent's key material (its private key stays here), once made. */
  agentKey(): AgentKeyAndCsr | undefined;
  register(): Promise<UeRegistration>;
  serviceRequest(): Promise<Timings>;
  /** Registers first when needed; after CM-IDLE sends a service request; returns the network's outcome. */
  sendIntent(text: string): Promise<IntentOutcome>;
  /** sendIntent with how it went: what was sent, the 5GMM cause if any, and the timings. */
  sendIntentDetailed(text: string): Promise<UeIntentExchange>;
  deregister(): Promise<void>;
  /** deregister with its timing. */
  deregisterDetailed(): Promise<Timings>;
  /** The UE agent's A2A endpoint while it is open (serveAgent). */
  agentEndpoint(): UeAgentEndpoint | undefined;
  /** Stops the UE agent's endpoint; the UE's registration is left as it is. */
  close(): Promise<void>;
}

const since = (started: number) => Math.round((performance.now() - started) * 100) / 100;

export function createUeClient(options: UeClientOptions): UeClient {
  const { supi } = options;
  const key = subscriberKey(options.masterSecret ?? demoMasterSecret, supi);
  let amfUri = options.amfUri;
  const channel = createNasChannel({
    amfUri: async () => (amfUri ??= await discoverAmf(options.nrfUri)),
    // A vanished AMF may be replaced by another: look it up again next time.
    onUnreachable: () => {
      if (!options.amfUri) amfUri = undefined;
    },
    timeoutMs: options.timeoutMs ?? 60_000,
  });
  let agentKey: Promise<AgentKeyAndCsr> | undefined;
  let agentKeyMade: AgentKeyAndCsr | undefined;
  let security: UeSecurity | undefined;
  let state: UeState = { rmState: 'RM-DEREGISTERED', cmState: 'CM-IDLE' };
  let queue: Promise<unknown> = Promise.resolve();
  let endpoint: Promise<UeAgentEndpoint> | undefined;
  let endpointOpen: UeAgentEndpoint | undefined;
  const serveAt = options.serveAgent === true ? {} : options.serveAgent || undefined;

  async function openEndpoint(): Promise<UeAgentEndpoint> {
    endpoint ??= startUeAgentEndpoint({ supi, nrfUri: options.nrfUri, nfAddresses: options.nfAddresses, ...serveAt });
    try {
      endpointOpen = await endpoint;
    } catch (error) {
      endpoint = undefined;
      throw error;
    }
    return endpointOpen;
  }

  async function closeEndpoint(): Promise<void> {
    const open = endpoint;
    endpoint = undefined;
    endpointOpen = undefined;
    await (await open?.catch(() => undefined))?.close();
  }

  /** One NAS procedure at a time. */
  const exclusive = <T>(procedure: () => Promise<T>): Promise<T> => {
    const run = queue.then(procedure, procedure);
    queue = run.catch(() => undefined);
    return run;
  };

  const deregistered = () => {
    endpointOpen?.detach();
    security = undefined;
    state = { rmState: 'RM-DEREGISTERED', cmState: 'CM-IDLE' };
  };

  async function protectedExchange(message: Parameters<UeSecurity['protect']>[0]): Promise<DownlinkNasMessage | undefined> {
    if (!security) throw new Error(`${supi} is not registered`);
    const answer = await channel.send(security.protect(message));
    return answer && security.check(answer);
  }

  async function register(): Promise<UeRegistration> {
    const started = performance.now();
    const timings: Timings = {};
    let ueAgentRequest: { csrPem: string; a2aUrl: string } | undefined;
    if (options.hasAgent !== false) {
      const keyStarted = performance.now();
      agentKey ??= createAgentKeyAndCsr({ commonName: `ue-agent ${supi}` });
      agentKeyMade = await agentKey;
      const a2aUrl = serveAt ? (await openEndpoint()).a2aUrl : (options.agentA2aUrl ?? `http://127.0.0.1:9/ue-agents/${supi}/a2a`);
      ueAgentRequest = { csrPem: agentKeyMade.csrPem, a2aUrl };
      timings.agentKeyMs = since(keyStarted);
    }
    const authStarted = performance.now();
    const challenge = await channel.send({ messageType: 'REGISTRATION_REQUEST', registrationType: 'INITIAL', supi, ...(ueAgentRequest ? { ueAgent: ueAgentRequest } : {}) });
    if (challenge?.messageType !== 'AUTHENTICATION_REQUEST') throw NasRejectError.of('registration', challenge);
    const accept = await channel.send({
      messageType: 'AUTHENTICATION_RESPONSE',
      authenticationContextId: challenge.authenticationContextId,
      res: authenticationResponse(key, challenge.rand),
    });
    if (accept?.messageType !== 'REGISTRATION_ACCEPT') throw NasRejectError.of('registration', accept);
    timings.authenticationMs = since(authStarted);
    // Throws unless the accept is protected under the K_NASint of this RAND: the network knows K.
    security = createUeSecurity({ key, rand: challenge.rand, ngKsi: challenge.ngKsi, accept });
    state = { rmState: 'RM-REGISTERED', cmState: 'CM-CONNECTED', guti: accept.guti, ueAgent: accept.ueAgent, intentConversionOnUe: accept.intentConversionOnUe };
    const { aic, caCertificatePem, certificatePem, capabilityIds } = accept.ueAgent;
    if (endpointOpen && agentKeyMade && accept.ueAgent.status === 'REGISTERED' && aic && caCertificatePem && certificatePem) {
      endpointOpen.attach({ aic, caCertificatePem, capabilityIds: capabilityIds ?? [], credential: { aic, certificatePem, privateKey: agentKeyMade.keys.privateKey } });
    }
    // The network made no agent of it: nothing may reach the UE on that port.
    else if (endpointOpen) await closeEndpoint();
    const complete = await protectedExchange({ messageType: 'REGISTRATION_COMPLETE', guti: accept.guti });
    if (complete !== undefined) throw NasRejectError.of('registration', complete);
    timings.registrationMs = since(started);
    return { guti: accept.guti, ...(accept.ueAgent.aic ? { aic: accept.ueAgent.aic } : {}), ueAgent: accept.ueAgent, intentConversionOnUe: accept.intentConversionOnUe, timings };
  }

  async function serviceRequest(): Promise<Timings> {
    const started = performance.now();
    const answer = await protectedExchange({ messageType: 'SERVICE_REQUEST', guti: state.guti!, serviceType: 'SIGNALLING' });
    if (answer?.messageType !== 'SERVICE_ACCEPT') {
      if (answer?.messageType === 'SERVICE_REJECT' && (answer.fiveGmmCause === 9 || answer.fiveGmmCause === 10)) deregistered();
      throw NasRejectError.of('service request', answer);
    }
    state = { ...state, cmState: 'CM-CONNECTED' };
    return { serviceRequestMs: since(started) };
  }

  async function sendIntentDetailed(text: string): Promise<UeIntentExchange> {
    const started = performance.now();
    const timings: Timings = {};
    if (state.rmState !== 'RM-REGISTERED') Object.assign(timings, (await register()).timings);
    let operatorIntent: Intent | undefined;
    if (state.intentConversionOnUe && options.convertIntent) {
      const conversionStarted = performance.now();
      operatorIntent = (await options.convertIntent(text)) ?? undefined;
      timings.conversionMs = since(conversionStarted);
    }
    const payloadContainer = operatorIntent ? { operatorIntent } : { text };
    const send = () => protectedExchange({ messageType: 'UL_NAS_TRANSPORT', guti: state.guti!, payloadContainerType: 'INTENT', payloadContainer });
    const intentStarted = performance.now();
    let answer = await send();
    if (answer?.messageType === '5GMM_STATUS' && answer.fiveGmmCause === 98) {
      // The AMF released the UE to CM-IDLE: back to CM-CONNECTED, then the intent again.
      state = { ...state, cmState: 'CM-IDLE' };
      Object.assign(timings, await serviceRequest());
      answer = await send();
    } else if (answer?.messageType === '5GMM_STATUS' && (answer.fiveGmmCause === 9 || answer.fiveGmmCause === 10)) {
      // The network holds no registration for the UE: register again (clause 5.6.1.5), then the intent.
      deregistered();
      Object.assign(timings, (await register()).timings);
      answer = await send();
    }
    if (answer?.messageType !== 'DL_NAS_TRANSPORT') throw NasRejectError.of('intent', answer);
    timings.intentMs = since(intentStarted);
    timings.totalMs = since(started);
    return {
      outcome: answer.payloadContainer,
      sentAs: operatorIntent ? 'operatorIntent' : 'text',
      ...(operatorIntent ? { operatorIntent } : {}),
      ...(answer.fiveGmmCause !== undefined ? { fiveGmmCause: answer.fiveGmmCause } : {}),
      timings,
    };
  }

  async function deregister(): Promise<Timings> {
    const started = performance.now();
    if (state.rmState !== 'RM-REGISTERED') return { deregistrationMs: 0 };
    const answer = await protectedExchange({ messageType: 'DEREGISTRATION_REQUEST', guti: state.guti! });
    // #9 and #10: the network had deregistered the UE already, which is what was asked.
    if (answer?.messageType !== 'DEREGISTRATION_ACCEPT' && !(answer?.messageType === '5GMM_STATUS' && [9, 10].includes(answer.fiveGmmCause))) {
      throw NasRejectError.of('deregistration', answer);
    }
    deregistered();
    await closeEndpoint();
    return { deregistrationMs: since(started) };
  }

  return {
    supi,
    state: () => ({ ...state }),
    agentKey: () => agentKeyMade,
    register: () => exclusive(register),
    serviceRequest: () => exclusive(serviceRequest),
    sendIntent: async (text) => (await exclusive(() => sendIntentDetailed(text))).outcome,
    sendIntentDetailed: (text) => exclusive(() => sendIntentDetailed(text)),
    deregister: async () => void (await exclusive(deregister)),
    deregisterDetailed: () => exclusive(deregister),
    agentEndpoint: () => endpointOpen,
    close: () => exclusive(closeEndpoint),
  };
}
