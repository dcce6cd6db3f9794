/**
 * Runtime configuration, validated once and frozen. Entry points (bin/dmsc.ts, nfs/<nf>/main.ts)
 * hand in process.env and the command-line options; nothing else reads the environment.
 */
import type { LogLevel } from './logger.ts';

export interface RuntimeConfig {
  /** Bind address. */
  host: string;
  /** Address peers use to reach us when host is 0.0.0.0 (e.g. a container's service name). */
  advertiseHost?: string;
  /** The one address every NF is given (DESIGN.md, main flow step 1). */
  nrfUri: string;
  dataDir?: string;
  mongodbUri?: string;
  logLevel: LogLevel;
  /** When on, every NF demands an NRF access token on its SBI. */
  oauth: boolean;
  /** Port overrides by NF name; an NF without one uses its default port. */
  ports: Record<string, number>;
  /**
   * The ports first asked for, by NF name, where an NF restarted by its supervisor listens on the
   * port it got then (0 asked): they, not the port listened on, key its instance ID (nf-instance-id.ts).
   */
  askedPorts: Record<string, number>;
  /** Sections of the settings file by NF name (settings-file.ts). */
  nfSettings: Record<string, unknown>;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const logLevels: LogLevel[] = ['error', 'warn', 'info', 'debug', 'silent'];

/** Options as given on the command line, each falling back to its environment variable. */
export interface RawConfig {
  host?: string;
  advertiseHost?: string;
  nrfUri?: string;
  dataDir?: string;
  mongodbUri?: string;
  logLevel?: string;
  oauth?: boolean | string;
  ports?: Record<string, string | number>;
  askedPorts?: Record<string, string | number>;
  nfSettings?: Record<string, unknown>;
}

export function parseRuntimeConfig(raw: RawConfig, env: Record<string, string | undefined>, defaults: { logLevel: LogLevel }): RuntimeConfig {
  const host = raw.host ?? env.HOST ?? '127.0.0.1';
  const nrfUri = raw.nrfUri ?? env.NRF_URI ?? `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:29510`;
  const logLevel = (raw.logLevel ?? env.LOG_LEVEL ?? defaults.logLevel) as LogLevel;
  const oauth = parseBoolean('OAUTH / --oauth', raw.oauth ?? env.OAUTH ?? false);
  const mongodbUri = raw.mongodbUri ?? env.MONGODB_URI ?? undefined;
  const dataDir = raw.dataDir ?? env.DATA_DIR ?? undefined;

  if (!/^[A-Za-z0-9.:_-]+$/.test(host)) throw new ConfigError(`host "${host}" is not a host name or IP address`);
  if (!isHttpUri(nrfUri)) throw new ConfigError(`NRF URI "${nrfUri}" is not an http(s) URI`);
  if (!logLevels.includes(logLevel)) throw new ConfigError(`log level "${logLevel}" is not one of ${logLevels.join(', ')}`);
  if (mongodbUri && !/^mongodb(\+srv)?:\/\//.test(mongodbUri)) throw new ConfigError(`MongoDB URI "${mongodbUri}" must start with mongodb:// or mongodb+srv://`);
  if (dataDir !== undefined && dataDir.trim() === '') throw new ConfigError('data directory must not be empty');

  const ports = parsePorts(raw.ports);
  const askedPorts = parsePorts(raw.askedPorts);
  return Object.freeze({
    host,
    advertiseHost: raw.advertiseHost ?? env.ADVERTISE_HOST ?? undefined,
    nrfUri,
    dataDir,
    mongodbUri,
    logLevel,
    oauth,
    ports: Object.freeze(ports),
    askedPorts: Object.freeze(askedPorts),
    nfSettings: Object.freeze({ ...raw.nfSettings }),
  });
}

function parsePorts(raw: Record<string, string | number> = {}): Record<string, number> {
  const ports: Record<string, number> = {};
  for (const [name, value] of Object.entries(raw)) {
    const port = /^\d{1,5}$/.test(String(value).trim()) ? Number(value) : NaN;
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`port "${value}" for ${name} is not a port number (0-65535)`);
    ports[name] = port;
  }
  return ports;
}

function parseBoolean(name: string, value: boolean | string): boolean {
  if (typeof value === 'boolean') return value;
  if (['true', '1', 'on', 'yes'].includes(value.toLowerCase())) return true;
  if (['false', '0', 'off', 'no', ''].includes(value.toLowerCase())) return false;
  throw new ConfigError(`${name} "${value}" is not true or false`);
}

function isHttpUri(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
