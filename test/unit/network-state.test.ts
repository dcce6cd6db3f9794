import { expect } from 'chai';
import { openNetworkState, type NetworkState, type QosGrant } from '../../nfs/agent-nf/network-state.ts';
import { defaultBroadbandFault } from '../../nfs/agent-nf/network-broadband.ts';
import type { Store } from '../../nfs/shared/store/collection.ts';
import { openStore } from '../../nfs/shared/store/open-store.ts';

const eveningPeak = Date.UTC(2025, 4, 14, 19, 5);
const grant: QosGrant = { fiveQi: 2, resourceType: 'GBR', gbrDlMbps: 40, gbrUlMbps: null, mbrDlMbps: 60, packetDelayBudgetMs: 150, serviceType: 'video', durationMinutes: 120, reservedMbps: 40 };
const collections = ['netstate.cells', 'netstate.attachments', 'netstate.qos', 'netstate.broadband', 'netstate.visits', 'netstate.subscriptions'];

/** The first SUPI from imsi-00101000000000<n> on whose default line `pick` holds. */
const supiWhere = (pick: (supi: string) => boolean) => {
  for (let n = 1; n < 10_000; n += 1) {
    const supi = `imsi-00101${String(n).padStart(10, '0')}`;
    if (pick(supi)) return supi;
  }
  throw new Error('no SUPI found');
};

describe('network state', () => {
  let store: Store;
  let clock: number;
  let state: NetworkState;
  const now = () => clock;

  beforeEach(async () => {
    store = await openStore({});
    clock = eveningPeak;
    state = await openNetworkState({ store, now });
  });
  afterEach(() => store.close());

  it('has a grid of 12 cells with unique ids and 6-hex-digit tracking area codes', () => {
    expect(state.cells).to.have.length(12);
    expect(new Set(state.cells.map((cell) => cell.cellId)).size).to.equal(12);
    for (const cell of state.cells) expect(cell.tac).to.match(/^[0-9A-F]{6}$/);
  });

  it('gives a SUPI the same cell, radio, line and plan in two independent networks, and stores nothing for reads', async () => {
    const supi = 'imsi-001010123456789';
    const other = await openNetworkState({ store: await openStore({}), now });
    const read = async (network: NetworkState) => [
      await network.getUeRadio(supi), await network.getBroadbandLine(supi), await network.getSubscription(supi), await network.listCells(),
    ];
    expect(await read(state)).to.deep.equal(await read(other));
    for (const name of collections) expect(await store.collection(name).countDocuments({}), name).to.equal(0);
  });

  it('spreads SUPIs over several cells', async () => {
    const cells = new Set<string>();
    for (let n = 0; n < 60; n += 1) cells.add((await state.getUeRadio(`imsi-0010100000${String(n).padStart(5, '0')}`)).cellId);
    expect(cells.size).to.be.greaterThan(6);
  });

  it('loads every cell less at 04:00 than in the 19:00 peak', async () => {
    const peak = await state.listCells();
    clock = Date.UTC(2025, 4, 15, 4, 0);
    const night = await state.listCells();
    night.forEach((cell, index) => expect(cell.loadPercent, cell.cellId).to.be.lessThan(peak[index].loadPercent));
  });

  it('pins a cell load with an override and returns to the profile when it is cleared', async () => {
    const profile = (await state.getCell('nr-cell-003'))!.loadPercent;
    await state.setCellLoad('nr-cell-003', 97);
    expect(await state.getCell('nr-cell-003')).to.include({ loadPercent: 97, overridden: true, level: 'congested' });
    await state.setCellLoad('nr-cell-003', null);
    expect(await state.getCell('nr-cell-003')).to.include({ loadPercent: profile, overridden: false });
  });

  it('refuses an override of an unknown cell or outside 0..100', async () => {
    await state.setCellLoad('nr-cell-999', 50).then(() => expect.fail('accepted'), (error) => expect(error).to.be.instanceOf(RangeError));
    await state.setCellLoad('nr-cell-001', 101).then(() => expect.fail('accepted'), (error) => expect(error).to.be.instanceOf(RangeError));
  });

  it('starts a UE on 5QI 9 and shows a granted profile, its reserved load in the cell, until it expires', async () => {
    const supi = 'imsi-001010000000042';
    expect(await state.getQosProfile(supi)).to.include({ fiveQi: 9, isDefault: true });
    const { cellId } = await state.getUeRadio(supi);
    await state.setCellLoad(cellId, 50);
    const profile = await state.setQosProfile(supi, grant);
    expect(profile).to.include({ fiveQi: 2, gbrDlMbps: 40, isDefault: false, cellId });
    const cell = (await state.getCell(cellId))!;
    expect(cell.loadPercent).to.equal(50 + Math.round(cell.boostLoadPercent));
    expect(cell.boostLoadPercent).to.be.greaterThan(0);
    expect((await state.getUeRadio(supi)).qos.fiveQi).to.equal(2);
    clock += 121 * 60_000;
    expect(await state.getQosProfile(supi)).to.include({ fiveQi: 9, isDefault: true });
    expect((await state.getCell(cellId))!.boostLoadPercent).to.equal(0);
  });

  it('releases a boost and moves it with the UE to another cell', async () => {
    const supi = 'imsi-001010000000043';
    await state.setQosProfile(supi, grant);
    const { cellId } = await state.getUeRadio(supi);
    const target = state.cells.find((cell) => cell.cellId !== cellId)!.cellId;
    await state.moveUe(supi, target);
    expect((await state.getUeRadio(supi)).cellId).to.equal(target);
    expect((await state.getQosProfile(supi)).cellId).to.equal(target);
    expect(await state.releaseQosProfile(supi)).to.equal(true);
    expect(await state.releaseQosProfile(supi)).to.equal(false);
  });

  it('repairs a remotely fixable line fault and keeps it repaired', async () => {
    const supi = supiWhere((candidate) => defaultBroadbandFault(candidate) === 'PPPOE_AUTH_FAILURE');
    expect((await state.getBroadbandLine(supi)).pppoeSession).to.equal('AUTH_FAILED');
    const { repaired, line } = await state.repairBroadbandFault(supi, 'PPPOE_AUTH_FAILURE');
    expect(repaired).to.equal(true);
    expect(line).to.include({ fault: null, pppoeSession: 'UP' });
    const reopened = await openNetworkState({ store, now });
    expect((await reopened.getBroadbandLine(supi)).lastRepair).to.include({ fault: 'PPPOE_AUTH_FAILURE', by: 'remote' });
  });

  it('does not repair a cut fibre remotely; the line is repaired once the booked visit is over', async () => {
    const supi = supiWhere((candidate) => defaultBroadbandFault(candidate) === 'ONT_LOS');
    expect((await state.repairBroadbandFault(supi, 'ONT_LOS')).repaired).to.equal(false);
    const { visit, alreadyBooked } = await state.bookEngineerVisit(supi, { fault: 'ONT_LOS', skill: 'fibre-splicing', urgency: 'high' });
    expect(alreadyBooked).to.equal(false);
    expect(Date.parse(visit.windowStart)).to.be.greaterThan(clock);
    expect((await state.bookEngineerVisit(supi, { fault: 'ONT_LOS', skill: 'fibre-splicing', urgency: 'high' })).visit.visitId).to.equal(visit.visitId);
    expect((await state.getBroadbandLine(supi)).lineStatus).to.equal('DOWN');
    clock = Date.parse(visit.windowEnd);
    const line = await state.getBroadbandLine(supi);
    expect(line).to.include({ fault: null, lineStatus: 'UP' });
    expect(line.lastRepair).to.include({ by: 'engineer', fault: 'ONT_LOS' });
  });

  it('never books one engineer window twice', async () => {
    const windows = new Set<string>();
    for (let n = 0; n < 12; n += 1) {
      const { visit } = await state.bookEngineerVisit(`imsi-0010100000000${n + 10}`, { fault: null, skill: 'fibre-splicing', urgency: 'medium' });
      windows.add(`${visit.engineerId}|${visit.windowStart}`);
    }
    expect(windows.size).to.equal(12);
  });

  it('grows data usage through the month and keeps a changed plan', async () => {
    const supi = 'imsi-001010000000077';
    clock = Date.UTC(2025, 4, 3, 12);
    const early = await state.getSubscription(supi);
    clock = Date.UTC(2025, 4, 25, 12);
    const late = await state.getSubscription(supi);
    expect(late.usedGb).to.be.greaterThan(early.usedGb);
    const target = early.plan.planId === 'unlimited' ? 'plus-50' : 'unlimited';
    const { changed, subscription } = await state.changePlan(supi, target);
    expect(changed).to.equal(true);
    expect(subscription.previousPlan!.planId).to.equal(early.plan.planId);
    expect((await (await openNetworkState({ store, now })).getSubscription(supi)).plan.planId).to.equal(target);
    expect((await state.changePlan(supi, target)).changed).to.equal(false);
    await state.changePlan(supi, 'gold').then(() => expect.fail('accepted'), (error) => expect(error).to.be.instanceOf(RangeError));
  });
});

