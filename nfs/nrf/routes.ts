/** HTTP bindings of the NRF's services: typed input -> service call -> status and body. */
import type { Response, Router } from 'express';
import { discoveryQueryFrom } from './discovery.ts';
import { ProblemError } from '../shared/problem.ts';
import type { NrfService } from './service.ts';
import type { AccessTokenReq, NFProfile, PatchItem, SubscriptionData } from './types.ts';
import { secretAnswerHeaders } from '../shared/secret-answer.ts';

const nfm = '/nnrf-nfm/v1';

export function nrfRoutes(service: NrfService, apiRoot: () => string) {
  return (router: Router) => {
    router.put(`${nfm}/nf-instances/:nfInstanceID`, async (req, res) => {
      const { created, profile } = await service.registerNFInstance(req.params.nfInstanceID as string, req.body as NFProfile);
      if (created) res.status(201).location(`${apiRoot()}${nfm}/nf-instances/${profile.nfInstanceId}`);
      res.json(profile);
    });

    router.patch(`${nfm}/nf-instances/:nfInstanceID`, async (req, res) => {
      const { heartbeat, profile } = await service.updateNFInstance(req.params.nfInstanceID as string, req.body as PatchItem[]);
      if (heartbeat) res.status(204).end();
      else res.json(profile);
    });

    router.delete(`${nfm}/nf-instances/:nfInstanceID`, async (req, res) => {
      await service.deregisterNFInstance(req.params.nfInstanceID as string);
      res.status(204).end();
    });

    router.get(`${nfm}/nf-instances/:nfInstanceID`, async (req, res) => {
      res.json(await service.getNFInstance(req.params.nfInstanceID as string));
    });

    router.get(`${nfm}/nf-instances`, async (req, res) => {
      const { ids, total } = await service.listNFInstances({ nfType: req.query['nf-type'] as string | undefined, limit: req.query.limit as number | undefined });
      const base = `${apiRoot()}${nfm}/nf-instances`;
      res.set('content-type', 'application/3gppHal+json').send(
        JSON.stringify({ _links: { items: ids.map((id) => ({ href: `${base}/${id}` })), self: { href: base } }, totalItemCount: total }),
      );
    });

    router.post(`${nfm}/subscriptions`, async (req, res) => {
      const subscription = await service.createSubscription(req.body as SubscriptionData);
      res.status(201).location(`${apiRoot()}${nfm}/subscriptions/${subscription.subscriptionId}`).json(subscription);
    });

    router.delete(`${nfm}/subscriptions/:subscriptionID`, async (req, res) => {
      await service.removeSubscription(req.params.subscriptionID as string);
      res.status(204).end();
    });

    router.get('/nnrf-disc/v1/nf-instances', async (req, res) => {
      res.json(await service.searchNFInstances(discoveryQueryFrom(req.query as Record<string, unknown>)));
    });

    router.post('/oauth2/token', async (req, res) => {
      res.set(secretAnswerHeaders);
      try {
        res.json(await service.accessTokenRequest(req.body as AccessTokenReq));
      } catch (error) {
        if (!(error instanceof ProblemError) || error.status !== 400) throw error;
        sendAccessTokenErr(res, error);
      }
    });

    router.get('/oauth2/jwks', (_req, res) => {
      res.json(service.jwks());
    });
  };
}

/** RFC 6749 clause 5.2 and TS 29.510 clause 6.3.5.2.5: a refused token request answers AccessTokenErr. */
function sendAccessTokenErr(res: Response, error: ProblemError): void {
  res.status(400).json({ error: error.cause ?? 'invalid_request', error_description: error.message });
}
