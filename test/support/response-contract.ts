/**
 * Checks a real answer against the OpenAPI document of its operation, independently of the
 * server's own response validation (which sees only what routes send with res.json, not errors,
 * fast-path answers or non-JSON bodies): the status is documented (exactly, as a range, or by
 * `default`), the media type is one the response declares, and a JSON body matches its schema.
 */
import $RefParser from '@apidevtools/json-schema-ref-parser';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { join } from 'node:path';
import { openapiDir } from '../../nfs/shared/openapi-dir.ts';

interface MediaType {
  schema?: object;
}
interface ResponseObject {
  content?: Record<string, MediaType>;
}
interface Operation {
  responses: Record<string, ResponseObject>;
}
interface DocumentedOperation {
  label: string;
  pattern: RegExp;
  method: string;
  operation: Operation;
}

export interface Answer {
  method: string;
  /** The request's path, with the service's base path and without the query. */
  path: string;
  status: number;
  contentType: string | null;
  body: string;
}

export interface ResponseContract {
  /** What the answer breaks of its operation's document; an answer to no documented operation breaks it too, unless it is a 404 or 405. */
  check(answer: Answer): string[];
  /** The documented operations no checked answer has answered yet. */
  unasked(): string[];
}

const jsonMediaType = /^application\/([\w.-]+\+)?json$/;

export async function loadResponseContract(specFiles: string[]): Promise<ResponseContract> {
  const operations: DocumentedOperation[] = [];
  for (const file of specFiles) {
    const spec = (await $RefParser.dereference(join(openapiDir, file))) as { servers?: Array<{ url: string }>; paths: Record<string, Record<string, Operation>> };
    const base = (spec.servers?.[0]?.url ?? '').replace(/\/$/, '');
    for (const [path, item] of Object.entries(spec.paths)) {
      const pattern = new RegExp(`^${(base + path).replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`);
      for (const [method, operation] of Object.entries(item)) {
        if (operation && typeof operation === 'object' && 'responses' in operation) operations.push({ label: `${file} ${method.toUpperCase()} ${path}`, pattern, method: method.toUpperCase(), operation });
      }
    }
  }
  const ajv = new Ajv({ strict: false, allErrors: true });
  (addFormats as unknown as (ajv: Ajv) => void)(ajv);
  const compiled = new Map<object, ValidateFunction>();
  const validatorOf = (schema: object) => {
    let validate = compiled.get(schema);
    if (!validate) compiled.set(schema, (validate = ajv.compile(schema)));
    return validate;
  };

  const asked = new Set<string>();
  const check = (answer: Answer): string[] => {
    const candidates = operations.filter((candidate) => candidate.pattern.test(answer.path));
    const found = candidates.find((candidate) => candidate.method === answer.method);
    if (!found) {
      // No documented path, or not this method: the 404 or the 405 is no operation's answer.
      return answer.status === 404 || answer.status === 405 ? [] : [`${answer.method} ${answer.path} answered ${answer.status}, and no document has that operation`];
    }
    asked.add(found.label);
    const where = `${found.label} answered ${answer.status}`;
    const responses = found.operation.responses;
    const response = responses[String(answer.status)] ?? responses[`${String(answer.status)[0]}XX`] ?? responses.default;
    if (!response) return [`${where}: the status is not documented, and there is no default`];
    const mediaType = (answer.contentType ?? '').split(';')[0].trim().toLowerCase();
    if (!response.content) return answer.body ? [`${where}: a body where the document declares none`] : [];
    const declared = response.content[mediaType];
    if (!declared) return [`${where}: content type ${mediaType || '(none)'} is not one of ${Object.keys(response.content).join(', ')}`];
    if (!jsonMediaType.test(mediaType) || !declared.schema) return [];
    let body: unknown;
    try {
      body = JSON.parse(answer.body);
    } catch {
      return [`${where}: ${mediaType} body is not JSON`];
    }
    const validate = validatorOf(declared.schema);
    return validate(body) ? [] : (validate.errors ?? []).map((error) => `${where}: ${error.instancePath || '/'} ${error.message}`);
  };
  return { check, unasked: () => operations.map((operation) => operation.label).filter((label) => !asked.has(label)) };
}
