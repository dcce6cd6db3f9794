/** Every NF the emulator has, in start order: the NRF first, since the others register with it. */
import type { NfDescriptor } from './shared/nf-host.ts';
import { capabilityAgentsDescriptor, intentAgentDescriptor } from './agent-nf/app.ts';
import { agwDescriptor } from './agw/app.ts';
import { amcDescriptor } from './amc/app.ts';
import { createAmfDescriptor } from './amf/app.ts';
import { createLocalIntentAgent } from './shared/intent/local-intent-agent.ts';
import { createIntentCallerCheck } from './shared/intent-caller-check.ts';
import { nrfDescriptor } from './nrf/app.ts';
import { smfDescriptor } from './smf/app.ts';

/** The AMF; with amf.mode local it comprehends intents itself through its own registered intent agent. */
const amfWithLocalMode = createAmfDescriptor({
  localIntentHandler: (context) =>
    createLocalIntentAgent({
      nrfUri: context.nrfUri,
      logger: context.logger,
      host: { nfType: 'AMF' },
      provider: (context.settings as { intentAgentProvider?: { providerId: string; clientSecret: string } } | undefined)?.intentAgentProvider,
      intentCallers: context.oauth ? createIntentCallerCheck({ nrfUri: context.nrfUri, audience: ['AMF', 'AGENT_NF'] }) : undefined,
    }),
});

export const nfCatalog: readonly NfDescriptor[] = Object.freeze([nrfDescriptor, amcDescriptor, agwDescriptor, smfDescriptor, capabilityAgentsDescriptor, intentAgentDescriptor, amfWithLocalMode]);

export function findNf(name: string): NfDescriptor | undefined {
  return nfCatalog.find((nf) => nf.name === name);
}
