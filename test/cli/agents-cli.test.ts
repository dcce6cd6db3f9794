/**
 * The client commands `dmsc agents`, `dmsc ca` and `dmsc discover` as a user runs them: real
 * processes through bin/dmsc.js against a core in this process, found through its NRF. Every
 * run is bounded and killed when it overruns.
 */
import 'reflect-metadata'; // @peculiar/x509 2.x resolves its services through tsyringe
import { X509Certificate } from '@peculiar/x509';
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import type { RequestListener } from 'node:http';
import { fileURLToPath } from 'node:url';
import { buildNfProfile } from '../../nfs/shared/nf-profile.ts';
import { registerAgent, startTestCore, type TestCore } from '../support/core-harness.ts';
import { request, startTestNrf } from '../support/nrf-harness.ts';
import { withStandInServer } from '../support/stand-in-server.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const dmscJs = fileURLToPath(new URL('../../bin/dmsc.js', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `dmsc <args>` to its end (SIGKILL after ms), without the environment's NRF_URI. */
function dmsc(args: string[], ms = 20_000): Promise<Run> {
  const env = { ...process.env };
  delete env.NRF_URI;
  delete env.AGW_URI;
  delete env.AMC_URI;
  return new Promise((resolve) => {
    execFile(process.execPath, [dmscJs, ...args], { cwd: repoRoot, env, timeout: ms, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const shown = (run: Run) => `exit ${run.code}\n--- stdout ---\n${run.stdout}\n--- stderr ---\n${run.stderr}`;

/** A port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('dmsc agents, ca and discover (command line)', function () {
  this.timeout(60_000);
  let core: TestCore;
  const agents: Record<'qos' | 'broadband', { aic: string; certificatePem: string; a2aUrl: string; capabilities: string[] }> = {} as never;

  before(async () => {
    core = await startTestCore();
    for (const [key, input] of [
      ['qos', { name: 'qos-agent', capabilities: ['/capability/qos-optimisation'], a2aUrl: 'http://127.0.0.1:9/qos/a2a' }],
      ['broadband', { name: 'broadband-agent', description: 'Fixes home broadband', capabilities: ['/capability/broadband-troubleshooting'], a2aUrl: 'http://127.0.0.1:9/bb/a2a' }],
    ] as const) {
      const res = await registerAgent(core.agwUrl, { ...input, capabilities: [...input.capabilities] });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      agents[key] = { aic: res.body.aic, certificatePem: res.body.certificatePem, a2aUrl: input.a2aUrl, capabilities: [...input.capabilities] };
    }
  });

  after(async () => core?.close());

  it('dmsc --help lists the agents, ca and discover commands', async () => {
    const run = await dmsc(['--help']);
    expect(run.code, shown(run)).to.equal(0);
    for (const command of ['agents', 'ca', 'discover']) expect(run.stdout).to.match(new RegExp(`^\\s+${command}\\b`, 'm'));
  });

  it('dmsc agents --json lists each registered agent with AIC, capabilities, A2A URL, certificate PEM and state', async () => {
    const run = await dmsc(['agents', '--json', '--nrf', core.nrfUrl]);
    expect(run.code, shown(run)).to.equal(0);
    const listed = JSON.parse(run.stdout) as Array<Record<string, unknown>>;
    for (const agent of Object.values(agents)) {
      const record = listed.find((candidate) => candidate.aic === agent.aic);
      expect(record, `${agent.aic} is listed`).to.not.equal(undefined);
      expect(record).to.deep.include({ capabilities: agent.capabilities, a2aUrl: agent.a2aUrl, certificatePem: agent.certificatePem, state: 'ACTIVE' });
      expect(record!.certificatePem).to.match(/^-----BEGIN CERTIFICATE-----\n/);
    }
  });

  it('dmsc agents --limit 1 lists the first agent by AIC and says on stderr that more may be registered', async () => {
    const all = JSON.parse((await dmsc(['agents', '--json', '--nrf', core.nrfUrl])).stdout) as Array<{ aic: string }>;
    expect(all.length).to.be.above(1);
    const run = await dmsc(['agents', '--json', '--limit', '1', '--nrf', core.nrfUrl]);
    expect(run.code, shown(run)).to.equal(0);
    expect((JSON.parse(run.stdout) as Array<{ aic: string }>).map((agent) => agent.aic)).to.deep.equal([all.map((agent) => agent.aic).sort()[0]]);
    expect(run.stderr).to.contain('the first 1 agents by AIC are listed; more may be registered (--limit up to 10000)');
  });

  it('dmsc agents says nothing of more agents when the AGW listed fewer than the limit', async () => {
    const run = await dmsc(['agents', '--nrf', core.nrfUrl]);
    expect(run.code, shown(run)).to.equal(0);
    expect(run.stderr).to.not.contain('more may be registered');
  });

  for (const bad of ['0', '10001', '2.5', 'many', '1e1']) {
    it(`dmsc agents --limit ${bad} is refused with an error naming --limit`, async () => {
      const run = await dmsc(['agents', '--limit', bad, '--nrf', core.nrfUrl]);
      expect(run.code, shown(run)).to.not.equal(0);
      expect(run.stderr).to.match(/--limit/).and.to.contain('must be a whole number from 1 to 10000');
    });
  }

  it('dmsc agents prints a table with one row per agent showing its certificate serial, not its PEM', async () => {
    const run = await dmsc(['agents', '--nrf', core.nrfUrl]);
    expect(run.code, shown(run)).to.equal(0);
    expect(run.stdout).to.match(/^AIC\s+STATE\s+LOAD\s+CAPABILITIES\s+A2A URL\s+CERTIFICATE SERIAL$/m);
    expect(run.stdout).to.not.contain('BEGIN CERTIFICATE');
    for (const agent of Object.values(agents)) {
      const row = run.stdout.split('\n').find((line) => line.startsWith(agent.aic));
      expect(row, `a row for ${agent.aic}`).to.be.a('string');
      expect(row!.split(/\s+/)).to.include.members(['ACTIVE', agent.capabilities[0], agent.a2aUrl, new X509Certificate(agent.certificatePem).serialNumber]);
    }
  });

  it("dmsc ca --pem prints the AMC's CA certificate, the one GET /namc-cred/v1/ca serves", async () => {
    const run = await dmsc(['ca', '--pem', '--nrf', core.nrfUrl]);
    expect(run.code, shown(run)).to.equal(0);
    const served = await request('GET', `${core.amcUrl}/namc-cred/v1/ca`);
    expect(served.status).to.equal(200);
    const printed = new X509Certificate(run.stdout);
    const expected = new X509Certificate(served.body as string);
    expect(Buffer.from(printed.rawData).equals(Buffer.from(expected.rawData)), 'same DER').to.equal(true);
    expect(Buffer.from(await printed.getThumbprint('SHA-256')).toString('hex')).to.equal(Buffer.from(await expected.getThumbprint('SHA-256')).toString('hex'));
  });

  it('dmsc ca --pem prints nothing and fails when the AMC address serves something else than a certificate', async () => {
    await withStandInServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>captive portal</html>'), async (address) => {
      const run = await dmsc(['ca', '--pem', '--amc', address]);
      expect(run.code, shown(run)).to.not.equal(0);
      expect(run.stdout).to.equal('');
      expect(run.stderr).to.contain('sent no readable certificate');
    });
  });

  it("dmsc ca --pem prints nothing and fails when the AMC address serves an agent's certificate, or more than one", async () => {
    const agent = await registerAgent(core.agwUrl, { name: 'ca-impostor', capabilities: ['/capability/fault-handling'] });
    expect(agent.status).to.equal(201);
    const served = [agent.body.certificatePem as string, `${agent.body.caCertificatePem}\n${agent.body.caCertificatePem}`];
    let next = 0;
    await withStandInServer((_req, res) => res.writeHead(200, { 'content-type': 'application/pem-certificate-chain' }).end(served[next++]), async (address) => {
      const leaf = await dmsc(['ca', '--pem', '--amc', address]);
      expect(leaf.code, shown(leaf)).to.equal(1);
      expect(leaf.stderr).to.contain("is not a CA's").and.contain(agent.body.aic);
      const two = await dmsc(['ca', '--pem', '--amc', address]);
      expect(two.code, shown(two)).to.equal(1);
      expect(two.stderr).to.contain('sent 2 certificates');
      for (const run of [leaf, two]) expect(run.stdout).to.equal('');
    });
  });

  it("dmsc ca summarises the CA certificate: subject, validity and SHA-256 fingerprint", async () => {
    const run = await dmsc(['ca', '--nrf', core.nrfUrl]);
    expect(run.code, shown(run)).to.equal(0);
    const ca = new X509Certificate((await request('GET', `${core.amcUrl}/namc-cred/v1/ca`)).body as string);
    const fingerprint = Buffer.from(await ca.getThumbprint('SHA-256')).toString('hex').toUpperCase().match(/../g)!.join(':');
    expect(run.stdout).to.contain(ca.subject).and.contain(fingerprint).and.contain(ca.notAfter.toISOString());
    expect(run.stdout).to.not.contain('BEGIN CERTIFICATE');
  });

  it('dmsc discover /capability/qos-optimisation --json answers the qos agent alone, by structured discovery', async () => {
    const run = await dmsc(['discover', '/capability/qos-optimisation', '--json', '--nrf', core.nrfUrl]);
    expect(run.code, shown(run)).to.equal(0);
    const answer = JSON.parse(run.stdout);
    expect(answer.agents.map((agent: { aic: string }) => agent.aic)).to.deep.equal([agents.qos.aic]);
    expect(answer.agents[0]).to.include({ score: 1, matchedCapability: '/capability/qos-optimisation' });
    expect(answer.signature).to.be.a('string');
    expect(answer).to.not.have.property('query');
  });

  it('dmsc discover "fix my home broadband" --json answers the broadband agent first, by natural language', async () => {
    const run = await dmsc(['discover', 'fix my home broadband', '--json', '--nrf', core.nrfUrl]);
    expect(run.code, shown(run)).to.equal(0);
    const answer = JSON.parse(run.stdout);
    expect(answer.query).to.equal('fix my home broadband');
    expect(answer.agents[0]).to.include({ aic: agents.broadband.aic, matchedCapability: '/capability/broadband-troubleshooting' });
    expect(answer.agents.map((agent: { aic: string }) => agent.aic)).to.not.include(agents.qos.aic);
  });

  it('dmsc discover prints ranked agents with their scores in a table', async () => {
    const run = await dmsc(['discover', 'fix my home broadband', '--limit', '1', '--nrf', core.nrfUrl]);
    expect(run.code, shown(run)).to.equal(0);
    expect(run.stdout).to.match(/^RANK\s+SCORE\s+AIC\s+CAPABILITY/m);
    expect(run.stdout).to.match(new RegExp(`^1\\s+(0\\.\\d{3}|1\\.000)\\s+${agents.broadband.aic.replaceAll('.', '\\.')}\\s`, 'm'));
    expect(run.stdout).to.contain('signature verified');
  });

  it('dmsc discover of a capability id the taxonomy lacks fails naming it, instead of finding no agents', async () => {
    const run = await dmsc(['discover', '/capability/qos-optimization', '--nrf', core.nrfUrl]);
    expect(run.code, shown(run)).to.equal(1);
    expect(run.stderr).to.contain("/capability/qos-optimization is not in the AGW's capability taxonomy");
    expect(run.stdout).to.equal('');
  });

  it('dmsc agents and discover fail naming the address when it answers something else than the AGW would', async () => {
    const impostor: RequestListener = (req, res) => {
      if (req.url?.startsWith('/nagw-reg/')) return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"error":"x"}');
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hi</html>');
    };
    await withStandInServer(impostor, async (address) => {
      const listed = await dmsc(['agents', '--agw', address]);
      expect(listed.code, shown(listed)).to.equal(1);
      expect(listed.stderr).to.contain(`the AGW at ${address}/nagw-reg/v1/registrations`).and.contain('not a list of agents');
      const found = await dmsc(['discover', 'hello', '--agw', address]);
      expect(found.code, shown(found)).to.equal(1);
      expect(found.stderr).to.contain(`the AGW at ${address}/nagw-disc/v1/resolutions answered 200 with something that is not JSON`);
      for (const run of [listed, found]) expect(run.stdout).to.equal('');
    });
  });

  it('dmsc discover refuses a signed answer of the real gateway that answers another query, or an old one, sent again from another address', async () => {
    const location = await fetch(`${core.agwUrl}/nagw-disc/v1/agents?capability-id=/capability/location&limit=10`);
    const saved = await location.text();
    const jwks = await (await fetch(`${core.agwUrl}/nagw-disc/v1/jwks`)).text();
    const replaying: RequestListener = (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(req.url?.startsWith('/nagw-disc/v1/jwks') ? jwks : saved);
    };
    await withStandInServer(replaying, async (address) => {
      const other = await dmsc(['discover', '/capability/qos-optimisation', '--agw', address]);
      expect(other.code, shown(other)).to.equal(1);
      expect(other.stderr).to.contain('is for another query').and.contain('not trusted');
      // The same query, once its validity period (5 s) and the clock allowance (5 s) are past.
      await new Promise((resolve) => setTimeout(resolve, 10_500));
      const old = await dmsc(['discover', '/capability/location', '--agw', address]);
      expect(old.code, shown(old)).to.equal(1);
      expect(old.stderr).to.contain('not an answer made now');
      for (const run of [other, old]) expect(run.stdout).to.equal('');
    });
  });

  it('dmsc discover refuses, as a usage error (exit 2), a query that is empty, too long, or written as a capability id that is not one', async () => {
    for (const query of ['/capability/Location', '/capability/', '/capability/qos_optimisation', '   ', 'x'.repeat(2001)]) {
      const run = await dmsc(['discover', query, '--nrf', core.nrfUrl]);
      expect(run.code, shown(run)).to.equal(2);
      expect(run.stderr).to.contain("invalid for argument 'query'");
      expect(run.stdout).to.equal('');
    }
  });

  it('exits 2 naming the URI when what answers at --nrf is not an NRF (a 200 that is not a SearchResult)', async () => {
    await withStandInServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"profiles":"none"}'), async (nrf) => {
      for (const command of [['agents'], ['ca', '--pem'], ['discover', '/capability/qos-optimisation']]) {
        const run = await dmsc([...command, '--nrf', nrf]);
        expect(run.code, shown(run)).to.equal(2);
        expect(run.stderr).to.contain(`${nrf} answered 200 to discovery of`).and.contain('(is it an NRF?)').and.contain('not a SearchResult');
        expect(run.stdout).to.equal('');
      }
    });
  });

  it('exits 2 naming the URI when the NF sends its headers and then stalls, past the 5 s deadline', async () => {
    const stalling: RequestListener = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/pem-certificate-chain' });
      res.write('-----BEGIN');
    };
    await withStandInServer(stalling, async (address) => {
      const run = await dmsc(['ca', '--amc', address]);
      expect(run.code, shown(run)).to.equal(2);
      expect(run.stderr).to.contain(`the AMC at ${address}/namc-cred/v1/ca did not send its whole answer: no answer within 5000 ms`);
      expect(run.stdout).to.equal('');
    });
  });

  it('exits 2 naming the URI when nothing answers at --nrf', async () => {
    const nrf = `http://127.0.0.1:${await closedPort()}`;
    const commands = [['agents'], ['ca', '--pem'], ['discover', '/capability/qos-optimisation']];
    for (const run of await Promise.all(commands.map((command) => dmsc([...command, '--nrf', nrf])))) {
      expect(run.code, shown(run)).to.equal(2);
      expect(run.stderr).to.contain(nrf).and.contain('cannot reach the NRF');
      expect(run.stdout).to.equal('');
    }
  });

  it('exits 2 naming the NRF when no AGW is registered with it, and naming the AGW when it does not answer', async () => {
    const nrf = await startTestNrf();
    try {
      const none = await dmsc(['agents', '--nrf', nrf.url]);
      expect(none.code, shown(none)).to.equal(2);
      expect(none.stderr).to.contain('no AGW').and.contain(nrf.url);

      const deadRoot = `http://127.0.0.1:${await closedPort()}`;
      const id = randomUUID();
      const profile = buildNfProfile({ nfInstanceId: id, nfType: 'AGW', apiRoot: deadRoot, serviceNames: ['nagw-reg', 'nagw-disc'] });
      expect((await request('PUT', `${nrf.url}/nnrf-nfm/v1/nf-instances/${id}`, profile)).status).to.equal(201);
      const dead = await dmsc(['agents', '--nrf', nrf.url]);
      expect(dead.code, shown(dead)).to.equal(2);
      expect(dead.stderr).to.contain(`cannot reach the AGW at ${deadRoot}/nagw-reg/v1/registrations`);
    } finally {
      await nrf.close();
    }
  });

  it('refuses --limit 0 with exit 2 before contacting anything', async () => {
    const run = await dmsc(['discover', 'fix my home broadband', '--limit', '0', '--nrf', 'http://127.0.0.1:1']);
    expect(run.code, shown(run)).to.equal(2);
    expect(run.stderr).to.contain('--limit').and.contain('1 to 100');
    expect(run.stderr).to.not.contain('cannot reach');
  });
});

describe('dmsc agents, ca and discover against a core with --oauth', function () {
  this.timeout(60_000);
  let core: TestCore;
  let aic: string;
  before(async () => {
    core = await startTestCore({ oauth: true });
    const res = await registerAgent(core.agwUrl, { name: 'qos-agent', capabilities: ['/capability/qos-optimisation'] });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    aic = res.body.aic;
  });
  after(async () => core?.close());

  it('says that NRF discovery wants a token and how to do without: the AGW address', async () => {
    const run = await dmsc(['agents', '--nrf', core.nrfUrl]);
    expect(run.code, shown(run)).to.equal(2);
    expect(run.stderr).to.contain('answered 401').and.contain('--agw');
  });

  it('works with the AGW and AMC addresses given: agents, discover and ca', async () => {
    const listed = await dmsc(['agents', '--json', '--agw', core.agwUrl]);
    expect(listed.code, shown(listed)).to.equal(0);
    expect(JSON.parse(listed.stdout).map((agent: { aic: string }) => agent.aic)).to.deep.equal([aic]);
    const found = await dmsc(['discover', '/capability/qos-optimisation', '--json', '--agw', core.agwUrl]);
    expect(found.code, shown(found)).to.equal(0);
    expect(JSON.parse(found.stdout).agents.map((agent: { aic: string }) => agent.aic)).to.deep.equal([aic]);
    const ca = await dmsc(['ca', '--pem', '--amc', core.amcUrl]);
    expect(ca.code, shown(ca)).to.equal(0);
    expect(ca.stdout.trim()).to.equal((await request('GET', `${core.amcUrl}/namc-cred/v1/ca`)).body.trim());
  });

  it('refuses an address that is not http://host:port with exit 2, naming the option', async () => {
    const run = await dmsc(['agents', '--agw', `${core.agwUrl}/nagw-reg/v1`]);
    expect(run.code, shown(run)).to.equal(2);
    expect(run.stderr).to.contain('--agw').and.contain('http://host:port');
  });
});
