/** The AMF's tunables and provisioning; defaults suit a laptop run, tests shorten the timers. */
import { providerAccountSchema } from '../shared/settings-file.ts';
import { demoMasterSecret } from '../shared/ue-keys.ts';
import { defaultSubscriberRanges, type SubscriberRange } from './subscribers.ts';

export interface AmfSettings {
  /**
   * forward: the AMF has no agent capability and forwards each intent to an intent agent found at
   * the AGW; local: the AMF comprehends intents itself (DMSC architecture draft, mobile deployment).
   */
  mode: 'forward' | 'local';
  /** The PLMN and AMF Identifier that make up the GUAMI in each 5G-GUTI (TS 23.003 clause 2.10.1). */
  mcc: string;
  mnc: string;
  amfId: string;
  /** A CM-CONNECTED UE without NAS signalling for this long is released to CM-IDLE (TS 23.502 clause 4.2.6). */
  ueInactivityTimerSeconds: number;
  /** An AUTHENTICATION REQUEST not answered within this lapses (cf. T3560, TS 24.501 clause 10.2). */
  authenticationTimeoutSeconds: number;
  /** Provisioned subscribers, as ranges of SUPIs (the first range holding a SUPI decides). */
  subscriberRanges: SubscriberRange[];
  /** Derives each subscriber's K (nfs/shared/ue-keys.ts); the UE simulator must use the same. */
  masterSecret: string;
  /** The AMC provider account under which the AMF registers UE agents at the AGW. */
  ueAgentProvider: { providerId: string; clientSecret: string };
  /** In mode local: the AMC provider account of the AMF's own intent agent. */
  intentAgentProvider: { providerId: string; clientSecret: string };
  /** What a UE agent is registered for. */
  ueAgentCapabilities: string[];
  /** The capability of the agents that take intents. */
  intentCapability: string;
  /** Time one intent agent may take before the AMF fails over to the next, ms. */
  intentTimeoutMs: number;
  /** Intent agents tried for one intent. */
  intentMaxAttempts: number;
  /** How long a discovery answer for the intent capability is reused, seconds. */
  intentDiscoveryCacheSeconds: number;
  /** How often the AMF looks for expired inactivity timers and owed AGW updates, ms. */
  timerIntervalMs: number;
  /** Delay before an AGW update that failed is tried again, seconds. */
  agwRetrySeconds: number;
}

export const defaultAmfSettings: AmfSettings = Object.freeze({
  mode: 'forward',
  mcc: '001',
  mnc: '01',
  amfId: 'cafe00',
  ueInactivityTimerSeconds: 30,
  authenticationTimeoutSeconds: 30,
  subscriberRanges: defaultSubscriberRanges,
  masterSecret: demoMasterSecret,
  ueAgentProvider: { providerId: 'operator-amf', clientSecret: 'operator-amf-demo-secret' },
  intentAgentProvider: { providerId: 'operator-core', clientSecret: 'operator-core-demo-secret' },
  ueAgentCapabilities: ['/capability/ue-measurement'],
  intentCapability: '/capability/intent-recognition',
  intentTimeoutMs: 20000,
  intentMaxAttempts: 3,
  intentDiscoveryCacheSeconds: 5,
  timerIntervalMs: 1000,
  agwRetrySeconds: 5,
}) as AmfSettings;

const supiPattern = '^imsi-[0-9]{5,15}$';
const capabilityPattern = '^/capability/[a-z0-9][a-z0-9-]{0,62}$';

/** What a settings file may set for the AMF (settings-file.ts). */

export const amfSettingsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    mode: { enum: ['forward', 'local'] },
    mcc: { type: 'string', pattern: '^[0-9]{3}$' },
    mnc: { type: 'string', pattern: '^[0-9]{2,3}$' },
    amfId: { type: 'string', pattern: '^[0-9a-f]{6}$' },
    ueInactivityTimerSeconds: { type: 'number', exclusiveMinimum: 0, maximum: 86400 },
    authenticationTimeoutSeconds: { type: 'integer', minimum: 1, maximum: 3600 },
    subscriberRanges: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['first', 'last', 'ueAgent', 'intentConversionOnUe'],
        properties: {
          first: { type: 'string', pattern: supiPattern },
          last: { type: 'string', pattern: supiPattern },
          ueAgent: { type: 'boolean' },
          intentConversionOnUe: { type: 'boolean' },
        },
      },
    },
    masterSecret: { type: 'string', minLength: 16, maxLength: 256 },
    ueAgentProvider: providerAccountSchema,
    intentAgentProvider: providerAccountSchema,
    ueAgentCapabilities: { type: 'array', minItems: 1, maxItems: 16, items: { type: 'string', pattern: capabilityPattern } },
    intentCapability: { type: 'string', pattern: capabilityPattern },
    intentTimeoutMs: { type: 'integer', minimum: 10, maximum: 600000 },
    intentMaxAttempts: { type: 'integer', minimum: 1, maximum: 16 },
    intentDiscoveryCacheSeconds: { type: 'number', minimum: 0, maximum: 3600 },
    timerIntervalMs: { type: 'integer', minimum: 10, maximum: 600000 },
    agwRetrySeconds: { type: 'number', exclusiveMinimum: 0, maximum: 3600 },
  },
} as const;
