/**
 * HTTP binding of the AMF's NAS transport: typed input -> service call -> status and body. The
 * fast path (app.ts, json-post-fast-path.ts) serves this route before express; express serves it when the app
 * runs without the fast path.
 */
import type { Router } from 'express';
import type { AmfService } from './service.ts';
import type { UplinkNasMessage } from './types.ts';

export const n1MessagesPath = '/namf-nas/v1/n1-messages';

export function amfRoutes(service: AmfService) {
  return (router: Router) => {
    router.post(n1MessagesPath, async (req, res) => {
      const answer = await service.handleUplinkNasMessage(req.body as UplinkNasMessage);
      if (answer === undefined) res.status(204).end();
      else res.status(200).json(answer);
    });
  };
}
