import { expect } from 'chai';
import { readdir, readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { agwTokenProtection } from '../../nfs/agw/app.ts';
import { amcTokenProtection } from '../../nfs/amc/app.ts';
import { nrfTokenProtection } from '../../nfs/nrf/app.ts';

type Requirement = Record<string, string[]>;
interface Operation { operationId: string; security?: Requirement[]; parameters?: Array<{ $ref?: string; name?: string; in?: string }> }
interface Spec {
  servers: Array<{ url: string }>;
  security?: Requirement[];
  paths: Record<string, Record<string, Operation>>;
  components?: { securitySchemes?: Record<string, { $ref?: string; type?: string }>; parameters?: Record<string, { name: string; in: string }> };
}

const specDir = new URL('../../openapi/', import.meta.url);
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** The NRF-token checks some operations make of their own accord, outside the per-service guard. */
const OWN_TOKEN_CHECKS: Record<string, string> = {
  // requester-proof.ts: an NF names the requester it acts for.
  'nagw-disc DiscoverAgents': 'nagw-disc',
  'nagw-disc ResolveNaturalLanguage': 'nagw-disc',
  // intent-caller-check.ts: an intent acts on the SUPI it names.
  'nagent-tip SubmitIntent': 'nagent-tip',
  // An intent's outcome names the SUPI it acted on.
  'nagent-tip GetIntent': 'nagent-tip',
};

async function specs(): Promise<Array<[string, Spec]>> {
  const files = (await readdir(specDir)).filter((name) => name.endsWith('.yaml'));
  return Promise.all(files.map(async (name) => [name, parseYaml(await readFile(new URL(name, specDir), 'utf8')) as Spec] as [string, Spec]));
}

function operationsOf(spec: Spec): Array<{ method: string; operation: Operation }> {
  return Object.values(spec.paths).flatMap((item) => METHODS.filter((method) => item[method]).map((method) => ({ method, operation: item[method] })));
}

/** What the NF's guards demand of an operation: the NRF token scope, if any (access-token-guard.ts and the checks above). */
function scopeDemanded(service: string, method: string, operationId: string): string | undefined {
  const protection = [nrfTokenProtection, amcTokenProtection, agwTokenProtection] as Array<{ protectedServices: string[]; protectedWrites?: string[] }>;
  if (protection.some((each) => each.protectedServices.includes(service))) return service;
  if (protection.some((each) => each.protectedWrites?.includes(service)) && method !== 'get' && method !== 'head') return service;
  return OWN_TOKEN_CHECKS[`${service} ${operationId}`];
}

describe("The specs' security requirements say what the NFs' checks demand", () => {
  it('declare the NRF token scope (TS 29.510 clause 5.4) exactly where the guards demand it, always beside {} since OAuth is optional', async () => {
    let checked = 0;
    for (const [file, spec] of await specs()) {
      if (!spec.servers) continue; // common.yaml
      const service = spec.servers[0].url.split('/')[1];
      for (const { method, operation } of operationsOf(spec)) {
        const requirements = operation.security ?? spec.security ?? [];
        const scopes = requirements.flatMap((requirement) => requirement.oAuth2ClientCredentials ?? []);
        const demanded = scopeDemanded(service, method, operation.operationId);
        expect(scopes, `${file} ${operation.operationId}`).to.deep.equal(demanded ? [demanded] : []);
        if (demanded) expect(requirements, `${file} ${operation.operationId}: usable without OAuth`).to.deep.include({});
        // One scheme per requirement: schemes in one requirement would all be needed at once.
        for (const requirement of requirements) expect(Object.keys(requirement).length, `${file} ${operation.operationId}`).to.be.at.most(1);
        checked += 1;
      }
    }
    expect(checked, 'operations read').to.be.greaterThan(50);
  });

  it('document the refusals every operation can meet: 400 where it takes parameters or a body (the validator checks them), 401 and 403 where an NRF token may be asked for', async () => {
    const missing: string[] = [];
    for (const [file, spec] of await specs()) {
      if (!spec.servers) continue;
      for (const item of Object.values(spec.paths) as Array<Record<string, Operation> & { parameters?: unknown[] }>) {
        for (const method of METHODS.filter((each) => item[each])) {
          const operation = item[method] as Operation & { requestBody?: unknown; responses: Record<string, unknown> };
          const documented = Object.keys(operation.responses);
          const validated = (item.parameters ?? []).length + (operation.parameters ?? []).length > 0 || operation.requestBody !== undefined;
          const tokenAsked = (operation.security ?? spec.security ?? []).some((requirement) => 'oAuth2ClientCredentials' in requirement);
          for (const [status, needed] of [['400', validated], ['401', tokenAsked], ['403', tokenAsked]] as const) {
            if (needed && !documented.includes(status)) missing.push(`${file} ${operation.operationId}: ${status}`);
          }
        }
      }
    }
    expect(missing).to.deep.equal([]);
  });

  it('declare a bearer scheme for every operation that documents an Authorization header, and name only schemes and scopes the specs define', async () => {
    const common = parseYaml(await readFile(new URL('common.yaml', specDir), 'utf8')) as { components: { securitySchemes: Record<string, { flows?: { clientCredentials: { scopes: Record<string, string> } } }> } };
    const scopes = Object.keys(common.components.securitySchemes.oAuth2ClientCredentials.flows!.clientCredentials.scopes);
    for (const [file, spec] of await specs()) {
      if (!spec.servers) continue;
      const schemes = spec.components?.securitySchemes ?? {};
      for (const [name, scheme] of Object.entries(schemes)) {
        if (scheme.$ref) expect(common.components.securitySchemes, `${file} ${name}`).to.have.property(scheme.$ref.replace('common.yaml#/components/securitySchemes/', ''));
      }
      for (const { operation } of operationsOf(spec)) {
        const requirements = operation.security ?? spec.security ?? [];
        for (const requirement of requirements) for (const name of Object.keys(requirement)) expect(schemes, `${file} ${operation.operationId}`).to.have.property(name);
        for (const scope of requirements.flatMap((requirement) => requirement.oAuth2ClientCredentials ?? [])) expect(scopes, `${file} ${operation.operationId}: a scope the NRF's scheme lists`).to.include(scope);
        const parameters = (operation.parameters ?? []).map((parameter) => (parameter.$ref ? spec.components!.parameters![parameter.$ref.split('/').pop()!] : parameter));
        const documentsToken = parameters.some((parameter) => parameter.in === 'header' && parameter.name?.toLowerCase() === 'authorization');
        const named = requirements.flatMap((requirement) => Object.keys(requirement));
        if (documentsToken) expect(named, `${file} ${operation.operationId}: its token is declared`).to.not.be.empty;
        // An agent's or a registrant's token is told of in detail in the operation's parameter.
        if (named.some((name) => name !== 'oAuth2ClientCredentials')) expect(documentsToken, `${file} ${operation.operationId}: its token is told of`).to.equal(true);
      }
    }
  });
});
