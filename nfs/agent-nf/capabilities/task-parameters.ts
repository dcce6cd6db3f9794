/**
 * Reads a task's parameters with their types and ranges checked, collecting one plain sentence
 * per problem so the failed result can say what was wrong. TS 28.312 value ranges may carry
 * numbers as strings, so a numeric string counts as a number.
 */
import { failed, isRecord, type TaskRequest, type TaskResult } from './capability-types.ts';

export interface ParameterReader {
  number(name: string, range: { min: number; max: number; integer?: boolean }): number | undefined;
  string(name: string, maxLength: number): string | undefined;
  /** Matches ignoring case; returns the value as listed. */
  oneOf<T extends string>(name: string, values: readonly T[]): T | undefined;
  readonly problems: readonly string[];
}

const shown = (value: unknown) => {
  const text = typeof value === 'string' ? JSON.stringify(value) : typeof value === 'object' ? (Array.isArray(value) ? 'a list' : 'an object') : String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
};

export function readParameters(parameters: unknown): ParameterReader {
  const problems: string[] = [];
  const source = isRecord(parameters) ? parameters : {};
  if (parameters !== undefined && !isRecord(parameters)) problems.push('parameters must be an object');
  const present = (name: string) => Object.hasOwn(source, name) && source[name] !== undefined && source[name] !== null;

  return {
    problems,

    number(name, { min, max, integer = false }) {
      if (!present(name)) return undefined;
      const raw = source[name];
      const value = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(raw) ? Number(raw) : Number.NaN;
      if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
        problems.push(`${name} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, not ${shown(raw)}`);
        return undefined;
      }
      return value;
    },

    string(name, maxLength) {
      if (!present(name)) return undefined;
      const raw = source[name];
      if (typeof raw !== 'string' || raw.trim() === '' || raw.length > maxLength) {
        problems.push(`${name} must be a non-empty text of at most ${maxLength} characters, not ${shown(raw)}`);
        return undefined;
      }
      return raw.trim();
    },

    oneOf(name, values) {
      if (!present(name)) return undefined;
      const raw = source[name];
      const match = typeof raw === 'string' ? values.find((value) => value.toLowerCase() === raw.trim().toLowerCase()) : undefined;
      if (match === undefined) problems.push(`${name} must be one of ${values.join(', ')}, not ${shown(raw)}`);
      return match;
    },
  };
}

/** The failed result for a reader that found problems, else undefined. */
export function parameterFailure(task: TaskRequest, reader: ParameterReader): TaskResult | undefined {
  if (reader.problems.length === 0) return undefined;
  return failed(task, `The request could not be carried out: ${reader.problems.join('; ')}.`, {
    reason: 'INVALID_PARAMETERS',
    problems: [...reader.problems],
  });
}
