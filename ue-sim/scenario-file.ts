/**
 * Scenario files (`dmsc scenario run FILE`, `dmsc up --scenario NAME`): YAML naming the UEs, the
 * arrival rate, the intents with their expected outcomes and, for load runs, a duration. Checked
 * against a JSON schema so a typo is a clear error naming the field, never a silent default.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';

export interface ScenarioIntent {
  text: string;
  expect: { outcome: 'completed' | 'clarification' | 'rejected' | 'failed'; capabilities?: string[] };
}

export interface Scenario {
  name: string;
  description?: string;
  ues: { count: number; firstSupi: string };
  /** Intents per second over all UEs (open loop: arrivals do not wait for answers). */
  arrivalRate: number;
  /** Seconds of load; without it every UE sends every intent once, in order. */
  duration?: number;
  /** UE registrations in flight at once before the intents start. */
  registrationConcurrency?: number;
  intents: ScenarioIntent[];
}

export class ScenarioError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioError';
  }
}

const scenarioSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'ues', 'arrivalRate', 'intents'],
  properties: {
    name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9 _-]{0,63}$' },
    description: { type: 'string', maxLength: 1000 },
    ues: {
      type: 'object',
      additionalProperties: false,
      required: ['count', 'firstSupi'],
      properties: {
        count: { type: 'integer', minimum: 1, maximum: 100000 },
        firstSupi: { type: 'string', pattern: '^imsi-[0-9]{5,15}$' },
      },
    },
    arrivalRate: { type: 'number', exclusiveMinimum: 0, maximum: 10000 },
    duration: { type: 'number', exclusiveMinimum: 0, maximum: 86400 },
    registrationConcurrency: { type: 'integer', minimum: 1, maximum: 1000 },
    intents: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['text', 'expect'],
        properties: {
          text: { type: 'string', minLength: 1, maxLength: 2000 },
          expect: {
            type: 'object',
            additionalProperties: false,
            required: ['outcome'],
            properties: {
              outcome: { enum: ['completed', 'clarification', 'rejected', 'failed'] },
              capabilities: { type: 'array', maxItems: 16, items: { type: 'string', pattern: '^/capability/[a-z0-9-]+$' } },
            },
          },
        },
      },
    },
  },
} as const;

const validate = new Ajv({ allErrors: true, strict: false }).compile<Scenario>(scenarioSchema);

/** The folder of the shipped scenarios (ue-sim/scenarios). */
export const scenariosDir = join(dirname(fileURLToPath(import.meta.url)), 'scenarios');

/** A path, or the name of a shipped scenario (`default`, `load-1000-ues`). */
export function resolveScenarioPath(nameOrPath: string): string {
  if (existsSync(nameOrPath)) return nameOrPath;
  const shipped = join(scenariosDir, `${nameOrPath}.yaml`);
  if (/^[a-z0-9-]+$/.test(nameOrPath) && existsSync(shipped)) return shipped;
  throw new ScenarioError(`no scenario file ${nameOrPath} (and no shipped scenario of that name in ${scenariosDir})`);
}

export async function readScenario(nameOrPath: string): Promise<Scenario> {
  const path = resolveScenarioPath(nameOrPath);
  let parsed: unknown;
  try {
    parsed = parseYaml(await readFile(path, 'utf8'));
  } catch (error) {
    throw new ScenarioError(`${path} is not readable YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!validate(parsed)) {
    const problems = (validate.errors ?? []).map((error) => `${error.instancePath || '(top)'} ${error.message}${error.params && 'additionalProperty' in error.params ? ` (${String(error.params.additionalProperty)})` : ''}`);
    throw new ScenarioError(`${path}: ${problems.join('; ')}`);
  }
  const lastSupi = BigInt(parsed.ues.firstSupi.slice(5)) + BigInt(parsed.ues.count - 1);
  if (lastSupi.toString().length > 15) throw new ScenarioError(`${path}: /ues count runs past the largest 15-digit SUPI`);
  return parsed;
}

/** The i-th SUPI of the scenario's range, keeping the first SUPI's width. */
export function supiAt(scenario: Scenario, index: number): string {
  const digits = scenario.ues.firstSupi.slice(5);
  return `imsi-${(BigInt(digits) + BigInt(index)).toString().padStart(digits.length, '0')}`;
}
