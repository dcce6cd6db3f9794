/**
 * Validates a value against one schema of our OpenAPI files outside the HTTP layer, e.g. an
 * NFProfile after a JSON Patch (TS 29.510 clause 5.2.2.3.1): the result must be as valid as a
 * registration would have to be, or nothing is stored.
 */
import $RefParser from '@apidevtools/json-schema-ref-parser';
import type { IncomingHttpHeaders } from 'node:http';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { join } from 'node:path';
import { openapiDir } from './openapi-dir.ts';
import type { InvalidParam } from './problem.ts';

export type SchemaCheck = (value: unknown) => InvalidParam[];

/** Compiles components.schemas[schemaName] of openapi/<specFile> into a check returning the problems found. */
export async function compileSchemaCheck(specFile: string, schemaName: string): Promise<SchemaCheck> {
  const spec = (await $RefParser.dereference(join(openapiDir, specFile))) as {
    components: { schemas: Record<string, object> };
  };
  const schema = spec.components.schemas[schemaName];
  if (!schema) throw new Error(`${specFile} has no schema ${schemaName}`);
  const ajv = new Ajv({ allErrors: true, strict: false });
  (addFormats as unknown as (ajv: Ajv) => void)(ajv);
  const validate: ValidateFunction = ajv.compile(schema);
  return (value) =>
    validate(value)
      ? []
      : (validate.errors ?? []).map((error) => ({
          param: error.instancePath || '/',
          reason: error.message ?? 'invalid',
        }));
}

/** A problem in the shape express-openapi-validator hands the error handler: path `/body/...`. */
export interface ValidatorItem {
  path: string;
  message: string;
}

export type BodyCheck = (value: unknown) => ValidatorItem[];

/**
 * Compiles components.schemas[schemaName] for a request or response body served outside express
 * (json-post-fast-path.ts): problems come out as express-openapi-validator reports them, a
 * missing or extra member named in the path, so the error handler words them the same way.
 */
export async function compileBodyCheck(specFile: string, schemaName: string, options: { discriminator?: boolean } = {}): Promise<BodyCheck> {
  const spec = (await $RefParser.dereference(join(openapiDir, specFile))) as { components: { schemas: Record<string, Record<string, unknown>> } };
  const schema = spec.components.schemas[schemaName];
  if (!schema) throw new Error(`${specFile} has no schema ${schemaName}`);
  return bodyCheckOf(schema, options);
}

/**
 * The request body check and the check of one answer's body of an operation, for operations whose
 * bodies are declared inline rather than as named schemas.
 */
export async function compileOperationBodyChecks(specFile: string, path: string, method: string, status: string): Promise<{ request: BodyCheck; answer: BodyCheck }> {
  const spec = (await $RefParser.dereference(join(openapiDir, specFile))) as { paths: Record<string, Record<string, OperationBodies>> };
  const operation = spec.paths[path]?.[method];
  const request = operation?.requestBody?.content?.['application/json']?.schema;
  const answer = operation?.responses?.[status]?.content?.['application/json']?.schema;
  if (!request || !answer) throw new Error(`${specFile} has no JSON bodies for ${method.toUpperCase()} ${path} and ${status}`);
  return { request: bodyCheckOf(request), answer: bodyCheckOf(answer) };
}

interface OperationBodies {
  requestBody?: { content?: Record<string, { schema?: Record<string, unknown> }> };
  responses?: Record<string, { content?: Record<string, { schema?: Record<string, unknown> }> }>;
}

function bodyCheckOf(schema: Record<string, unknown>, options: { discriminator?: boolean } = {}): BodyCheck {
  const ajv = new Ajv({ strict: false, allErrors: false, discriminator: options.discriminator ?? false });
  (addFormats as unknown as (ajv: Ajv) => void)(ajv);
  if (options.discriminator) {
    // ajv reads the tag from each branch's enum; OpenAPI's mapping (for the type generator) it does not support.
    const { discriminator, ...rest } = schema as { discriminator: { propertyName: string } };
    schema = { ...rest, discriminator: { propertyName: discriminator.propertyName } };
  }
  const validate = ajv.compile(schema);
  return (value) =>
    validate(value)
      ? []
      : (validate.errors ?? []).map((error) => {
          const params = error.params as { missingProperty?: string; additionalProperty?: string };
          const member = params.missingProperty ?? params.additionalProperty;
          return { path: `/body${error.instancePath}${member ? `/${member}` : ''}`, message: error.message ?? 'invalid' };
        });
}

export type QueryCheck = (query: Record<string, unknown>) => boolean;

/**
 * Compiles the query parameters of one operation (in: query) into a check that coerces the
 * values in place (strings to integers, `a,b` to arrays for style: form, explode: false) and
 * rejects unknown parameters, the same rules express-openapi-validator applies from the same file.
 */
export async function compileQueryCheck(specFile: string, path: string, method: string): Promise<QueryCheck> {
  const spec = (await $RefParser.dereference(join(openapiDir, specFile))) as {
    paths: Record<string, Record<string, { parameters?: QueryParameter[] }>>;
  };
  const parameters = (spec.paths[path]?.[method]?.parameters ?? []).filter((parameter) => parameter.in === 'query');
  if (!parameters.length) throw new Error(`${specFile} has no query parameters for ${method.toUpperCase()} ${path}`);
  const arrayNames = parameters.filter((parameter) => parameter.schema.type === 'array' && parameter.explode === false).map((parameter) => parameter.name);
  const ajv = new Ajv({ strict: false, coerceTypes: true });
  (addFormats as unknown as (ajv: Ajv) => void)(ajv);
  const validate = ajv.compile({
    type: 'object',
    properties: Object.fromEntries(parameters.map((parameter) => [parameter.name, parameter.schema])),
    required: parameters.filter((parameter) => parameter.required).map((parameter) => parameter.name),
    additionalProperties: false,
  });
  return (query) => {
    // As the validator does (allowEmptyValue is false by default): `?domain=` is not a value.
    if (Object.values(query).some((value) => value === '')) return false;
    for (const name of arrayNames) {
      if (typeof query[name] === 'string') query[name] = (query[name] as string).split(',');
    }
    return validate(query);
  };
}

interface QueryParameter {
  name: string;
  in: string;
  required?: boolean;
  explode?: boolean;
  schema: { type?: string };
}

export type HeaderCheck = (headers: IncomingHttpHeaders) => ValidatorItem[];

/**
 * Compiles the header parameters of one operation (in: header) into a check worded as the
 * validator words its refusals (path `/headers/<name>`), for an operation served outside express:
 * a fast path that skipped them would answer a request the contract refuses (an Authorization
 * over its maxLength, say).
 */
export async function compileHeaderCheck(specFile: string, path: string, method: string): Promise<HeaderCheck> {
  const spec = (await $RefParser.dereference(join(openapiDir, specFile))) as {
    paths: Record<string, Record<string, { parameters?: QueryParameter[] }>>;
  };
  const parameters = (spec.paths[path]?.[method]?.parameters ?? []).filter((parameter) => parameter.in === 'header');
  if (!parameters.length) throw new Error(`${specFile} has no header parameters for ${method.toUpperCase()} ${path}`);
  const ajv = new Ajv({ strict: false, allErrors: false });
  (addFormats as unknown as (ajv: Ajv) => void)(ajv);
  // Node gives header names in lower case and one value per header (of Authorization sent twice, the
  // first; of most others, all joined with ", ").
  const checks = parameters.map((parameter) => ({ name: parameter.name.toLowerCase(), required: parameter.required === true, validate: ajv.compile(parameter.schema) }));
  return (headers) => {
    for (const { name, required, validate } of checks) {
      const value = headers[name];
      if (value === undefined) {
        if (required) return [{ path: `/headers/${name}`, message: `must have required property '${name}'` }];
        continue;
      }
      if (!validate(value)) return [{ path: `/headers/${name}`, message: validate.errors?.[0]?.message ?? 'invalid' }];
    }
    return [];
  };
}
