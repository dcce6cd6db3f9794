/**
 * Agent registration (MACP section 5.1, RegisterAgent of nagw-reg.yaml) served before express
 * (json-post-fast-path.ts) with the spec's body checks; routes.ts serves the same operation
 * through express for anything the fast path passes on.
 */
import { pathMatcher, type JsonPostRoute } from '../shared/json-post-fast-path.ts';
import { compileBodyCheck } from '../shared/schema-validator.ts';
import type { AgwService } from './service.ts';
import type { RegistrationRequest, RegistrationResult } from './types.ts';

const reg = '/nagw-reg/v1';

export async function agwFastRoutes(service: AgwService, apiRoot: () => string): Promise<JsonPostRoute[]> {
  const [request, result] = await Promise.all([compileBodyCheck('nagw-reg.yaml', 'RegistrationRequest'), compileBodyCheck('nagw-reg.yaml', 'RegistrationResult')]);
  return [
    {
      match: pathMatcher(`${reg}/registrations`),
      status: 201,
      checkBody: request,
      checkAnswer: result,
      answerHeaders: (answer) => ({ location: `${apiRoot()}${reg}/registrations/${(answer as RegistrationResult).aic}` }),
      handle: ({ body }) => service.registerAgent(body as RegistrationRequest),
    },
  ];
}
