/**
 * `dmsc up --processes` with real processes: every NF its own child, an NF killed with SIGKILL is
 * restarted on its URL and the core serves intents again, Ctrl-C (SIGTERM) stops every child, and
 * no child outlives a supervisor killed with SIGKILL.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { nfCatalog } from '../../nfs/catalog.ts';
import { described, dmscJson, everyPortFree, killStartedDmsc, startDmsc, waitForStdout, within, type Dmsc } from '../support/dmsc-process.ts';
import { until } from '../support/until.ts';
import { serverNodeFlagsFor } from '../../bin/server-node-flags.ts';

interface UpLine {
  processes: boolean;
  nfs: { nf: string; nfType: string; url: string; pid: number; nfInstanceId: string }[];
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The node options a process was started with: its command line before the script (Linux's /proc). */
function nodeFlagsOf(pid: number): string[] {
  const [, ...args] = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  return args.slice(0, args.findIndex((arg) => !arg.startsWith('--')));
}

async function startProcessCore(): Promise<{ dmsc: Dmsc; up: UpLine }> {
  const dmsc = startDmsc(['up', '--processes', '--json', ...everyPortFree]);
  const [line] = await waitForStdout(dmsc, /^\{"store".*\}$/m, 90_000);
  return { dmsc, up: JSON.parse(line) as UpLine };
}

async function healthy(url: string): Promise<boolean> {
  return fetch(`${url}/healthz`).then((response) => response.ok, () => false);
}

async function expectIntentCompleted(nrf: string, supi: string): Promise<void> {
  const outcome = await dmscJson<{ outcome: string; tasks: { state: string }[] }>(['ue', 'intent', '--json', '--nrf', nrf, '--supi', supi, 'why is my mobile connection slow']);
  expect(outcome.outcome, JSON.stringify(outcome)).to.equal('completed');
  expect(outcome.tasks.length).to.be.greaterThan(0);
  expect(outcome.tasks.every((task) => task.state === 'completed'), JSON.stringify(outcome)).to.equal(true);
}

describe('dmsc up --processes (one process per NF)', function () {
  this.timeout(180_000);
  const orphans: number[] = [];

  afterEach(async () => {
    await killStartedDmsc();
    for (const pid of orphans.splice(0)) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  });

  it('restarts an NF killed with SIGKILL on its URL (the AGW, then the capability agents, whose agents register again) and answers intents after each', async () => {
    const { dmsc, up } = await startProcessCore();
    orphans.push(...up.nfs.map((nf) => nf.pid));
    expect(up.processes).to.equal(true);
    expect(up.nfs.map((nf) => nf.nf)).to.deep.equal(nfCatalog.map((nf) => nf.name));
    expect(new Set(up.nfs.map((nf) => nf.pid)).size, 'one process per NF').to.equal(nfCatalog.length);
    expect(up.nfs.map((nf) => nf.pid)).to.not.include(dmsc.child.pid);
    for (const nf of up.nfs) expect(await healthy(nf.url), `${nf.nf} answers /healthz`).to.equal(true);
    if (process.platform === 'linux') for (const nf of up.nfs) expect(nodeFlagsOf(nf.pid), `${nf.nf}'s V8 flags`).to.deep.equal(serverNodeFlagsFor());

    const nrf = up.nfs.find((nf) => nf.nf === 'nrf')!.url;
    const agw = up.nfs.find((nf) => nf.nf === 'agw')!;
    process.kill(agw.pid, 'SIGKILL');
    const [restartedLine] = await waitForStdout(dmsc, /^\{"event":"restarted","nf":"agw".*\}$/m, 60_000);
    const restarted = JSON.parse(restartedLine) as { pid: number; url: string; nfInstanceId: string; restarts: number };
    orphans.push(restarted.pid);
    expect(dmsc.output.stdout).to.match(/"event":"exited","nf":"agw","pid":\d+,"code":null,"signal":"SIGKILL"/);
    expect(restarted.url, 'same URL as before').to.equal(agw.url);
    // Asked for port 0, it listens again on the port it got: its instance ID is still the one the port asked for keys.
    expect(restarted.nfInstanceId, 'same NF instance ID, so its NRF profile is replaced').to.equal(agw.nfInstanceId);
    const agwProfiles = (await (await fetch(`${nrf}/nnrf-nfm/v1/nf-instances?nf-type=AGW`)).json()) as { _links?: { items?: unknown[] } };
    expect(agwProfiles._links?.items ?? [], 'one AGW registered at the NRF').to.have.length(1);
    expect(restarted.pid).to.not.equal(agw.pid);
    expect(restarted.restarts).to.equal(1);
    expect(isAlive(agw.pid)).to.equal(false);

    // The registrations the AGW had acknowledged survived in its store, and the agents keep them alive.
    const listed = await dmscJson<{ state: string }[]>(['agents', '--json', '--nrf', nrf]);
    expect(listed.filter((agent) => agent.state === 'ACTIVE').length).to.be.greaterThan(5);

    // The whole flow crosses the restarted AGW: UE agent registration, discovery, task resolution.
    await expectIntentCompleted(nrf, 'imsi-001010000000042');

    // A restarted NF with agents registers them at the AGW again, and intents reach them.
    const capabilityAgents = up.nfs.find((nf) => nf.nf === 'capability-agents')!;
    process.kill(capabilityAgents.pid, 'SIGKILL');
    const [agentsLine] = await waitForStdout(dmsc, /^\{"event":"restarted","nf":"capability-agents".*\}$/m, 60_000);
    const agentsRestarted = JSON.parse(agentsLine) as { pid: number };
    orphans.push(agentsRestarted.pid);
    const active = await dmscJson<{ aic: string; state: string; a2aUrl: string }[]>(['agents', '--json', '--nrf', nrf]);
    const onRestarted = active.filter((agent) => agent.state === 'ACTIVE' && agent.a2aUrl.startsWith(capabilityAgents.url));
    expect(onRestarted.length, 'agents of the restarted NF active at the AGW').to.be.at.least(9);
    await expectIntentCompleted(nrf, 'imsi-001010000000043');

    // Ctrl-C: every child stops, the supervisor exits 0.
    dmsc.child.kill('SIGTERM');
    const exit = await within(dmsc.exited, 60_000, () => `waiting for dmsc up --processes to stop${described(dmsc)}`);
    expect(exit, described(dmsc)).to.deep.equal({ code: 0, signal: null });
    for (const pid of [restarted.pid, agentsRestarted.pid, ...up.nfs.filter((nf) => !['agw', 'capability-agents'].includes(nf.nf)).map((nf) => nf.pid)]) expect(isAlive(pid), `pid ${pid} stopped`).to.equal(false);
  });

  it('no NF outlives a supervisor killed with SIGKILL', async () => {
    const { dmsc, up } = await startProcessCore();
    const pids = up.nfs.map((nf) => nf.pid);
    orphans.push(...pids);
    dmsc.child.kill('SIGKILL');
    await within(dmsc.exited, 5_000, () => 'waiting for the supervisor to die');
    await until(async () => pids.every((pid) => !isAlive(pid)), `every NF (${pids.join(', ')}) stopping after its supervisor died`, 15_000);
  });
});
