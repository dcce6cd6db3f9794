/**
 * The uplink and downlink NAS message schemas of namf-nas.yaml compiled for the fast path, with
 * ajv's discriminator on messageType: a message is checked against its own type's schema only,
 * so a refusal names what is wrong with that message instead of listing why it is none of the
 * other types. Refusals are in the shape express-openapi-validator gives the error handler.
 */
import $RefParser from '@apidevtools/json-schema-ref-parser';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { join } from 'node:path';
import { openapiDir } from '../shared/openapi-types.ts';

export interface NasChecks {
  /** The problems of an uplink message, as {path: '/body/...', message} items; empty when valid. */
  uplink(value: unknown): Array<{ path: string; message: string }>;
  downlink(value: unknown): Array<{ path: string; message: string }>;
}

export async function compileNasChecks(): Promise<NasChecks> {
  const spec = (await $RefParser.dereference(join(openapiDir, 'namf-nas.yaml'))) as { components: { schemas: Record<string, Record<string, unknown>> } };
  const ajv = new Ajv({ strict: false, discriminator: true, allErrors: false });
  (addFormats as unknown as (ajv: Ajv) => void)(ajv);
  const compile = (name: string): ValidateFunction => {
    // ajv reads the tag from each branch's enum; OpenAPI's mapping (for the type generator) it does not support.
    const { discriminator, ...schema } = spec.components.schemas[name] as { discriminator: { propertyName: string } };
    return ajv.compile({ ...schema, discriminator: { propertyName: discriminator.propertyName } });
  };
  const uplink = compile('UplinkNasMessage');
  const downlink = compile('DownlinkNasMessage');
  const problems = (validate: ValidateFunction) => (value: unknown) => (validate(value) ? [] : (validate.errors ?? []).map(toValidatorItem));
  return { uplink: problems(uplink), downlink: problems(downlink) };
}

/** A missing or extra member is named in the path, as express-openapi-validator does. */
function toValidatorItem(error: ErrorObject): { path: string; message: string } {
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  const member = params.missingProperty ?? params.additionalProperty;
  return { path: `/body${error.instancePath}${member ? `/${member}` : ''}`, message: error.message ?? 'invalid' };
}
