/** The NRF's tunables; defaults suit a laptop run, tests shorten the timers. */
export interface NrfSettings {
  /** Issuer of access tokens and the NRF's own identity. */
  nrfInstanceId: string;
  /** Assigned when a profile has none (TS 29.510 clause 5.2.2.2.2 lets the NRF choose), seconds. */
  defaultHeartBeatTimer: number;
  /** Extra time past heartBeatTimer before a profile is SUSPENDED, ms. */
  heartbeatGraceMs: number;
  /** How often overdue heartbeats are looked for, ms. */
  heartbeatCheckIntervalMs: number;
  /** SearchResult.validityPeriod, seconds. */
  discoveryValidityPeriod: number;
  /** Granted when a subscription asks for none, seconds. */
  subscriptionValiditySeconds: number;
  /** Lifetime of an access token, seconds. */
  accessTokenLifetimeSeconds: number;
}

export const defaultNrfSettings: Omit<NrfSettings, 'nrfInstanceId'> = Object.freeze({
  defaultHeartBeatTimer: 10,
  heartbeatGraceMs: 5000,
  heartbeatCheckIntervalMs: 1000,
  discoveryValidityPeriod: 30,
  subscriptionValiditySeconds: 86400,
  accessTokenLifetimeSeconds: 3600,
});

/** What a settings file may set for the NRF (settings-file.ts). */
export const nrfSettingsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    defaultHeartBeatTimer: { type: 'integer', minimum: 1, maximum: 86400 },
    heartbeatGraceMs: { type: 'integer', minimum: 0, maximum: 3600000 },
    heartbeatCheckIntervalMs: { type: 'integer', minimum: 10, maximum: 600000 },
    discoveryValidityPeriod: { type: 'integer', minimum: 0, maximum: 86400 },
    subscriptionValiditySeconds: { type: 'integer', minimum: 1, maximum: 31536000 },
    accessTokenLifetimeSeconds: { type: 'integer', minimum: 60, maximum: 86400 },
  },
} as const;
