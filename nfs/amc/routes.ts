/** HTTP bindings of the AMC's services: typed input -> service call -> status and body. */
import type { Router } from 'express';
import { createHash } from 'node:crypto';
import { callerOf } from '../shared/access-token-guard.ts';
import type { AuthorizationRequest } from './authorization.ts';
import type { RevocationReason } from './credentials.ts';
import type { AmcService } from './service.ts';
import { secretAnswerHeaders } from '../shared/secret-answer.ts';

const cred = '/namc-cred/v1';
/** A credential's status is read as it is now: a cache asks again each time (RFC 9111 section 5.2.2.4). */
const liveStatusHeaders = { 'Cache-Control': 'no-cache' };

/**
 * A CRL's entity tag: its number (RFC 5280 section 5.2.3) under its CA. Numbers are unique to one
 * CA's CRLs; an AMC that starts with another CA (a store that does not persist, or a new CA from
 * the operator) numbers its CRLs from the start again, and a cache holding the old CA's CRL of
 * the same number must not be told it is current (RFC 9110 section 8.8.3).
 */
export function crlEntityTag(caCertificatePem: string, crlNumber: number): string {
  const ca = createHash('sha256').update(caCertificatePem).digest('base64url').slice(0, 16);
  return `"${ca}.${crlNumber}"`;
}

/** Created resources are named in Location, absolute under the NF's apiRoot (RFC 9110 section 15.3.2). */
export function amcRoutes(service: AmcService, apiRoot: () => string) {
  return (router: Router) => {
    router.get('/namc-prov/v1/providers', async (_req, res) => {
      res.json(await service.listProviders());
    });
    router.post('/namc-prov/v1/providers', async (req, res) => {
      const provider = await service.createProvider(req.body);
      res.status(201).location(`${apiRoot()}/namc-prov/v1/providers/${provider.providerId}`).set(secretAnswerHeaders).json(provider);
    });
    router.get('/namc-prov/v1/providers/:providerId', async (req, res) => {
      res.json(await service.getProvider(req.params.providerId as string));
    });
    router.patch('/namc-prov/v1/providers/:providerId', async (req, res) => {
      res.json(await service.updateProvider(req.params.providerId as string, req.body));
    });

    router.post('/namc-auth/v1/authorizations', async (req, res) => {
      res.json(await service.authorize(req.body as AuthorizationRequest, callerOf(res)));
    });

    router.post(`${cred}/credentials`, async (req, res) => {
      const issued = await service.issueCredential(req.body, callerOf(res));
      res.status(201).location(`${apiRoot()}${cred}/credentials/${issued.serialNumber}`).json(issued);
    });
    router.get(`${cred}/credentials`, async (req, res) => {
      const { aic, 'changed-since': changedSince, 'public-key-sha256': publicKeySha256, 'gateway-id': gatewayId } = req.query as Record<string, string | undefined>;
      res.set(liveStatusHeaders).json(await service.listCredentials(aic, changedSince, publicKeySha256, gatewayId));
    });
    router.get(`${cred}/credentials/:serialNumber`, async (req, res) => {
      res.set(liveStatusHeaders).json(await service.getCredentialStatus(req.params.serialNumber as string));
    });
    router.post(`${cred}/credentials/:serialNumber/renew`, async (req, res) => {
      const renewed = await service.renewCredential(req.params.serialNumber as string, req.body.csrPem);
      res.status(201).location(`${apiRoot()}${cred}/credentials/${renewed.serialNumber}`).json(renewed);
    });
    router.post(`${cred}/credentials/:serialNumber/suspend`, async (req, res) => {
      res.json(await service.suspendCredential(req.params.serialNumber as string, req.body?.reason as RevocationReason | undefined));
    });
    router.post(`${cred}/credentials/:serialNumber/resume`, async (req, res) => {
      res.json(await service.resumeCredential(req.params.serialNumber as string));
    });
    router.post(`${cred}/credentials/:serialNumber/revoke`, async (req, res) => {
      res.json(await service.revokeCredential(req.params.serialNumber as string, req.body?.reason as RevocationReason | undefined, req.body?.onlyIfStatus as 'GOOD' | 'SUSPENDED' | undefined));
    });
    router.get(`${cred}/crl`, async (req, res) => {
      const crl = await service.crl();
      // A change is in the next CRL at once, so a cache asks again each time (no-cache), and is
      // answered 304 while the CRL it holds is the latest: its entity tag is the CRL number under
      // its CA (crlEntityTag; RFC 9110 section 13.1.2). No Last-Modified: two CRLs made within
      // one second would share it. Expires says the CRL's nextUpdate for those who keep it by its
      // own terms (RFC 5280 section 5.1.2.5).
      res.type('application/pkix-crl').set({ 'Cache-Control': 'public, no-cache', ETag: crlEntityTag(service.caCertificatePem(), crl.crlNumber), Expires: crl.nextUpdate.toUTCString() });
      if (req.fresh) return void res.status(304).end();
      res.send(Buffer.from(crl.der));
    });
    router.get(`${cred}/ca`, (_req, res) => {
      // RFC 8555 section 9.1 registers this type for PEM certificates; application/x-pem-file is unregistered.
      res.type('application/pem-certificate-chain').send(service.caCertificatePem());
    });
    router.get(`${cred}/trust-anchors`, (_req, res) => {
      res.json(service.trustAnchors());
    });
    router.post(`${cred}/subscriptions`, async (req, res) => {
      const { subscriptionId, created } = await service.subscribe(req.body.notificationUri, callerOf(res));
      res.status(created ? 201 : 200).location(`${apiRoot()}${cred}/subscriptions/${subscriptionId}`).json({ subscriptionId });
    });
    router.delete(`${cred}/subscriptions/:subscriptionId`, async (req, res) => {
      await service.unsubscribe(req.params.subscriptionId as string, callerOf(res));
      res.status(204).end();
    });
  };
}
