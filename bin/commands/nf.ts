/** `dmsc nf <name>`: one NF in this process, the container entry point. */
import { Command, Option } from 'commander';
import { ConfigError, parseRuntimeConfig } from '../../nfs/shared/config.ts';
import { findNf, nfCatalog } from '../../nfs/catalog.ts';
import { runNfs, stopOnSignals } from '../../nfs/shared/nf-runner.ts';
import { readSettingsFile } from '../../nfs/shared/settings-file.ts';
import { withRuntimeOptions, type RuntimeOptions } from './runtime-options.ts';

export function nfCommand(): Command {
  return withRuntimeOptions(new Command('nf'))
    .description('run one NF until SIGINT/SIGTERM (configuration from options or environment)')
    .argument('<name>', `the NF to run, one of: ${nfCatalog.map((nf) => nf.name).join(', ')}`)
    .addOption(new Option('--port <port>', "port to listen on (0 picks a free one; default: the NF's own)").env('PORT'))
    .option('--json', 'print one JSON line {nf, nfType, url, nfInstanceId} once listening')
    .action(async (name: string, options: RuntimeOptions & { port?: string; json?: boolean }) => {
      const descriptor = findNf(name);
      if (!descriptor) throw new ConfigError(`unknown NF "${name}"; known: ${nfCatalog.map((nf) => nf.name).join(', ')}`);
      const config = parseRuntimeConfig(
        {
          host: options.host, advertiseHost: options.advertiseHost, nrfUri: options.nrf, dataDir: options.dataDir,
          mongodbUri: options.mongodbUri, logLevel: options.logLevel, oauth: options.oauth,
          nfSettings: options.config ? await readSettingsFile(options.config, nfCatalog.map((nf) => nf.name)) : {},
          ports: options.port === undefined ? {} : { [name]: options.port },
        },
        {},
        { logLevel: 'info' },
      );
      const core = await runNfs([descriptor], config);
      const [nf] = core.nfs;
      const ready = { nf: name, nfType: nf.handle.nfType, url: nf.apiRoot, nfInstanceId: nf.handle.nfInstanceId };
      process.stdout.write(options.json ? `${JSON.stringify(ready)}\n` : `${name} (${ready.nfType}) listening at ${ready.url}\n`);
      stopOnSignals(core);
    });
}
