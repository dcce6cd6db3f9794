/**
 * The two AMC operations every agent registration crosses (MACP section 5.1: AAAP, then issuance
 * against the grant), served before express (json-post-fast-path.ts) with the checks of
 * namc-auth.yaml and namc-cred.yaml; routes.ts serves the same operations through express for
 * anything the fast path passes on.
 */
import { pathMatcher, type JsonPostRoute } from '../shared/json-post-fast-path.ts';
import { compileBodyCheck, compileOperationBodyChecks } from '../shared/schema-validator.ts';
import type { AuthorizationRequest } from './authorization.ts';
import type { AmcService } from './service.ts';

/**
 * With OAuth on, AAAP and issuance demand an NRF access token and are bound to the gateway that
 * presents it: express, its guard and routes.ts answer them then.
 */
export async function amcFastRoutes(service: AmcService, options: { oauth: boolean; apiRoot: () => string }): Promise<JsonPostRoute[]> {
  if (options.oauth) return [];
  const [authorizationRequest, authorizationDecision, issue] = await Promise.all([
    compileBodyCheck('namc-auth.yaml', 'AuthorizationRequest'),
    compileBodyCheck('namc-auth.yaml', 'AuthorizationDecision'),
    compileOperationBodyChecks('namc-cred.yaml', '/credentials', 'post', '201'),
  ]);
  return [
    {
      match: pathMatcher('/namc-cred/v1/credentials'),
      status: 201,
      answerHeaders: (answer) => ({ location: `${options.apiRoot()}/namc-cred/v1/credentials/${(answer as { serialNumber: string }).serialNumber}` }),
      checkBody: issue.request,
      checkAnswer: issue.answer,
      handle: ({ body }) => service.issueCredential(body as { grantId: string; aic: string; csrPem: string }),
    },
    {
      match: pathMatcher('/namc-auth/v1/authorizations'),
      checkBody: authorizationRequest,
      checkAnswer: authorizationDecision,
      handle: ({ body }) => service.authorize(body as AuthorizationRequest),
    },
  ];
}
