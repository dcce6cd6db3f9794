/** HTTP bindings of the AGW's services: typed input -> service call -> status and body. */
import type { Router } from 'express';
import { ProblemError } from '../shared/problem.ts';
import type { StructuredQuery } from './discovery.ts';
import type { AgwService } from './service.ts';
import type { CredentialEvent, RegistrationRequest } from './types.ts';
import { secretAnswerHeaders } from '../shared/secret-answer.ts';

const reg = '/nagw-reg/v1';

/** The query of GET /nagw-disc/v1/agents, once validated and coerced against nagw-disc.yaml. */
export function structuredQueryFrom(q: Record<string, unknown>): StructuredQuery {
  return {
    capabilityId: q['capability-id'] as string | undefined,
    aic: q.aic as string | undefined,
    providerId: q['provider-id'] as string | undefined,
    domain: q.domain as string | undefined,
    supi: q.supi as string | undefined,
    securityAttributes: q['security-attribute'] as string[] | undefined,
    requesterAic: q['requester-aic'] as string | undefined,
    limit: q.limit as number | undefined,
  };
}

export function agwRoutes(service: AgwService, apiRoot: () => string) {
  return (router: Router) => {
    router.get('/nagw-tax/v1/capabilities', async (_req, res) => {
      res.json(await service.getTaxonomy());
    });
    router.get('/nagw-tax/v1/capabilities/:name', async (req, res) => {
      res.json(await service.getCapability(req.params.name as string));
    });
    router.put('/nagw-tax/v1/capabilities/:name', async (req, res) => {
      const { created, capability } = await service.putCapability(req.params.name as string, req.body);
      res.status(created ? 201 : 200).json(capability);
    });
    router.delete('/nagw-tax/v1/capabilities/:name', async (req, res) => {
      await service.deleteCapability(req.params.name as string);
      res.status(204).end();
    });

    router.post(`${reg}/registrations`, async (req, res) => {
      const result = await service.registerAgent(req.body as RegistrationRequest);
      res.status(201).location(`${apiRoot()}${reg}/registrations/${result.aic}`).set(secretAnswerHeaders).json(result);
    });
    router.get(`${reg}/registrations`, async (req, res) => {
      res.json(await service.listRegistrations(req.query.limit as number | undefined));
    });
    router.get(`${reg}/aic-scheme`, (_req, res) => {
      res.json(service.aicScheme());
    });
    router.get(`${reg}/registrations/:aic`, async (req, res) => {
      res.json(await service.getRegistration(req.params.aic as string));
    });
    router.patch(`${reg}/registrations/:aic`, async (req, res) => {
      res.json(await service.updateRegistration(req.params.aic as string, req.body));
    });
    router.delete(`${reg}/registrations/:aic`, async (req, res) => {
      await service.deregisterAgent(req.params.aic as string, req.get('authorization'));
      res.status(204).end();
    });
    router.put(`${reg}/registrations/:aic/heartbeat`, async (req, res) => {
      await service.heartbeat(req.params.aic as string, req.get('authorization'), req.body.load);
      res.status(204).end();
    });
    router.put(`${reg}/registrations/:aic/ue-state`, async (req, res) => {
      await service.reportUeState(req.params.aic as string, req.get('authorization'), req.body.cmState);
      res.status(204).end();
    });
    router.post(`${reg}/credential-events`, async (req, res) => {
      await service.applyCredentialEvent(req.body as CredentialEvent);
      res.status(204).end();
    });

    router.get('/nagw-disc/v1/agents', async (req, res) => {
      res.json(await service.discoverAgents(structuredQueryFrom(req.query as Record<string, unknown>), req.get('authorization')));
    });
    router.post('/nagw-disc/v1/resolutions', async (req, res) => {
      res.json(await service.resolveNaturalLanguage(req.body, req.get('authorization')));
    });
    router.get('/nagw-disc/v1/jwks', (_req, res) => {
      res.json(service.jwks());
    });

    router.post('/nagw-route/v1/capability/:name', async (req, res) => {
      const answer = await service.routeToCapability(req.params.name as string, req.body, req.query['requester-aic'] as string | undefined, req.get('authorization'));
      res.set('x-served-by-aic', answer.servedBy);
      if (answer.status >= 400) {
        // The agent refused the request: its refusal, told as a problem of the request. A 401 is
        // about the requester's call token, and keeps the agent's challenge (RFC 9110 section 15.5.2).
        const detail = (answer.body as { detail?: string } | undefined)?.detail;
        const status = [400, 401, 403, 404].includes(answer.status) ? answer.status : 400;
        const headers = status === 401 ? { 'WWW-Authenticate': answer.challenge ?? 'Bearer error="invalid_token"' } : undefined;
        throw new ProblemError(status, `agent ${answer.servedBy} refused the request${detail ? `: ${detail}` : ''}`, { cause: 'AGENT_REFUSED', headers });
      }
      // An answer that is not a JSON object (an array, a string) is wrapped, as the operation's schema asks.
      const isObject = typeof answer.body === 'object' && answer.body !== null && !Array.isArray(answer.body);
      res.status(200).json(isObject ? answer.body : { result: answer.body });
    });

    router.get('/nagw-pol/v1/decisions', async (req, res) => {
      const q = req.query as Record<string, string>;
      res.json(await service.decidePolicy({ requesterAic: q['requester-aic'], capabilityId: q['capability-id'], action: q.action as 'discover' | 'invoke' }));
    });
    router.get('/nagw-pol/v1/rules', async (_req, res) => {
      res.json(await service.listPolicyRules());
    });
    router.put('/nagw-pol/v1/rules/:ruleId', async (req, res) => {
      const { created, rule } = await service.putPolicyRule(req.params.ruleId as string, req.body);
      res.status(created ? 201 : 200).json(rule);
    });
    router.delete('/nagw-pol/v1/rules/:ruleId', async (req, res) => {
      await service.deletePolicyRule(req.params.ruleId as string);
      res.status(204).end();
    });

    router.get('/nagw-evts/v1/events', async (req, res) => {
      const q = req.query as Record<string, unknown>;
      res.json(await service.listEvents({ type: q.type as string | undefined, aic: q.aic as string | undefined, correlationId: q['correlation-id'] as string | undefined, since: q.since as string | undefined, limit: q.limit as number | undefined }));
    });
  };
}
