/** Builds the NFProfile an NF of ours registers (TS 29.510 clause 6.1.6.2.2) from where it listens. */
import type { NFProfile } from './nrf-client.ts';

export function buildNfProfile(options: {
  nfInstanceId: string;
  nfType: string;
  apiRoot: string;
  serviceNames: string[];
  heartBeatTimer?: number;
  locality?: string;
  extra?: Partial<NFProfile>;
}): NFProfile {
  const url = new URL(options.apiRoot);
  // An NFProfile carries an IP address or an FQDN; "localhost" is neither.
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const host = hostname === 'localhost' ? '127.0.0.1' : hostname;
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const isIpv4 = /^\d+\.\d+\.\d+\.\d+$/.test(host);
  const scheme = url.protocol === 'https:' ? 'https' : 'http';
  return {
    nfInstanceId: options.nfInstanceId,
    nfType: options.nfType,
    nfStatus: 'REGISTERED',
    heartBeatTimer: options.heartBeatTimer ?? 10,
    ...(isIpv4 ? { ipv4Addresses: [host] } : host.includes(':') ? { ipv6Addresses: [host] } : { fqdn: host }),
    ...(options.locality ? { locality: options.locality } : {}),
    nfServices: options.serviceNames.map((serviceName, index) => ({
      serviceInstanceId: `${serviceName}-${index}`,
      serviceName,
      versions: [{ apiVersionInUri: 'v1', apiFullVersion: '1.0.0' }],
      scheme,
      nfServiceStatus: 'REGISTERED',
      ipEndPoints: [{ ...(isIpv4 ? { ipv4Address: host } : {}), transport: 'TCP', port }],
    })),
    ...options.extra,
  } as NFProfile;
}
