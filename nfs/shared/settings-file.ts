/**
 * NF settings from a YAML file (`dmsc up --config FILE`): one section per NF name, each checked
 * against that NF's JSON schema, so a typo or a wrong type is a clear error at start, never a
 * silent default.
 */
import { readFile } from 'node:fs/promises';
import { Ajv, type AnySchema } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from './config.ts';

/**
 * The file's sections, each checked against its NF's schema, whether that NF starts or not: a
 * mistyped setting is an error now, not at a later start of the NF it is for.
 */
export async function readSettingsFile(path: string, nfs: readonly { name: string; settingsSchema: AnySchema }[]): Promise<Record<string, unknown>> {
  const knownNfs = nfs.map((nf) => nf.name);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`--config: cannot read ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`--config: ${path} is not YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`--config: ${path} must map NF names to their settings`);
  const unknown = Object.keys(parsed).filter((name) => !knownNfs.includes(name));
  if (unknown.length) throw new ConfigError(`--config: ${path} has sections for unknown NFs ${unknown.join(', ')}; known: ${knownNfs.join(', ')}`);
  for (const nf of nfs) checkSettings(nf.name, nf.settingsSchema, (parsed as Record<string, unknown>)[nf.name]);
  return parsed as Record<string, unknown>;
}

/** Checks one NF's section; returns it typed, or throws a ConfigError naming each bad field. */
export function checkSettings<T>(nf: string, schema: AnySchema, section: unknown): Partial<T> {
  if (section === undefined) return {};
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(schema);
  if (!validate(section)) {
    const problems = (validate.errors ?? []).map((error) => `${nf}${error.instancePath.replace(/\//g, '.')} ${error.message}${error.params && 'additionalProperty' in error.params ? ` (${String(error.params.additionalProperty)})` : ''}`);
    throw new ConfigError(`--config: ${problems.join('; ')}`);
  }
  return section as Partial<T>;
}

/** An AMC provider account in a settings file (namc-prov.yaml ProviderId; demo secrets are 16+ characters). */
export const providerAccountSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['providerId', 'clientSecret'],
  properties: {
    providerId: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{1,62}$' },
    clientSecret: { type: 'string', minLength: 16, maxLength: 128 },
  },
} as const;
