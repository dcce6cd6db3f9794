import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { createNrfService, type NrfService } from '../../nfs/nrf/service.ts';
import { defaultNrfSettings } from '../../nfs/nrf/settings.ts';
import { openNrfStore } from '../../nfs/nrf/store.ts';
import type { NotificationData } from '../../nfs/nrf/types.ts';
import { ProblemError } from '../../nfs/shared/problem.ts';
import { compileSchemaCheck } from '../../nfs/shared/schema-validator.ts';
import { createEmbeddedStore } from '../../nfs/shared/store/embedded-store.ts';
import { amfProfile } from '../support/nrf-harness.ts';

/** The NRF's procedures with a memory store, a recording notifier and a clock the test moves. */
async function nrfWithFakeClock() {
  // Starts at the real time: the store's TTL index removes expired documents by the wall clock.
  const start = Date.now();
  let clock = start;
  const sent: Array<{ uri: string; data: NotificationData }> = [];
  const service = await createNrfService({
    store: await openNrfStore(createEmbeddedStore()),
    settings: { ...defaultNrfSettings, nrfInstanceId: randomUUID(), heartbeatGraceMs: 1000 },
    notifier: { send: (uri, data) => void sent.push({ uri, data }) },
    checkProfile: await compileSchemaCheck('nnrf-nfm.yaml', 'NFProfile'),
    nfInstanceUri: (id) => `http://nrf/nnrf-nfm/v1/nf-instances/${id}`,
    now: () => clock,
  });
  return { service, sent, start, advance: (ms: number) => void (clock += ms) };
}

describe('NRF service procedures without HTTP', () => {
  let nrf: Awaited<ReturnType<typeof nrfWithFakeClock>>;
  let service: NrfService;
  beforeEach(async () => {
    nrf = await nrfWithFakeClock();
    service = nrf.service;
  });

  it('suspends an instance only once heartBeatTimer plus grace has passed without a heartbeat', async () => {
    const id = randomUUID();
    await service.registerNFInstance(id, amfProfile(id, { heartBeatTimer: 10 }) as never);
    nrf.advance(10_999);
    expect(await service.suspendOverdueInstances()).to.deep.equal([]);
    nrf.advance(2);
    expect(await service.suspendOverdueInstances()).to.deep.equal([id]);
    expect((await service.getNFInstance(id)).nfStatus).to.equal('SUSPENDED');
    expect(await service.suspendOverdueInstances()).to.deep.equal([]);
  });

  it('restarts the heartbeat deadline with every heartbeat', async () => {
    const id = randomUUID();
    await service.registerNFInstance(id, amfProfile(id, { heartBeatTimer: 10 }) as never);
    for (let beat = 0; beat < 5; beat += 1) {
      nrf.advance(9_000);
      await service.updateNFInstance(id, [{ op: 'replace', path: '/nfStatus', value: 'REGISTERED' }]);
    }
    expect(await service.suspendOverdueInstances()).to.deep.equal([]);
  });

  it('notifies only subscriptions whose service-name condition matches', async () => {
    await service.createSubscription({ nfStatusNotificationUri: 'http://a/notify', subscrCond: { serviceName: 'namf-evts' } });
    await service.createSubscription({ nfStatusNotificationUri: 'http://b/notify', subscrCond: { serviceName: 'nsmf-pdusession' } });
    const id = randomUUID();
    await service.registerNFInstance(id, amfProfile(id) as never);
    expect(nrf.sent.map((n) => [n.uri, n.data.event])).to.deep.equal([['http://a/notify', 'NF_REGISTERED']]);
  });

  it('drops a subscription once its validityTime has passed', async () => {
    await service.createSubscription({ nfStatusNotificationUri: 'http://a/notify', validityTime: new Date(nrf.start + 60_000).toISOString() });
    nrf.advance(120_000);
    const id = randomUUID();
    await service.registerNFInstance(id, amfProfile(id) as never);
    expect(nrf.sent).to.deep.equal([]);
  });

  it('caps a requested validityTime at the NRF maximum', async () => {
    const far = new Date(nrf.start + 365 * 86_400_000).toISOString();
    const created = await service.createSubscription({ nfStatusNotificationUri: 'http://a/notify', validityTime: far });
    expect(Date.parse(created.validityTime!)).to.equal(nrf.start + 86_400_000);
  });

  it('changes the registry version on every change discovery can see, and not on a plain heartbeat', async () => {
    const id = randomUUID();
    const start = service.registryVersion();
    await service.registerNFInstance(id, amfProfile(id) as never);
    const afterRegister = service.registryVersion();
    await service.updateNFInstance(id, [{ op: 'replace', path: '/nfStatus', value: 'REGISTERED' }]);
    expect(service.registryVersion()).to.equal(afterRegister);
    await service.deregisterNFInstance(id);
    expect(afterRegister).to.be.greaterThan(start);
    expect(service.registryVersion()).to.be.greaterThan(afterRegister);
  });

  it('throws a 404 ProblemError for procedures on an unknown instance', async () => {
    for (const call of [() => service.getNFInstance(randomUUID()), () => service.deregisterNFInstance(randomUUID())]) {
      const error = await call().then(() => undefined, (e: unknown) => e);
      expect(error).to.be.instanceOf(ProblemError);
      expect((error as ProblemError).status).to.equal(404);
    }
  });
});
