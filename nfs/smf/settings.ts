/** The SMF's tunables; defaults suit a laptop run, tests shorten the timers. */

export interface SmfSettings {
  /** Lifetime of a session and of its authorization artifact (exp - iat), seconds. */
  sessionLifetimeSeconds: number;
  /** How often live sessions past their expiry are marked EXPIRED (and their agents told), seconds. */
  expirySweepIntervalSeconds: number;
  /** How long a RELEASED or EXPIRED session stays readable for operators before the store drops it, seconds. */
  endedRetentionSeconds: number;
  /** Attempts after the first for each state-change notification. */
  notificationRetries: number;
}

export const defaultSmfSettings: SmfSettings = Object.freeze({
  sessionLifetimeSeconds: 300,
  expirySweepIntervalSeconds: 5,
  endedRetentionSeconds: 3600,
  notificationRetries: 4,
});

/** What a settings file may set for the SMF (settings-file.ts). */
export const smfSettingsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    sessionLifetimeSeconds: { type: 'integer', minimum: 1, maximum: 86400 },
    expirySweepIntervalSeconds: { type: 'integer', minimum: 1, maximum: 3600 },
    endedRetentionSeconds: { type: 'integer', minimum: 1, maximum: 2592000 },
    notificationRetries: { type: 'integer', minimum: 0, maximum: 10 },
  },
} as const;
