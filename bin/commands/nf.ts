/** `dmsc nf <name>`: one NF in this process, the container entry point. */
import { Command, Option } from 'commander';
import { ConfigError, parseRuntimeConfig } from '../../nfs/shared/config.ts';
import { useCsrCheckThread } from '../../nfs/shared/csr.ts';
import { findNf, nfCatalog } from '../../nfs/catalog.ts';
import { runNfs, stopOnSignals, type RunningCore } from '../../nfs/shared/nf-runner.ts';
import { settledHostedAgents } from './hosted-agents.ts';
import { readSettingsFile } from '../../nfs/shared/settings-file.ts';
import { withRuntimeOptions, type RuntimeOptions } from './runtime-options.ts';

export function nfCommand(): Command {
  return withRuntimeOptions(new Command('nf'))
    .description('run one NF until SIGINT/SIGTERM (configuration from options or environment)')
    .argument('<name>', `the NF to run, one of: ${nfCatalog.map((nf) => nf.name).join(', ')}`)
    .addOption(new Option('--port <port>', "port to listen on (0 picks a free one; default: the NF's own)").env('PORT'))
    .option('--json', 'print one JSON line {nf, nfType, url, nfInstanceId, agents?} once listening and its hosted agents have registered')
    .addOption(new Option('--supervised', 'stop when stdin closes: the supervisor of `dmsc up --processes` is gone').hideHelp())
    .addOption(new Option('--asked-port <port>', 'the port first asked for, which keys the instance ID: a restart on the port it got keeps its ID').hideHelp())
    .action(async (name: string, options: RuntimeOptions & { port?: string; askedPort?: string; json?: boolean; supervised?: boolean }) => {
      const descriptor = findNf(name);
      if (!descriptor) throw new ConfigError(`unknown NF "${name}"; known: ${nfCatalog.map((nf) => nf.name).join(', ')}`);
      const config = parseRuntimeConfig(
        {
          host: options.host, advertiseHost: options.advertiseHost, nrfUri: options.nrf, dataDir: options.dataDir,
          mongodbUri: options.mongodbUri, logLevel: options.logLevel, oauth: options.oauth,
          nfSettings: options.config ? await readSettingsFile(options.config, nfCatalog) : {},
          ports: options.port === undefined ? {} : { [name]: options.port },
          askedPorts: options.askedPort === undefined ? {} : { [name]: options.askedPort },
        },
        {},
        { logLevel: 'info' },
      );
      // One NF of several on this machine (up --processes): the other cores are theirs (csr.ts).
      if (options.supervised) useCsrCheckThread(false);
      let core: RunningCore | undefined;
      if (options.supervised) stopWhenSupervisorIsGone(() => core);
      core = await runNfs([descriptor], config);
      const [nf] = core.nfs;
      stopOnSignals(core);
      // Ready means ready to serve: an NF with agents has them registered at the AGW (or given up).
      const agents = await settledHostedAgents(nf.handle);
      const ready = { nf: name, nfType: nf.handle.nfType, url: nf.apiRoot, nfInstanceId: nf.handle.nfInstanceId, ...(agents ? { agents } : {}) };
      process.stdout.write(options.json ? `${JSON.stringify(ready)}\n` : `${name} (${ready.nfType}) listening at ${ready.url}\n`);
    });
}

/** Bounds the clean stop when the supervisor is gone: the NRF or the AGW may have gone with it. */
const ORPHAN_STOP_MS = 5_000;

/** The supervisor holds the write end of our stdin; it closes when the supervisor exits, however it exits. */
function stopWhenSupervisorIsGone(core: () => RunningCore | undefined): void {
  process.stdin.resume();
  process.stdin.once('end', () => {
    setTimeout(() => process.exit(1), ORPHAN_STOP_MS).unref();
    const running = core();
    if (!running) process.exit(1);
    running.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
