/**
 * The two POST operations every intent crosses (SubmitIntent, InvokeTask), served before express
 * (json-post-fast-path.ts) with the checks of nagent-tip.yaml; routes.ts serves the same
 * operations through express for anything the fast path passes on.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { pathMatcher, type JsonPostRoute } from '../shared/json-post-fast-path.ts';
import type { IntentRequest } from '../shared/intent/intent-pipeline.ts';
import type { TaskRequest } from '../shared/intent/task-invocation.ts';
import { compileBodyCheck, compileHeaderCheck, type ValidatorItem } from '../shared/schema-validator.ts';
import type { AgentNfService } from './service.ts';
import { GATEWAY_FORWARD_HEADER } from '../shared/gateway-forward.ts';

const oneHeader = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

const agentName = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Only names the spec allows: anything else goes on to express, which refuses it. */
function agentPath(template: string): JsonPostRoute['match'] {
  const match = pathMatcher(template);
  return (path) => {
    const params = match(path);
    return params && agentName.test(params.agentName) ? params : undefined;
  };
}

/**
 * The Authorization and agw-forwarded headers of InvokeTask, as the validator words its
 * refusals. A missing or non-bearer Authorization is the service's to refuse: 401 with a challenge.
 */
function checkAuthorization(headers: IncomingHttpHeaders): ValidatorItem[] {
  const value = headers.authorization;
  if (value !== undefined && value.length > 8192) return [{ path: '/headers/authorization', message: 'must NOT have more than 8192 characters' }];
  const forwarded = headers[GATEWAY_FORWARD_HEADER];
  if (typeof forwarded === 'string' && forwarded.length > 4096) return [{ path: `/headers/${GATEWAY_FORWARD_HEADER}`, message: 'must NOT have more than 4096 characters' }];
  return [];
}

export async function agentNfFastRoutes(service: AgentNfService): Promise<JsonPostRoute[]> {
  const [intentHeaders, intentRequest, intentOutcome, taskRequest, taskResult] = await Promise.all([
    compileHeaderCheck('nagent-tip.yaml', '/agents/{agentName}/intents', 'post'),
    compileBodyCheck('nagent-tip.yaml', 'IntentRequest'),
    compileBodyCheck('nagent-tip.yaml', 'IntentOutcome'),
    compileBodyCheck('nagent-tip.yaml', 'TaskRequest'),
    compileBodyCheck('nagent-tip.yaml', 'TaskResult'),
  ]);
  return [
    {
      match: agentPath('/nagent-tip/v1/agents/{agentName}/intents'),
      checkHeaders: intentHeaders,
      checkBody: intentRequest,
      checkAnswer: intentOutcome,
      handle: ({ params, body, headers }) => service.submitIntent(params.agentName, body as IntentRequest, headers.authorization),
    },
    {
      match: agentPath('/nagent-tip/v1/agents/{agentName}/tasks'),
      checkHeaders: checkAuthorization,
      checkBody: taskRequest,
      checkAnswer: taskResult,
      handle: ({ params, body, headers }) => service.invokeTask(params.agentName, headers.authorization, body as TaskRequest, oneHeader(headers[GATEWAY_FORWARD_HEADER])),
    },
  ];
}
