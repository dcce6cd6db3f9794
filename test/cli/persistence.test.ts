/**
 * The embedded store with --data-dir, with real processes: whatever the emulator acknowledged
 * before a SIGKILL (the AMC's CA, the agents' registrations and credentials, a UE's agent, an SMF
 * session, the gateway's events) is there when it starts again on the same directory.
 */
import { expect } from 'chai';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { described, dmscJson, everyPortFree, killStartedDmsc, runDmsc, startDmsc, waitForStdout, within } from '../support/dmsc-process.ts';
import { request } from '../support/nrf-harness.ts';

interface AgentListing {
  aic: string;
  name?: string;
  capabilities: string[];
  certificate: string;
}

async function startCore(dataDir: string) {
  const dmsc = startDmsc(['up', '--json', '--data-dir', dataDir, ...everyPortFree]);
  const [line] = await waitForStdout(dmsc, /^\{"store".*\}$/m, 60_000);
  const up = JSON.parse(line) as { nfs: { nf: string; url: string; nfInstanceId: string }[] };
  const url = (name: string) => up.nfs.find((nf) => nf.nf === name)!.url;
  const registeredIds = Object.fromEntries(up.nfs.filter((nf) => nf.nf !== 'nrf').map((nf) => [nf.nf, nf.nfInstanceId]));
  return { dmsc, url, registeredIds };
}

describe('persistence with --data-dir across a SIGKILL of the whole emulator', function () {
  this.timeout(180_000);
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'dmsc-persistence-'));
  });
  afterEach(async () => {
    await killStartedDmsc();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps the CA, every registration and credential, the UE agent and the session acknowledged before the kill', async () => {
    const first = await startCore(dataDir);
    const nrf = first.url('nrf');
    const caBefore = (await runDmsc(['ca', '--pem', '--nrf', nrf], 30_000)).stdout;
    expect(caBefore).to.match(/^-----BEGIN CERTIFICATE-----/);

    const ue = await dmscJson<{ ueAgent: { status: string; aic: string } }>(['ue', 'register', '--json', '--nrf', nrf, '--supi', 'imsi-001010000000077']);
    expect(ue.ueAgent.status).to.equal('REGISTERED');
    const agentsBefore = await dmscJson<AgentListing[]>(['agents', '--json', '--nrf', nrf]);
    expect(agentsBefore.map((agent) => agent.aic)).to.include(ue.ueAgent.aic);

    // An intent runs its tasks in SMF-authorized sessions that the intent agent keeps open for reuse.
    const intent = await dmscJson<{ outcome: string }>(['ue', 'intent', '--json', '--nrf', nrf, '--supi', 'imsi-001010000000078', 'why is my mobile connection slow']);
    expect(intent.outcome).to.equal('completed');
    const sessionsUrl = (core: { url(name: string): string }) => `${core.url('smf')}/nsmf-agentsession/v1/sessions`;
    const sessionsBefore = (await request('GET', sessionsUrl(first))).body as { sessionId: string; state: string; initiatorAic: string; targetAic: string }[];
    expect(sessionsBefore.filter((session) => session.state === 'ESTABLISHED').length, JSON.stringify(sessionsBefore)).to.be.greaterThan(0);

    first.dmsc.child.kill('SIGKILL');
    const killed = await within(first.dmsc.exited, 5_000, () => 'waiting for the SIGKILL');
    expect(killed.signal).to.equal('SIGKILL');

    const second = await startCore(dataDir);
    const nrfAgain = second.url('nrf');
    // Each NF registered again under its instance ID, replacing its profile: no stale profile of the
    // killed run is left at the NRF for peers to discover.
    expect(second.registeredIds).to.deep.equal(first.registeredIds);
    const profiles = await request('GET', `${nrfAgain}/nnrf-nfm/v1/nf-instances`);
    const listed = (profiles.body._links?.items ?? []).map((item: { href: string }) => item.href.split('/').pop());
    expect([...listed].sort(), JSON.stringify(profiles.body)).to.deep.equal(Object.values(first.registeredIds).sort());
    const caAfter = (await runDmsc(['ca', '--pem', '--nrf', nrfAgain], 30_000)).stdout;
    expect(caAfter, 'the same CA certificate').to.equal(caBefore);

    const agentsAfter = await dmscJson<AgentListing[]>(['agents', '--json', '--nrf', nrfAgain]);
    for (const before of agentsBefore) {
      const after = agentsAfter.find((agent) => agent.aic === before.aic);
      expect(after, `registration ${before.aic} (${before.name ?? ''}) kept`).to.not.equal(undefined);
      expect(after!.certificate, `certificate of ${before.aic} kept`).to.equal(before.certificate);
      expect(after!.capabilities).to.deep.equal(before.capabilities);
    }

    const credentials = await request('GET', `${second.url('amc')}/namc-cred/v1/credentials?aic=${encodeURIComponent(ue.ueAgent.aic)}`);
    expect(credentials.status).to.equal(200);
    expect(credentials.body.map((credential: { status: string }) => credential.status), JSON.stringify(credentials.body)).to.include('GOOD');

    // The gateway's recent events too (its own file beside the collections, written every 200 ms).
    const registered = await request('GET', `${second.url('agw')}/nagw-evts/v1/events?type=agent.registered&aic=${encodeURIComponent(ue.ueAgent.aic)}`);
    expect(registered.body.map((event: { aic: string }) => event.aic), JSON.stringify(registered.body)).to.deep.equal([ue.ueAgent.aic]);

    for (const before of sessionsBefore) {
      const after = await request('GET', `${sessionsUrl(second)}/${before.sessionId}`);
      expect(after.status, JSON.stringify(after.body)).to.equal(200);
      expect(after.body).to.include({ sessionId: before.sessionId, state: before.state, initiatorAic: before.initiatorAic, targetAic: before.targetAic });
    }

    second.dmsc.child.kill('SIGTERM');
    const exit = await within(second.dmsc.exited, 30_000, () => `waiting for dmsc up to stop${described(second.dmsc)}`);
    expect(exit.code, described(second.dmsc)).to.equal(0);
  });
});

describe('a data directory laid out by the other way of running', function () {
  this.timeout(60_000);
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'dmsc-layout-'));
  });
  afterEach(async () => {
    await killStartedDmsc();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('is refused, naming the other way (exit 2), whichever way it was written: one store, or a store per NF (--processes)', async () => {
    await mkdir(path.join(dataDir, 'amc'));
    await writeFile(path.join(dataDir, 'amc', 'amc.credentials.db'), '');
    const inOneProcess = await runDmsc(['up', '--only', 'nrf', '--ports', 'nrf=0', '--data-dir', dataDir], 30_000);
    expect([inOneProcess.code, inOneProcess.stderr]).to.satisfy(([code, stderr]: [number, string]) => code === 2 && /holds the stores of a core run with --processes .*start it with --processes/.test(stderr));

    const written = await mkdtemp(path.join(tmpdir(), 'dmsc-layout-one-'));
    try {
      await writeFile(path.join(written, 'agw.agents.db'), '');
      const asProcesses = await runDmsc(['up', '--processes', '--only', 'nrf', '--ports', 'nrf=0', '--data-dir', written], 30_000);
      expect([asProcesses.code, asProcesses.stderr]).to.satisfy(([code, stderr]: [number, string]) => code === 2 && /holds the store of a core run in one process .*start it without --processes/.test(stderr));
      expect(await readdir(written), 'nothing written').to.deep.equal(['agw.agents.db']);
    } finally {
      await rm(written, { recursive: true, force: true });
    }
  });
});
