/**
 * The two POST operations every intent crosses (SubmitIntent, InvokeTask), served before express
 * (json-post-fast-path.ts) with the checks of nagent-tip.yaml; routes.ts serves the same
 * operations through express for anything the fast path passes on.
 */
import { pathMatcher, type JsonPostRoute } from '../shared/json-post-fast-path.ts';
import type { IntentRequest } from '../shared/intent/intent-pipeline.ts';
import type { TaskRequest } from '../shared/intent/task-invocation.ts';
import { compileBodyCheck, compileHeaderCheck } from '../shared/schema-validator.ts';
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

export async function agentNfFastRoutes(service: AgentNfService): Promise<JsonPostRoute[]> {
  // The header parameters as the spec gives them; a missing or non-bearer Authorization of a task
  // call is the service's to refuse: 401 with a challenge.
  const [intentHeaders, taskHeaders, intentRequest, intentOutcome, taskRequest, taskResult] = await Promise.all([
    compileHeaderCheck('nagent-tip.yaml', '/agents/{agentName}/intents', 'post'),
    compileHeaderCheck('nagent-tip.yaml', '/agents/{agentName}/tasks', 'post'),
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
      checkHeaders: taskHeaders,
      checkBody: taskRequest,
      checkAnswer: taskResult,
      handle: ({ params, body, headers }) => service.invokeTask(params.agentName, headers.authorization, body as TaskRequest, oneHeader(headers[GATEWAY_FORWARD_HEADER])),
    },
  ];
}
