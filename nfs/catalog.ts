/** Every NF the emulator has, in start order: the NRF first, since the others register with it. */
import type { NfDescriptor } from './shared/nf-host.ts';
import { capabilityAgentsDescriptor, intentAgentDescriptor } from './agent-nf/app.ts';
import { agwDescriptor } from './agw/app.ts';
import { amcDescriptor } from './amc/app.ts';
import { amfDescriptor } from './amf/app.ts';
import { nrfDescriptor } from './nrf/app.ts';

export const nfCatalog: readonly NfDescriptor[] = Object.freeze([nrfDescriptor, amcDescriptor, agwDescriptor, capabilityAgentsDescriptor, intentAgentDescriptor, amfDescriptor]);

export function findNf(name: string): NfDescriptor | undefined {
  return nfCatalog.find((nf) => nf.name === name);
}
