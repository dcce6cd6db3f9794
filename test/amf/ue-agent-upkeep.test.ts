/**
 * What the AMF owes the AGW for UE agents is kept in the UE contexts (agentDueAt) and paid by the
 * timers (inactivity releases too): a report that failed is tried again after agwRetrySeconds, an agent the AGW forgot is
 * forgotten, a deregistration that failed is retried. A memory store and a fake AGW, no sockets.
 */
import { expect } from 'chai';
import { UeAgentGoneError, type AgwConsumer } from '../../nfs/amf/consumer.ts';
import { defaultAmfSettings } from '../../nfs/amf/settings.ts';
import { openAmfStore, type AmfStore, type UeContextDocument } from '../../nfs/amf/store.ts';
import { createTimers } from '../../nfs/amf/timers.ts';
import { createUeAgents } from '../../nfs/amf/ue-agent.ts';
import { createLogger } from '../../nfs/shared/logger.ts';
import { ProblemError } from '../../nfs/shared/problem.ts';
import { createEmbeddedStore } from '../../nfs/shared/store/embedded-store.ts';

describe('AMF upkeep of UE agents at the AGW, with a fake AGW', () => {
  let now = 1_000_000;
  let store: AmfStore;
  let failures: Error[] = [];
  const calls: string[] = [];
  const next = async (call: string) => {
    calls.push(call);
    const failure = failures.shift();
    if (failure) throw failure;
  };
  const agw: AgwConsumer = {
    registerUeAgent: async () => expect.fail('no registration here'),
    reportUeState: (agent, cmState) => next(`ue-state ${agent.aic} ${cmState}`),
    heartbeat: (agent) => next(`heartbeat ${agent.aic}`),
    deregisterUeAgent: (agent) => next(`deregister ${agent.aic}`),
    discoverAgents: async () => [],
  };
  const settings = { ...defaultAmfSettings, agwRetrySeconds: 5 };
  let timers: ReturnType<typeof createTimers>;

  const context = (supi: string, changes: Partial<UeContextDocument>): UeContextDocument => ({
    _id: supi,
    supi,
    guti: `5g-guti-00101cafe00${supi.slice(-8)}`,
    rmState: 'RM-REGISTERED',
    cmState: 'CM-IDLE',
    registrationComplete: true,
    intentConversionOnUe: false,
    ueAgent: { aic: `aic-${supi}`, registrationAccessToken: 'token', heartbeatIntervalSeconds: 30, reportedCmState: 'CM-CONNECTED' },
    agentDueAt: now,
    lastActivityAt: now,
    registeredAt: new Date(now).toISOString(),
    ...changes,
  });
  const stored = (supi: string) => store.ueContexts.findOne({ _id: supi });
  /** A context as a procedure leaves it: stored, with its timer set. */
  const put = async (document: UeContextDocument) => {
    await store.ueContexts.insertOne(document);
    await timers.schedule(document);
  };

  beforeEach(async () => {
    store = await openAmfStore(createEmbeddedStore());
    failures = [];
    calls.length = 0;
    const logger = createLogger({ nf: 'AMF', level: 'silent' });
    const ueAgents = createUeAgents({ store, agw, settings, logger, now: () => now });
    timers = createTimers({ store, ueAgents, settings, logger, now: () => now });
  });

  it('retries a CM state report the AGW did not take, after agwRetrySeconds', async () => {
    await put(context('imsi-001010000000001', {}));
    failures = [new ProblemError(504, 'AGW unreachable')];
    await timers.runTimers();
    expect(await stored('imsi-001010000000001')).to.deep.include({ agentDueAt: now + 5000 });
    expect((await stored('imsi-001010000000001'))!.ueAgent!.reportedCmState).to.equal('CM-CONNECTED');
    await timers.runTimers();
    expect(calls).to.have.length(1);
    now += 5000;
    await timers.runTimers();
    expect(calls).to.deep.equal(['ue-state aic-imsi-001010000000001 CM-IDLE', 'ue-state aic-imsi-001010000000001 CM-IDLE']);
    const reported = await stored('imsi-001010000000001');
    expect(reported!.ueAgent!.reportedCmState).to.equal('CM-IDLE');
    expect(reported!.agentDueAt).to.equal(undefined);
  });

  it('heartbeats before reporting CM-CONNECTED, then schedules the next heartbeat', async () => {
    await put(context('imsi-001010000000002', { cmState: 'CM-CONNECTED', ueAgent: { aic: 'aic-2', registrationAccessToken: 't', heartbeatIntervalSeconds: 30, reportedCmState: 'CM-IDLE' } }));
    await timers.runTimers();
    expect(calls).to.deep.equal(['heartbeat aic-2', 'ue-state aic-2 CM-CONNECTED']);
    expect((await stored('imsi-001010000000002'))!.agentDueAt).to.equal(now + 30_000);
  });

  it('forgets an agent the AGW no longer knows', async () => {
    await put(context('imsi-001010000000003', {}));
    failures = [new UeAgentGoneError('aic-imsi-001010000000003', 404)];
    await timers.runTimers();
    const forgotten = await stored('imsi-001010000000003');
    expect(forgotten!.ueAgent).to.equal(undefined);
    expect(forgotten!.agentDueAt).to.equal(undefined);
  });

  it('retries the deregistration of a deregistered UE\'s agent until the AGW takes it', async () => {
    await put(context('imsi-001010000000004', { rmState: 'RM-DEREGISTERED' }));
    failures = [new ProblemError(502, 'AGW answered 500')];
    await timers.runTimers();
    expect((await stored('imsi-001010000000004'))!.ueAgent).to.not.equal(undefined);
    now += 5000;
    await timers.runTimers();
    expect(calls).to.deep.equal(['deregister aic-imsi-001010000000004', 'deregister aic-imsi-001010000000004']);
    expect((await stored('imsi-001010000000004'))!.ueAgent).to.equal(undefined);
  });

  it('releases a UE whose inactivity timer ran out, and only that one', async () => {
    const inactivity = settings.ueInactivityTimerSeconds * 1000;
    await put(context('imsi-001010000000005', { cmState: 'CM-CONNECTED', lastActivityAt: now - inactivity, ueAgent: undefined, agentDueAt: undefined }));
    await put(context('imsi-001010000000006', { cmState: 'CM-CONNECTED', lastActivityAt: now - inactivity + 1, ueAgent: undefined, agentDueAt: undefined }));
    await timers.runTimers();
    expect((await stored('imsi-001010000000005'))!.cmState).to.equal('CM-IDLE');
    expect((await stored('imsi-001010000000006'))!.cmState).to.equal('CM-CONNECTED');
    expect(await store.timers.find({})).to.deep.equal([{ _id: 'imsi-001010000000006', at: now + 1 }]);
  });

  it('lets a NAS message postpone the inactivity timer without touching it: a timer that fires early is set again', async () => {
    const inactivity = settings.ueInactivityTimerSeconds * 1000;
    await put(context('imsi-001010000000007', { cmState: 'CM-CONNECTED', lastActivityAt: now - inactivity, ueAgent: undefined, agentDueAt: undefined }));
    await store.ueContexts.findOneAndUpdate({ _id: 'imsi-001010000000007' }, { $set: { lastActivityAt: now - 10 } });
    await timers.runTimers();
    expect((await stored('imsi-001010000000007'))!.cmState).to.equal('CM-CONNECTED');
    expect(await store.timers.findOne({ _id: 'imsi-001010000000007' })).to.deep.equal({ _id: 'imsi-001010000000007', at: now - 10 + inactivity });
  });
});
