/** `dmsc up`: every NF in one process on its default port, and a table of where each one is. */
import { Command } from 'commander';
import { ConfigError, parseRuntimeConfig } from '../../nfs/shared/config.ts';
import { nfCatalog } from '../../nfs/catalog.ts';
import type { AgentNfHandle } from '../../nfs/agent-nf/app.ts';
import { runNfs, stopOnSignals, type RunningCore } from '../../nfs/shared/nf-runner.ts';
import { formatTable } from './core-client.ts';
import { readSettingsFile } from '../../nfs/shared/settings-file.ts';
import { withRuntimeOptions, type RuntimeOptions } from './runtime-options.ts';
import { readScenario, ScenarioError } from '../../ue-sim/scenario-file.ts';
import { runScenarioAgainstCore } from './scenario.ts';
import type { AgentNames } from '../../ue-sim/step-printer.ts';

export function upCommand(): Command {
  return withRuntimeOptions(new Command('up'))
    .description('start every NF in one process on fixed default ports (NRF on 127.0.0.1:29510) until Ctrl-C')
    .option('--only <names>', `comma-separated NFs to start, of: ${nfCatalog.map((nf) => nf.name).join(', ')}`)
    .option('--ports <list>', 'port overrides such as nrf=0,amc=0,agw=0 (0 picks a free port)')
    .option('--json', 'print one JSON line {store, nfs: [{nf, nfType, url, nfInstanceId}]} once every NF listens')
    .option('--scenario <name>', 'once the core is up, run this scenario (a file, or a shipped one: default, load-1000-ues) and print each step')
    .option('--exit', 'with --scenario: stop the core afterwards and exit 0 when every expectation held, 1 otherwise')
    .action(async (options: RuntimeOptions & { only?: string; ports?: string; json?: boolean; scenario?: string; exit?: boolean }) => {
      const selected = selectNfs(options.only);
      if (options.exit && !options.scenario) throw new ConfigError('--exit goes with --scenario');
      const scenario = options.scenario ? await readScenario(options.scenario).catch((error: Error) => {
        throw error instanceof ScenarioError ? new ConfigError(`--scenario: ${error.message}`) : error;
      }) : undefined;
      const config = parseRuntimeConfig(
        {
          host: options.host, advertiseHost: options.advertiseHost, nrfUri: options.nrf, dataDir: options.dataDir,
          mongodbUri: options.mongodbUri, logLevel: options.logLevel, oauth: options.oauth,
          nfSettings: options.config ? await readSettingsFile(options.config, nfCatalog.map((nf) => nf.name)) : {}, ports: parsePorts(options.ports),
        },
        {},
        { logLevel: 'warn' },
      );
      const core = await runNfs(selected, config);
      const store = config.dataDir ? `embedded, files in ${config.dataDir}` : config.mongodbUri ? 'MongoDB' : 'embedded, in memory';
      if (options.json) {
        const nfs = core.nfs.map((nf) => ({ nf: nf.handle.name, nfType: nf.handle.nfType, url: nf.apiRoot, nfInstanceId: nf.handle.nfInstanceId }));
        process.stdout.write(`${JSON.stringify({ store, nfs })}\n`);
      } else {
        printTable(core, store);
      }
      stopOnSignals(core);
      if (!scenario) return;
      const agentNames = await settledAgentNames(core);
      const nrfUri = core.nfs.find((nf) => nf.handle.nfType === 'NRF')?.apiRoot ?? config.nrfUri;
      process.stdout.write(`\nrunning scenario ${scenario.name}: ${scenario.description?.trim() ?? ''}\n`);
      // The simulated UEs hold the keys the AMF provisioned: the same master secret.
      const masterSecret = (config.nfSettings.amf as { masterSecret?: string } | undefined)?.masterSecret;
      const report = await runScenarioAgainstCore({ scenario, nrfUri, json: options.json, agentNames, masterSecret });
      if (options.exit) {
        await core.stop();
        process.exit(report.passed ? 0 : 1);
      }
      process.stdout.write('\nThe core stays up; try: npx dmsc ue intent "where am I"   (Ctrl-C stops every NF)\n');
    });
}

function parsePorts(list: string | undefined): Record<string, string> {
  if (!list) return {};
  return Object.fromEntries(
    list.split(',').map((item) => {
      const [name, port] = item.split('=').map((part) => part.trim());
      if (!name || port === undefined || !nfCatalog.some((nf) => nf.name === name)) {
        throw new ConfigError(`--ports: "${item}" is not <nf>=<port> with an NF of: ${nfCatalog.map((nf) => nf.name).join(', ')}`);
      }
      return [name, port];
    }),
  );
}

function selectNfs(only: string | undefined) {
  if (!only) return nfCatalog;
  const names = only.split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = names.filter((name) => !nfCatalog.some((nf) => nf.name === name));
  if (unknown.length || !names.length) {
    throw new ConfigError(`--only: unknown NF ${unknown.join(', ') || '(none given)'}; known: ${nfCatalog.map((nf) => nf.name).join(', ')}`);
  }
  return nfCatalog.filter((nf) => names.includes(nf.name));
}

/** Waits until every hosted agent registered (or gave up), then names them by AIC for the printed steps. */
async function settledAgentNames(core: RunningCore): Promise<AgentNames> {
  const names = new Map<string, string>();
  for (const nf of core.nfs) {
    const handle = nf.handle as Partial<AgentNfHandle>;
    if (!handle.whenAgentsSettled) continue;
    await handle.whenAgentsSettled();
    if (typeof handle.service?.listHostedAgents !== 'function') continue;
    for (const agent of handle.service.listHostedAgents()) if (agent.aic) names.set(agent.aic, agent.name);
  }
  return names;
}

function printTable(core: RunningCore, storeDescription: string): void {
  const rows = core.nfs.map((nf) => [nf.handle.name, nf.handle.nfType, nf.apiRoot, nf.handle.nfInstanceId]);
  const table = formatTable(['NF', 'type', 'URL', 'nfInstanceId'], rows);
  process.stdout.write(`dmsc-core is up (store: ${storeDescription})\n\n${table}\nCtrl-C stops every NF.\n`);
}
