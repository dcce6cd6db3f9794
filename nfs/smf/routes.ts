/** HTTP bindings of nsmf-agentsession: typed input -> service call -> status and body. */
import type { Router } from 'express';
import type { SmfService } from './service.ts';
import type { SessionCreateData, SessionEstablishData, SessionModifyData, SessionReleaseData, SessionState } from './types.ts';

export const smfServiceName = 'nsmf-agentsession';
const base = `/${smfServiceName}/v1`;

export function smfRoutes(service: SmfService, apiRoot: () => string) {
  return (router: Router) => {
    router.post(`${base}/sessions`, async (req, res) => {
      const session = await service.createSession(req.body as SessionCreateData, req.headers.authorization);
      res.status(201).location(`${apiRoot()}${base}/sessions/${session.sessionId}`).json(session);
    });
    router.get(`${base}/sessions`, async (req, res) => {
      const q = req.query as Record<string, unknown>;
      res.json(await service.listSessions({ state: q.state as SessionState | undefined, aic: q.aic as string | undefined, limit: q.limit as number | undefined }));
    });
    router.get(`${base}/sessions/:sessionId`, async (req, res) => {
      res.json(await service.getSession(req.params.sessionId as string));
    });
    router.post(`${base}/sessions/:sessionId/establish`, async (req, res) => {
      res.json(await service.establishSession(req.params.sessionId as string, req.body as SessionEstablishData, req.headers.authorization));
    });
    router.post(`${base}/sessions/:sessionId/modify`, async (req, res) => {
      res.json(await service.updateSession(req.params.sessionId as string, req.body as SessionModifyData, req.headers.authorization));
    });
    router.post(`${base}/sessions/:sessionId/release`, async (req, res) => {
      res.json(await service.releaseSession(req.params.sessionId as string, req.body as SessionReleaseData, req.headers.authorization));
    });
    router.get(`${base}/jwks`, (_req, res) => {
      res.json(service.jwks());
    });
  };
}
