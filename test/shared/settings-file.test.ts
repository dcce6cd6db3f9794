import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { amcDescriptor, type AmcHandle } from '../../nfs/amc/app.ts';
import { agwDescriptor } from '../../nfs/agw/app.ts';
import { nrfDescriptor } from '../../nfs/nrf/app.ts';
import { createAgentKeyAndCsr } from '../../nfs/shared/agent-credentials.ts';
import { defaultAicScheme, formatAic } from '../../nfs/shared/aic.ts';
import { agwSettingsSchema } from '../../nfs/agw/settings.ts';
import { ConfigError } from '../../nfs/shared/config.ts';
import { createLogger } from '../../nfs/shared/logger.ts';
import { checkSettings, readSettingsFile } from '../../nfs/shared/settings-file.ts';
import { createEmbeddedStore } from '../../nfs/shared/store/embedded-store.ts';

describe('NF settings from a YAML file (dmsc --config)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dmsc-settings-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const file = async (name: string, text: string) => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };
  const errorOf = async (fn: () => Promise<unknown> | unknown) => {
    try {
      await fn();
    } catch (error) {
      return error as Error;
    }
    throw new Error('no error');
  };

  it('reads sections by NF name', async () => {
    const settings = await readSettingsFile(await file('ok.yaml', 'agw:\n  routingTimeoutMs: 500\n'), [nrfDescriptor, amcDescriptor, agwDescriptor]);
    expect(settings).to.deep.equal({ agw: { routingTimeoutMs: 500 } });
  });

  it('refuses a missing file, text that is not YAML and unknown NF sections, naming them', async () => {
    expect((await errorOf(() => readSettingsFile(join(dir, 'none.yaml'), [agwDescriptor]))).message).to.contain('cannot read');
    expect(await errorOf(async () => readSettingsFile(await file('bad.yaml', 'agw: [unclosed'), [agwDescriptor]))).to.be.instanceOf(ConfigError);
    expect((await errorOf(async () => readSettingsFile(await file('unknown.yaml', 'smf: {}\n'), [nrfDescriptor, agwDescriptor]))).message).to.contain('unknown NFs smf');
  });

  it('checks every section of the file against its NF, started or not: a mistyped AMC setting is refused beside a good NRF section', async () => {
    const path = await file('amc-typo.yaml', 'nrf:\n  heartbeatGraceMs: 2000\namc:\n  credentialValidityDayz: 7\n');
    expect((await errorOf(() => readSettingsFile(path, [nrfDescriptor, amcDescriptor]))).message).to.contain('amc').and.contain('credentialValidityDayz');
  });

  it('names a mistyped setting and a wrong type', async () => {
    expect((await errorOf(() => checkSettings('agw', agwSettingsSchema, { routingTimeoutMS: 5 }))).message).to.contain('routingTimeoutMS');
    expect((await errorOf(() => checkSettings('agw', agwSettingsSchema, { routingTimeoutMs: 'fast' }))).message).to.contain('agw.routingTimeoutMs must be integer');
  });

  it('gives the AMC its credential validity and provider accounts from the file', async () => {
    const store = createEmbeddedStore();
    const amc = await amcDescriptor.create({
      store,
      logger: createLogger({ nf: 'AMC', level: 'silent' }),
      nrfUri: 'http://127.0.0.1:9',
      oauth: false,
      settings: { credentialValidityDays: 7, providers: [{ providerId: 'lab-agents', name: 'Lab', clientSecret: 'lab-agents-secret-123', allowedCapabilities: ['*'] }] },
    });
    const { service } = amc as AmcHandle;
    expect((await service.listProviders()).map((provider) => provider.providerId)).to.deep.equal(['lab-agents']);
    const key = await createAgentKeyAndCsr();
    const grant = await service.authorize({
      gateway: { nfInstanceId: randomUUID(), domain: 'operator.example' },
      provider: { providerId: 'lab-agents', clientSecret: 'lab-agents-secret-123' },
      agent: { name: 'lab', version: '1.0', kind: 'capability-agent' },
      requestedCapabilities: ['/capability/location'],
      publicKeySha256: key.publicKeySpkiSha256,
      csrPem: key.csrPem,
    });
    const issued = await service.issueCredential({ grantId: grant.grantId!, aic: formatAic(defaultAicScheme, { providerIndex: grant.providerIndex!, ontologySerial: '1', entitySerial: '1' }), csrPem: key.csrPem });
    const days = (Date.parse(issued.notAfter) - Date.now()) / 86_400_000;
    expect(days).to.be.within(6.99, 7.01);
    await store.close();
  });
});
