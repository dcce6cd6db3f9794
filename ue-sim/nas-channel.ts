/**
 * The UE's side of the N1-like interface (openapi/namf-nas.yaml): the AMF is found through the
 * NRF, as the 5G-AN selects one (TS 23.501 clause 6.3.5; the simulator is UE and AN in one, and
 * asks as requester type UE), and each uplink NAS message is one POST whose answer is the
 * downlink one. Answers that are not NAS messages (400, 403, 413, 5xx) become NasTransportError.
 * node:http with the global agent's kept-alive connections: fetch costs the simulator several
 * times the CPU per message, which a load of thousands of UEs on one machine cannot spare.
 */
import type { components } from '../openapi/generated/namf-nas.ts';
import { postJson } from '../nfs/shared/json-post.ts';
import { createNrfClient, PeerError } from '../nfs/shared/nrf-client.ts';
import type { ProblemDetails } from '../nfs/shared/problem.ts';
import { compileBodyCheck, type BodyCheck } from '../nfs/shared/schema-validator.ts';
import { serviceUrisOf } from '../nfs/shared/sbi-client.ts';

export type UplinkNasMessage = components['schemas']['UplinkNasMessage'];
export type DownlinkNasMessage = components['schemas']['DownlinkNasMessage'];

/** The AMF answered with ProblemDetails instead of a NAS message: the message was not processed. */
export class NasTransportError extends Error {
  constructor(readonly status: number, readonly problem: ProblemDetails | undefined, url: string) {
    super(`the AMF at ${url} answered ${status}${problem?.detail ? `: ${problem.detail}` : ''}${problem?.cause ? ` (${problem.cause})` : ''}`);
    this.name = 'NasTransportError';
  }
}

/** No AMF could be found or reached. */
export class AmfUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AmfUnreachableError';
  }
}

/** The namf-nas base URI (`http://host:port/namf-nas/v1`) of the first AMF the NRF names. */
export async function discoverAmf(nrfUri: string, timeoutMs = 5000): Promise<string> {
  let found: string | undefined;
  try {
    const result = await createNrfClient({ nrfUri, timeoutMs }).discover({ targetNfType: 'AMF', requesterNfType: 'UE', serviceNames: ['namf-nas'] });
    found = result.nfInstances.flatMap((profile) => serviceUrisOf(profile, 'namf-nas'))[0];
  } catch (error) {
    // A UE holds no NRF token: a core started with --oauth is reached at the AMF's own address.
    const hint = error instanceof PeerError && error.peerStatus === 401 ? ' (the core demands access tokens, --oauth: give the AMF\'s address with --amf)' : '';
    throw new AmfUnreachableError(`AMF discovery at the NRF ${nrfUri} failed${hint}: ${(error as Error).message}`);
  }
  if (!found) throw new AmfUnreachableError(`no AMF offering namf-nas is registered with the NRF at ${nrfUri}`);
  return found;
}

export interface NasChannel {
  /** Sends one uplink message; resolves with the downlink answer, or undefined when there is none (204). */
  send(message: UplinkNasMessage): Promise<DownlinkNasMessage | undefined>;
}

/** The check of a downlink message against namf-nas.yaml, compiled once per process. */
let downlinkCheck: Promise<BodyCheck> | undefined;

export function createNasChannel(options: { amfUri: () => Promise<string>; onUnreachable?: () => void; timeoutMs: number }): NasChannel {
  downlinkCheck ??= compileBodyCheck('namf-nas.yaml', 'DownlinkNasMessage', { discriminator: true });
  return {
    async send(message) {
      const url = `${await options.amfUri()}/n1-messages`;
      let res: { status: number; data: unknown };
      try {
        res = await postJson(url, message, { timeoutMs: options.timeoutMs });
      } catch (error) {
        options.onUnreachable?.();
        const code = (error as { code?: string }).code;
        throw new AmfUnreachableError(`cannot reach the AMF at ${url}: ${code && code !== 'ETIMEDOUT' ? code : (error as Error).message}`);
      }
      if (res.status === 204) return undefined;
      if (res.status !== 200) throw new NasTransportError(res.status, res.data as ProblemDetails | undefined, url);
      // What answers at a wrong --amf (a proxy's page, another service) is named, not read as NAS.
      const [problem] = (await downlinkCheck!)(res.data);
      if (problem) throw new NasTransportError(200, { detail: `not a NAS message (${problem.path.replace(/^\/body/, '') || 'the answer'} ${problem.message}): is it the AMF?` }, url);
      return res.data as DownlinkNasMessage;
    },
  };
}

/** One POST of JSON; rejects on a network error or when no answer comes within timeoutMs. */
