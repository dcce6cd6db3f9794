import { expect } from 'chai';
import { ConfigError, parseRuntimeConfig, type RawConfig } from '../../nfs/shared/config.ts';

const parse = (raw: RawConfig = {}, env: Record<string, string | undefined> = {}) => parseRuntimeConfig(raw, env, { logLevel: 'warn' });

/** The ConfigError thrown by fn; fails the test when fn does not throw one. */
function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.an.instanceOf(ConfigError);
    return error as ConfigError;
  }
  expect.fail('expected a ConfigError');
}

describe('parseRuntimeConfig', () => {
  describe('defaults', () => {
    it('binds 127.0.0.1, points at the NRF on 127.0.0.1:29510, logs at the caller default, without OAuth, store or port overrides', () => {
      const config = parse();
      expect(config).to.deep.equal({
        host: '127.0.0.1',
        advertiseHost: undefined,
        nrfUri: 'http://127.0.0.1:29510',
        dataDir: undefined,
        mongodbUri: undefined,
        logLevel: 'warn',
        oauth: false,
        ports: {},
        askedPorts: {},
        nfSettings: {},
      });
    });

    it('uses the given default log level', () => {
      expect(parseRuntimeConfig({}, {}, { logLevel: 'debug' }).logLevel).to.equal('debug');
    });

    it('derives the NRF URI from the host', () => {
      expect(parse({ host: '10.0.0.5' }).nrfUri).to.equal('http://10.0.0.5:29510');
    });

    it('points the default NRF URI at 127.0.0.1 when binding every address (0.0.0.0)', () => {
      const config = parse({ host: '0.0.0.0' });
      expect(config.host).to.equal('0.0.0.0');
      expect(config.nrfUri).to.equal('http://127.0.0.1:29510');
    });
  });

  describe('environment fallbacks', () => {
    const env = {
      HOST: '10.1.2.3',
      ADVERTISE_HOST: 'nrf.core.local',
      NRF_URI: 'https://nrf.example.org:8443',
      DATA_DIR: '/var/lib/dmsc',
      MONGODB_URI: 'mongodb://db:27017/dmsc',
      LOG_LEVEL: 'debug',
      OAUTH: 'true',
    };

    it('takes every setting from its environment variable when no option is given', () => {
      expect(parse({}, env)).to.deep.equal({
        host: '10.1.2.3',
        advertiseHost: 'nrf.core.local',
        nrfUri: 'https://nrf.example.org:8443',
        dataDir: '/var/lib/dmsc',
        mongodbUri: 'mongodb://db:27017/dmsc',
        logLevel: 'debug',
        oauth: true,
        ports: {},
        askedPorts: {},
        nfSettings: {},
      });
    });

    it('prefers command-line options over the environment', () => {
      const config = parse(
        { host: '127.0.0.2', advertiseHost: 'a.local', nrfUri: 'http://127.0.0.9:1', dataDir: './d', mongodbUri: 'mongodb+srv://c.example.org', logLevel: 'error', oauth: false },
        env,
      );
      expect(config).to.include({
        host: '127.0.0.2',
        advertiseHost: 'a.local',
        nrfUri: 'http://127.0.0.9:1',
        dataDir: './d',
        mongodbUri: 'mongodb+srv://c.example.org',
        logLevel: 'error',
        oauth: false,
      });
    });

    it('derives the NRF URI from HOST when NRF_URI is unset', () => {
      expect(parse({}, { HOST: '192.168.1.7' }).nrfUri).to.equal('http://192.168.1.7:29510');
    });

    for (const [value, expected] of [['1', true], ['on', true], ['YES', true], ['TRUE', true], ['0', false], ['off', false], ['no', false], ['', false], ['False', false]] as const) {
      it(`reads OAUTH="${value}" as ${expected}`, () => {
        expect(parse({}, { OAUTH: value }).oauth).to.equal(expected);
      });
    }

    it('reads port overrides given as strings as numbers', () => {
      expect(parse({ ports: { nrf: '8000', amf: 0 } }).ports).to.deep.equal({ nrf: 8000, amf: 0 });
    });
  });

  describe('invalid values', () => {
    it('rejects an NRF URI that is not a URI, naming it', () => {
      expect(configErrorOf(() => parse({ nrfUri: 'not a uri' })).message).to.contain('"not a uri"').and.contain('NRF URI');
    });

    it('rejects an NRF URI whose scheme is not http or https, naming it', () => {
      expect(configErrorOf(() => parse({}, { NRF_URI: 'ftp://nrf:29510' })).message).to.contain('"ftp://nrf:29510"');
    });

    it('rejects a host with characters no host name or address has, naming it', () => {
      expect(configErrorOf(() => parse({ host: 'bad host/x' })).message).to.contain('"bad host/x"');
    });

    it('rejects an empty HOST, naming it', () => {
      expect(configErrorOf(() => parse({}, { HOST: '' })).message).to.contain('host ""');
    });

    it('rejects an unknown log level, naming it and the known ones', () => {
      const message = configErrorOf(() => parse({ logLevel: 'loud' })).message;
      expect(message).to.contain('"loud"').and.contain('error, warn, info, debug, silent');
    });

    it('rejects an unknown LOG_LEVEL from the environment, naming it', () => {
      expect(configErrorOf(() => parse({}, { LOG_LEVEL: 'verbose' })).message).to.contain('"verbose"');
    });

    it('rejects a MongoDB URI without the mongodb scheme, naming it', () => {
      const message = configErrorOf(() => parse({ mongodbUri: 'postgres://db/dmsc' })).message;
      expect(message).to.contain('"postgres://db/dmsc"').and.contain('mongodb://');
    });

    it('rejects an OAUTH value that is neither true nor false, naming it', () => {
      expect(configErrorOf(() => parse({}, { OAUTH: 'maybe' })).message).to.contain('"maybe"').and.contain('OAUTH');
    });

    it('rejects an --oauth string that is neither true nor false, naming it', () => {
      expect(configErrorOf(() => parse({ oauth: 'sometimes' })).message).to.contain('"sometimes"');
    });

    it('rejects an empty data directory', () => {
      expect(configErrorOf(() => parse({ dataDir: '  ' })).message).to.contain('data directory');
    });

    for (const port of ['70000', '65536', '-1', 'abc', '1.5', 99999, '', ' ', '0x50', '1e3']) {
      it(`rejects port ${JSON.stringify(port)}, naming the value and the NF`, () => {
        const message = configErrorOf(() => parse({ ports: { nrf: port } })).message;
        expect(message).to.contain(`"${port}"`).and.contain('nrf');
      });
    }
  });

  describe('the result', () => {
    it('is frozen, ports included', () => {
      const config = parse({ ports: { nrf: 1 } });
      expect(Object.isFrozen(config)).to.equal(true);
      expect(Object.isFrozen(config.ports)).to.equal(true);
      expect(() => {
        (config as { host: string }).host = '0.0.0.0';
      }).to.throw(TypeError);
      expect(() => {
        (config.ports as Record<string, number>).amf = 2;
      }).to.throw(TypeError);
      expect(config.host).to.equal('127.0.0.1');
    });

    it('does not share the ports object it was given', () => {
      const ports: Record<string, string | number> = { nrf: 1 };
      const config = parse({ ports });
      ports.nrf = 2;
      expect(config.ports.nrf).to.equal(1);
    });
  });
});
