/** HTTP bindings of an NF with agents: typed input -> service call -> status and body. */
import type { Router } from 'express';
import type { IntentRequest } from '../shared/intent/intent-pipeline.ts';
import type { TaskRequest } from '../shared/intent/task-invocation.ts';
import { GATEWAY_FORWARD_HEADER } from '../shared/gateway-forward.ts';
import type { AgentNfService } from './service.ts';

const tip = '/nagent-tip/v1';

export function agentNfRoutes(service: AgentNfService) {
  return (router: Router) => {
    router.get(`${tip}/agents`, (_req, res) => {
      res.json(service.listHostedAgents());
    });
    router.post(`${tip}/agents/:agentName/intents`, async (req, res) => {
      res.json(await service.submitIntent(req.params.agentName as string, req.body as IntentRequest, req.get('authorization')));
    });
    router.get(`${tip}/agents/:agentName/intents/:intentId`, async (req, res) => {
      res.json(await service.getIntent(req.params.agentName as string, req.params.intentId as string, req.get('authorization')));
    });
    router.post(`${tip}/agents/:agentName/tasks`, async (req, res) => {
      res.json(await service.invokeTask(req.params.agentName as string, req.get('authorization'), req.body as TaskRequest, req.get(GATEWAY_FORWARD_HEADER)));
    });
  };
}
