/**
 * compose/: no Docker engine runs here, so the compose file is checked two ways: by Debian's
 * `docker-compose config -q` (which .ci/run installs) and by reading it against the NF catalog, so
 * that an NF added to the catalog, a health check or a start-order dependency that goes missing
 * fails here.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { nfCatalog } from '../../nfs/catalog.ts';
import { readScenario } from '../../ue-sim/scenario-file.ts';

const composeDir = fileURLToPath(new URL('../../compose/', import.meta.url));
const composeFile = path.join(composeDir, 'docker-compose.yml');

interface Service {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

function dockerCompose(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile('docker-compose', args, { timeout: 60_000 }, (error, _stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 127) : 0;
      resolve({ code, stderr });
    });
  });
}

async function hasDockerCompose(): Promise<boolean> {
  return (await dockerCompose(['version'])).code === 0;
}

describe('compose/ (container deployment)', function () {
  this.timeout(60_000);
  let services: Record<string, Service>;

  before(async () => {
    services = (parseYaml(await readFile(composeFile, 'utf8'), { merge: true }) as { services: Record<string, Service> }).services;
  });

  const nfServices = () => Object.entries(services).filter(([, service]) => service.command?.[0] === 'nf');

  it('runs every NF of the catalog, two capability-agents instances and MongoDB, all from the one image', () => {
    const running = nfServices().map(([, service]) => service.command![1]);
    for (const nf of nfCatalog) expect(running, `a service runs ${nf.name}`).to.include(nf.name);
    expect(running.filter((name) => name === 'capability-agents').length).to.be.at.least(2);
    expect(services.mongo?.healthcheck, 'MongoDB has a health check').to.not.equal(undefined);
    for (const [name, service] of Object.entries(services)) if (name !== 'mongo') expect(service.image, name).to.equal('dmsc-core:latest');
  });

  it('configures each NF by environment: MongoDB, the NRF, its own port, and its service name as the address peers use', () => {
    for (const [name, service] of nfServices()) {
      const descriptor = nfCatalog.find((nf) => nf.name === service.command![1])!;
      // As compose interpolates with nothing set in the environment: ${NAME:-default} is the default.
      const env = Object.fromEntries(Object.entries(service.environment ?? {}).map(([key, value]) => [key, String(value).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')]));
      expect(env.MONGODB_URI, `${name} MONGODB_URI`).to.match(/^mongodb:\/\/mongo:27017\//);
      expect(env.NRF_URI, name).to.equal('http://nrf:29510');
      expect(env.HOST, name).to.equal('0.0.0.0');
      expect(env.PORT, name).to.equal(String(descriptor.defaultPort));
      expect(env.ADVERTISE_HOST, name).to.equal(name);
    }
  });

  it('health-checks every NF on /healthz and starts each one after what it needs is healthy, in catalog order', () => {
    for (const [name, service] of nfServices()) {
      expect(service.healthcheck?.test.join(' '), `${name} health check`).to.contain('/healthz');
      const needs = Object.entries(service.depends_on ?? {});
      expect(needs.length, `${name} depends on something`).to.be.greaterThan(0);
      for (const [needed, { condition }] of needs) {
        expect(services[needed], `${name} depends on a service that exists: ${needed}`).to.not.equal(undefined);
        expect(condition, `${name} → ${needed}`).to.equal('service_healthy');
        expect(services[needed].healthcheck, `${needed} has a health check to wait for`).to.not.equal(undefined);
      }
    }
    // Whoever registers with the NRF, the AMC or the AGW starts after it: the catalog's order.
    const started = new Set<string>(['mongo']);
    const order = nfServices().map(([name]) => name);
    const pending = new Set(order);
    while (pending.size) {
      const next = [...pending].find((name) => Object.keys(services[name].depends_on ?? {}).every((needed) => started.has(needed)));
      expect(next, `no dependency cycle among ${[...pending].join(', ')}`).to.not.equal(undefined);
      pending.delete(next!);
      started.add(next!);
    }
    const startPosition = (nfName: string) => Math.min(...nfServices().filter(([, s]) => s.command![1] === nfName).map(([name]) => [...started].indexOf(name)));
    for (let i = 1; i < nfCatalog.length; i += 1) {
      expect(startPosition(nfCatalog[i].name), `${nfCatalog[i].name} starts after ${nfCatalog[i - 1].name}`).to.be.greaterThan(startPosition(nfCatalog[i - 1].name));
    }
  });

  it('runs a shipped scenario from the ue-sim service once the AMF is healthy', async () => {
    const ueSim = services['ue-sim'];
    expect(ueSim.command?.slice(0, 2)).to.deep.equal(['scenario', 'run']);
    expect(ueSim.depends_on?.amf?.condition).to.equal('service_healthy');
    const scenario = await readScenario(ueSim.command![2]);
    expect(scenario.name).to.equal(ueSim.command![2]);
  });

  it('builds one image whose entry point is dmsc, with only production dependencies and every runtime folder', async () => {
    const dockerfile = await readFile(path.join(composeDir, 'Dockerfile'), 'utf8');
    expect(dockerfile).to.match(/^FROM node:20/m);
    expect(dockerfile).to.match(/^RUN npm ci --omit=dev/m);
    expect(dockerfile).to.match(/^ENTRYPOINT \["node", "bin\/dmsc\.js"\]$/m);
    for (const folder of ['bin', 'nfs', 'openapi', 'ue-sim', 'bench']) expect(dockerfile).to.match(new RegExp(`^COPY ${folder} \\./${folder}$`, 'm'), `copies ${folder}/`);
  });

  describe("Debian's docker-compose config -q", () => {
    before(async function () {
      // .ci/run installs docker-compose when it is missing; a machine without it reports this as pending.
      if (!(await hasDockerCompose())) this.skip();
    });

    it('accepts compose/docker-compose.yml', async () => {
      const { code, stderr } = await dockerCompose(['-f', composeFile, 'config', '-q']);
      expect(code, stderr).to.equal(0);
    });

    it('refuses the same file with a dependency on a service that does not exist (the check can fail)', async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'dmsc-compose-'));
      try {
        const broken = path.join(dir, 'docker-compose.yml');
        await writeFile(broken, (await readFile(composeFile, 'utf8')).replace(/^(\s+)amc:\n(\s+)condition: service_healthy$/m, '$1no-such-service:\n$2condition: service_healthy'));
        const { code, stderr } = await dockerCompose(['-f', broken, 'config', '-q']);
        expect(code).to.not.equal(0);
        expect(stderr).to.match(/no-such-service/);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
});
