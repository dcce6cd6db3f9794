/** GET /healthz tells a health-checked start order whether the NF can serve yet. */
import { expect } from 'chai';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../../nfs/shared/logger.ts';
import { createSbiApp } from '../../nfs/shared/sbi-app.ts';

describe('SBI app /healthz', () => {
  it('answers 503 STARTING while the NF is not ready, then 200 UP', async () => {
    let ready = false;
    const app = createSbiApp({ nf: 'AGENT_NF', logger: createLogger({ nf: 'AGENT_NF', level: 'silent' }), specs: [], routes: () => undefined, isReady: () => ready });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`;
      const starting = await fetch(url);
      expect(starting.status).to.equal(503);
      expect(await starting.json()).to.deep.equal({ status: 'STARTING', nf: 'AGENT_NF' });
      ready = true;
      const up = await fetch(url);
      expect(up.status).to.equal(200);
      expect(await up.json()).to.deep.equal({ status: 'UP', nf: 'AGENT_NF' });
    } finally {
      server.close();
    }
  });
});
