/** The AGW's tunables; defaults suit a laptop run, tests shorten the timers. */
import type { AicScheme } from '../shared/aic.ts';

export interface AgwSettings {
  /** The operator domain this gateway serves. */
  domain: string;
  aicScheme: AicScheme;
  /** Agents heartbeat this often; one missed interval plus this grace makes them STALE. */
  heartbeatIntervalSeconds: number;
  heartbeatGraceSeconds: number;
  /** Time one routed attempt may take before the gateway fails over, ms. */
  routingTimeoutMs: number;
  /** Instances tried for one routed request. */
  routingMaxAttempts: number;
  /**
   * An instance whose attempt failed (an error, a timeout, a 5xx, 408, 429 or a redirect) is
   * tried after every other instance for this long, or until it answers one: otherwise, as the
   * least loaded or the longest unused, it would be tried first again by the next request, and
   * spend its attempts and its timeout.
   */
  routingFailureHoldSeconds: number;
  /** Events older than this are dropped, seconds. */
  eventRetentionSeconds: number;
  /** At most this many events are kept, the oldest dropped first: under load the retention alone would hold millions. */
  maxStoredEvents: number;
  /** Least matcher score for free text to count as a capability (0..1). */
  minMatchScore: number;
  /** Seconds a requester may keep a discovery answer. */
  discoveryValidityPeriod: number;
  /**
   * Providers that may register a UE's agent (onBehalfOf): the AMF's account. Anyone else could
   * otherwise put an agent of theirs where discovery by SUPI finds a UE's agent.
   */
  onBehalfProviders: string[];
}

export const defaultAgwSettings: Omit<AgwSettings, 'aicScheme'> = Object.freeze({
  domain: 'operator.example',
  heartbeatIntervalSeconds: 30,
  heartbeatGraceSeconds: 30,
  routingTimeoutMs: 2000,
  routingMaxAttempts: 3,
  routingFailureHoldSeconds: 30,
  eventRetentionSeconds: 3600,
  maxStoredEvents: 100_000,
  minMatchScore: 0.15,
  discoveryValidityPeriod: 5,
  onBehalfProviders: ['operator-amf'],
});

/** What a settings file may set for the AGW (settings-file.ts). */
export const agwSettingsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    domain: { type: 'string', minLength: 1, maxLength: 128 },
    heartbeatIntervalSeconds: { type: 'integer', minimum: 1, maximum: 86400 },
    heartbeatGraceSeconds: { type: 'integer', minimum: 0, maximum: 86400 },
    routingTimeoutMs: { type: 'integer', minimum: 10, maximum: 600000 },
    routingMaxAttempts: { type: 'integer', minimum: 1, maximum: 32 },
    routingFailureHoldSeconds: { type: 'integer', minimum: 0, maximum: 86400 },
    eventRetentionSeconds: { type: 'integer', minimum: 1, maximum: 2592000 },
    maxStoredEvents: { type: 'integer', minimum: 100, maximum: 10000000 },
    minMatchScore: { type: 'number', minimum: 0, maximum: 1 },
    discoveryValidityPeriod: { type: 'integer', minimum: 0, maximum: 86400 },
    onBehalfProviders: { type: 'array', maxItems: 32, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 64 } },
  },
} as const;
