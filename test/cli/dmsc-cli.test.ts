/**
 * The `dmsc` command as a user runs it: real processes through bin/dmsc.js, each one killed in
 * afterEach whatever happens, every wait bounded. No benchmark is ever run here.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { RequestListener } from 'node:http';
import { createServer } from 'node:net';
import { nfCatalog } from '../../nfs/catalog.ts';
import { amfProfile, request } from '../support/nrf-harness.ts';
import { withStandInServer } from '../support/stand-in-server.ts';
import { described, killStartedDmsc, runDmsc, startDmsc, waitForStdout, within } from '../support/dmsc-process.ts';

const upPort = 29510;
const knownNfs = nfCatalog.map((nf) => nf.name);

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

describe('dmsc (command line)', function () {
  this.timeout(40_000);

  afterEach(killStartedDmsc);

  it('dmsc --help lists the up, nf and bench commands and exits 0', async () => {
    const { code, stdout } = await runDmsc(['--help']);
    expect(code).to.equal(0);
    for (const command of ['up', 'nf', 'bench']) expect(stdout).to.match(new RegExp(`^\\s+${command}\\b`, 'm'), `--help lists ${command}`);
  });

  it('dmsc help <name> names a command it does not know (exit 2), at every level, and shows a known one (exit 0)', async () => {
    for (const args of [['help', 'bogus'], ['bench', 'help', 'bogus']]) {
      const run = await runDmsc(args);
      expect([run.code, run.stdout, run.stderr.split('\n')[0]], args.join(' ')).to.deep.equal([2, '', "error: unknown command 'bogus'"]);
    }
    const known = await runDmsc(['help', 'agents']);
    expect([known.code, known.stdout]).to.satisfy(([code, stdout]: [number, string]) => code === 0 && stdout.startsWith('Usage: dmsc agents'));
    const nested = await runDmsc(['bench', 'help', 'agw']);
    expect([nested.code, nested.stdout.split('\n')[0]]).to.deep.equal([0, 'Usage: dmsc bench agw [options]']);
  });

  it('dmsc --version prints the version of package.json and exits 0', async () => {
    const { version } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const run = await runDmsc(['--version']);
    expect([run.code, run.stdout.trim()]).to.deep.equal([0, version]);
  });

  it('dmsc up --only nrf prints where the NRF is, serves TS 29.510 on 127.0.0.1:29510, and exits 0 on SIGTERM', async () => {
    if (!(await portIsFree(upPort))) expect.fail(`port ${upPort} on 127.0.0.1 is taken by another process; this test needs it free for dmsc up`);
    const dmsc = startDmsc(['up', '--only', 'nrf']);
    await waitForStdout(dmsc, /Ctrl-C stops every NF/);
    expect(dmsc.output.stdout).to.match(/^nrf\s+NRF\s+http:\/\/127\.0\.0\.1:29510\s+[0-9a-f-]{36}\s*$/m);

    const root = `http://127.0.0.1:${upPort}`;
    const health = await request('GET', `${root}/healthz`);
    expect(health.status).to.equal(200);
    expect(health.body).to.deep.equal({ status: 'UP', nf: 'NRF' });

    const amfId = randomUUID();
    expect((await request('PUT', `${root}/nnrf-nfm/v1/nf-instances/${amfId}`, amfProfile(amfId))).status).to.equal(201);
    const discovery = await request('GET', `${root}/nnrf-disc/v1/nf-instances?target-nf-type=AMF&requester-nf-type=SMF&service-names=namf-comm`);
    expect(discovery.status).to.equal(200);
    expect(discovery.headers.get('content-type')).to.match(/^application\/json/);
    expect(discovery.body.validityPeriod).to.be.a('number');
    expect(discovery.body.nfInstances.map((profile: { nfInstanceId: string }) => profile.nfInstanceId)).to.deep.equal([amfId]);

    dmsc.child.kill('SIGTERM');
    const exit = await within(dmsc.exited, 10_000, () => `waiting for dmsc up to stop on SIGTERM${described(dmsc)}`);
    expect(exit, described(dmsc)).to.deep.equal({ code: 0, signal: null });
    expect(await portIsFree(upPort), 'port 29510 is released').to.equal(true);
  });

  it('dmsc up --only bogus exits 2 naming bogus and the known NFs on stderr, starting nothing', async () => {
    const { code, stdout, stderr } = await runDmsc(['up', '--only', 'bogus']);
    expect(code).to.equal(2);
    expect(stderr).to.contain('bogus');
    for (const name of knownNfs) expect(stderr).to.contain(name);
    expect(stderr).to.match(/known: /);
    expect(stdout).to.not.contain('is up');
  });

  it('dmsc nf nrf --port 0 --json prints one JSON line whose url answers /healthz', async () => {
    const dmsc = startDmsc(['nf', 'nrf', '--port', '0', '--json']);
    const [line] = await waitForStdout(dmsc, /^.*\n/);
    const ready = JSON.parse(line);
    expect(ready).to.include({ nf: 'nrf', nfType: 'NRF' });
    expect(ready.nfInstanceId).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(ready.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ready.url).to.not.equal(`http://127.0.0.1:${upPort}`);

    const health = await request('GET', `${ready.url}/healthz`);
    expect(health.status).to.equal(200);
    expect(health.body).to.deep.equal({ status: 'UP', nf: 'NRF' });
    expect(dmsc.output.stdout, 'nothing but the JSON line on stdout').to.equal(line);

    dmsc.child.kill('SIGTERM');
    expect(await within(dmsc.exited, 10_000, () => described(dmsc))).to.deep.equal({ code: 0, signal: null });
  });

  it('dmsc ue takes the AMF at --amf instead of finding it through the NRF, and refuses an address that is not http://host:port', async () => {
    const wrong = await runDmsc(['ue', 'register', '--amf', 'ftp://x'], 20_000);
    expect([wrong.code, wrong.stderr.trim()]).to.deep.equal([2, 'dmsc: --amf: ftp://x is not an http(s) address of the form http://host:port']);
    // Nothing listens at either address: the error names the AMF given, so the NRF was not asked.
    const unreachable = await runDmsc(['ue', 'register', '--amf', 'http://127.0.0.1:9', '--nrf', 'http://127.0.0.1:8'], 20_000);
    expect([unreachable.code, unreachable.stderr.trim()]).to.deep.equal([2, 'dmsc: cannot reach the AMF at http://127.0.0.1:9/namf-nas/v1/n1-messages: ECONNREFUSED']);
  });

  it('dmsc ue names the --amf address when what answers there is not an AMF (a 200 that is not a NAS message)', async () => {
    const portal: RequestListener = (req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"page":"captive portal"}');
    };
    await withStandInServer(portal, async (address) => {
      const run = await runDmsc(['ue', 'register', '--no-agent', '--amf', address], 20_000);
      expect(run.code, run.stderr).to.equal(1);
      expect(run.stderr).to.contain(`the AMF at ${address}/namf-nas/v1/n1-messages answered 200: not a NAS message`).and.contain('is it the AMF?');
    });
  });

  it('dmsc nf nope exits 2 with a message naming nope and the known NFs', async () => {
    const { code, stdout, stderr } = await runDmsc(['nf', 'nope']);
    expect(code).to.equal(2);
    expect(stderr).to.contain('unknown NF "nope"');
    for (const name of knownNfs) expect(stderr).to.contain(name);
    expect(stdout).to.equal('');
  });

  it('dmsc up --log-level loud fails naming loud and the accepted levels, starting nothing', async () => {
    const { code, stdout, stderr } = await runDmsc(['up', '--log-level', 'loud']);
    expect(code).to.equal(2);
    expect(stderr).to.contain("'loud'").and.contain('--log-level');
    for (const level of ['error', 'warn', 'info', 'debug', 'silent']) expect(stderr).to.contain(level);
    expect(stdout).to.not.contain('is up');
  });

  it('dmsc bench nrf --profiles 0 is refused before any benchmark runs', async () => {
    const { code, stdout, stderr } = await runDmsc(['bench', 'nrf', '--profiles', '0']);
    expect(code).to.equal(2);
    expect(code).to.not.equal(null);
    expect(stderr).to.contain('--profiles').and.contain("'0'").and.contain('must be a whole number 1 or more');
    expect(stderr).to.not.contain('bench nrf:');
    expect(stdout).to.equal('');
  });
});
