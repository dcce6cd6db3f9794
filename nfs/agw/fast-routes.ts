/**
 * Agent registration (MACP section 5.1, RegisterAgent of nagw-reg.yaml) and natural-language
 * discovery (ResolveNaturalLanguage of nagw-disc.yaml) served before express
 * (json-post-fast-path.ts) with the spec's body checks; routes.ts serves the same operations
 * through express for anything the fast path passes on.
 */
import { pathMatcher, type JsonPostRoute } from '../shared/json-post-fast-path.ts';
import { compileBodyCheck, compileHeaderCheck, compileOperationBodyChecks } from '../shared/schema-validator.ts';
import { secretAnswerHeaders } from '../shared/secret-answer.ts';
import type { AgwService } from './service.ts';
import type { RegistrationRequest, RegistrationResult } from './types.ts';

const reg = '/nagw-reg/v1';

export async function agwFastRoutes(service: AgwService, apiRoot: () => string): Promise<JsonPostRoute[]> {
  const [request, result, resolution, resolutionHeaders] = await Promise.all([
    compileBodyCheck('nagw-reg.yaml', 'RegistrationRequest'),
    compileBodyCheck('nagw-reg.yaml', 'RegistrationResult'),
    compileOperationBodyChecks('nagw-disc.yaml', '/resolutions', 'post', '200'),
    compileHeaderCheck('nagw-disc.yaml', '/resolutions', 'post'),
  ]);
  return [
    {
      match: pathMatcher(`${reg}/registrations`),
      status: 201,
      checkBody: request,
      checkAnswer: result,
      // The answer carries the registration access token, shown once.
      answerHeaders: (answer) => ({ location: `${apiRoot()}${reg}/registrations/${(answer as RegistrationResult).aic}`, ...secretAnswerHeaders }),
      handle: ({ body }) => service.registerAgent(body as RegistrationRequest),
    },
    {
      match: pathMatcher('/nagw-disc/v1/resolutions'),
      checkHeaders: resolutionHeaders,
      checkBody: resolution.request,
      checkAnswer: resolution.answer,
      handle: ({ body, headers }) => service.resolveNaturalLanguage(body as Parameters<AgwService['resolveNaturalLanguage']>[0], headers.authorization),
    },
  ];
}
