/**
 * `dmsc up`: every NF on its default port, in this process or (--processes) each in its own child
 * process, and a table of where each one is.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { ConfigError, parseRuntimeConfig, type RuntimeConfig } from '../../nfs/shared/config.ts';
import { nfCatalog } from '../../nfs/catalog.ts';
import type { NfDescriptor } from '../../nfs/shared/nf-host.ts';
import { runNfs, stopOnSignals } from '../../nfs/shared/nf-runner.ts';
import { settledHostedAgents } from './hosted-agents.ts';
import { startNfProcesses, type SupervisorEvent } from './nf-processes.ts';
import { defaultNrfUri, formatTable, serviceRootAt } from './core-client.ts';
import { readSettingsFile } from '../../nfs/shared/settings-file.ts';
import { requireDataDirLayout } from '../../nfs/shared/store/data-dir-layout.ts';
import { withRuntimeOptions, type RuntimeOptions } from './runtime-options.ts';
import { readScenario, ScenarioError } from '../../ue-sim/scenario-file.ts';
import { runScenarioAgainstCore } from './scenario.ts';
import type { AgentNames } from '../../ue-sim/step-printer.ts';

export function upCommand(): Command {
  return withRuntimeOptions(new Command('up'))
    .description('start every NF on fixed default ports (NRF on 127.0.0.1:29510), in one process or one per NF, until Ctrl-C')
    .option('--only <names>', `comma-separated NFs to start, of: ${nfCatalog.map((nf) => nf.name).join(', ')}`)
    .option('--ports <list>', 'port overrides such as nrf=0,amc=0,agw=0 (0 picks a free port)')
    .option('--json', 'print one JSON line {store, processes, nfs: [{nf, nfType, url, nfInstanceId, pid?}]} once every NF listens (and, with --processes, one line per restart)')
    .option('--scenario <name>', 'once the core is up, run this scenario (a file, or a shipped one: default, load-1000-ues) and print each step')
    .option('--exit', 'with --scenario: stop the core afterwards and exit 0 when every expectation held, 1 otherwise')
    .option('--processes', 'run each NF as its own child process, restarted when it dies (embedded store: one directory per NF under --data-dir, else a temporary one)')
    .action(async (options: UpOptions) => {
      const selected = selectNfs(options.only);
      if (options.exit && !options.scenario) throw new ConfigError('--exit goes with --scenario');
      const scenario = options.scenario ? await readScenario(options.scenario).catch((error: Error) => {
        throw error instanceof ScenarioError ? new ConfigError(`--scenario: ${error.message}`) : error;
      }) : undefined;
      const config = parseRuntimeConfig(
        {
          host: options.host, advertiseHost: options.advertiseHost, nrfUri: options.nrf, dataDir: options.dataDir,
          mongodbUri: options.mongodbUri, logLevel: options.logLevel, oauth: options.oauth,
          nfSettings: options.config ? await readSettingsFile(options.config, nfCatalog) : {}, ports: parsePorts(options.ports),
        },
        {},
        { logLevel: 'warn' },
      );
      const core = options.processes ? await startAsProcesses(selected, config, options) : await startInProcess(selected, config);
      if (options.json) process.stdout.write(`${JSON.stringify({ store: core.storeDescription, processes: Boolean(options.processes), nfs: core.nfs })}\n`);
      else printTable(core);
      stopOnSignals(core);
      if (!scenario) return;
      const nrfUri = core.nfs.find((nf) => nf.nfType === 'NRF')?.url ?? config.nrfUri;
      // With --json, stdout carries JSON lines alone: the words for a reader go to stderr.
      const say = (text: string) => (options.json ? process.stderr : process.stdout).write(text);
      say(`\nrunning scenario ${scenario.name}: ${scenario.description?.trim() ?? ''}\n`);
      // The simulated UEs hold the keys the AMF provisioned: the same master secret.
      const masterSecret = (config.nfSettings.amf as { masterSecret?: string } | undefined)?.masterSecret;
      // With --oauth, NRF discovery needs a token the UEs do not hold: they are given the AMF, as a
      // gNB is configured with its AMFs, and their agents the SMF and the AMC this core started.
      const address = (nfType: string) => (config.oauth ? core.nfs.find((nf) => nf.nfType === nfType)?.url : undefined);
      const amf = address('AMF');
      const nfAddresses = { SMF: address('SMF'), AMC: address('AMC') };
      const report = await runScenarioAgainstCore({ scenario, nrfUri, amfUri: amf && serviceRootAt(amf, 'AMF', 'namf-nas'), nfAddresses, json: options.json, agentNames: await core.agentNames(), masterSecret });
      if (options.exit) {
        await core.stop();
        process.exit(report.passed ? 0 : 1);
      }
      // The command to try names this core's addresses where they are not the defaults.
      const reach = [
        ...(nrfUri !== defaultNrfUri ? [`--nrf ${nrfUri}`] : []),
        ...(amf ? [`--amf ${amf}`] : []),
        ...(nfAddresses.SMF ? [`--smf ${nfAddresses.SMF}`] : []),
        ...(nfAddresses.AMC ? [`--amc ${nfAddresses.AMC}`] : []),
        // The secret itself is not printed: it is in the settings file.
        ...(masterSecret ? ['--master-secret <amf.masterSecret of --config>'] : []),
      ];
      say(`\nThe core stays up; try: npx dmsc ue intent "where am I"${reach.map((option) => ` ${option}`).join('')}   (Ctrl-C stops every NF)\n`);
    });
}

type UpOptions = RuntimeOptions & { only?: string; ports?: string; json?: boolean; scenario?: string; exit?: boolean; processes?: boolean };

/** What `dmsc up` prints and needs, whichever way the NFs run. */
interface StartedCore {
  readonly storeDescription: string;
  readonly nfs: readonly { nf: string; nfType: string; url: string; nfInstanceId: string; pid?: number }[];
  agentNames(): Promise<AgentNames>;
  stop(): Promise<void>;
}

async function startInProcess(selected: readonly NfDescriptor[], config: RuntimeConfig): Promise<StartedCore> {
  const core = await runNfs(selected, config);
  return {
    storeDescription: config.dataDir ? `embedded, files in ${config.dataDir}` : config.mongodbUri ? 'MongoDB' : 'embedded, in memory',
    nfs: core.nfs.map((nf) => ({ nf: nf.handle.name, nfType: nf.handle.nfType, url: nf.apiRoot, nfInstanceId: nf.handle.nfInstanceId })),
    agentNames: async () => {
      const names = new Map<string, string>();
      for (const nf of core.nfs) for (const agent of (await settledHostedAgents(nf.handle)) ?? []) if (agent.aic) names.set(agent.aic, agent.name);
      return names;
    },
    stop: () => core.stop(),
  };
}

async function startAsProcesses(selected: readonly NfDescriptor[], config: RuntimeConfig, options: UpOptions): Promise<StartedCore> {
  // Without --data-dir each NF still keeps its store in files, in a directory removed at a clean
  // stop, so that an NF restarted after a crash comes back with what it had acknowledged.
  const temporaryRoot = !config.mongodbUri && !config.dataDir ? await mkdtemp(path.join(tmpdir(), 'dmsc-processes-')) : undefined;
  const storeRoot = config.dataDir ?? temporaryRoot;
  if (config.dataDir !== undefined && !config.mongodbUri) await requireDataDirLayout(config.dataDir, 'a store per NF');
  const onEvent = (event: SupervisorEvent) => process.stdout.write(options.json ? `${JSON.stringify(event)}\n` : `${describeSupervisorEvent(event)}\n`);
  const core = await startNfProcesses({ descriptors: selected, config, settingsFile: options.config, storeRoot, onEvent }).catch(async (error: Error) => {
    if (temporaryRoot) await rm(temporaryRoot, { recursive: true, force: true });
    throw error;
  });
  return {
    storeDescription: config.mongodbUri ? 'MongoDB' : `embedded, one directory per NF under ${storeRoot}${temporaryRoot ? ' (removed at stop)' : ''}`,
    get nfs() {
      return core.nfs.map(({ nf, nfType, url, nfInstanceId, pid }) => ({ nf, nfType, url, nfInstanceId, pid }));
    },
    agentNames: async () => new Map(core.nfs.flatMap((nf) => (nf.agents ?? []).flatMap((agent) => (agent.aic ? [[agent.aic, agent.name] as const] : [])))),
    stop: async () => {
      await core.stop();
      if (temporaryRoot) await rm(temporaryRoot, { recursive: true, force: true });
    },
  };
}

function describeSupervisorEvent(event: SupervisorEvent): string {
  switch (event.event) {
    case 'exited':
      return `${event.nf} (pid ${event.pid}) exited (${event.signal ?? `code ${event.code}`}); restarting it in ${event.restartInMs} ms`;
    case 'restarted':
      return `${event.nf} restarted (pid ${event.pid}) at ${event.url}`;
    case 'restart-failed':
      return `${event.nf} failed to restart: ${event.reason}; trying again in ${event.restartInMs} ms`;
    case 'gave-up':
      return `${event.nf} is left down: ${event.reason}`;
  }
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

function printTable(core: StartedCore): void {
  const withPids = core.nfs.some((nf) => nf.pid !== undefined);
  const rows = core.nfs.map((nf) => [nf.nf, nf.nfType, nf.url, nf.nfInstanceId, ...(withPids ? [String(nf.pid)] : [])]);
  const table = formatTable(['NF', 'type', 'URL', 'nfInstanceId', ...(withPids ? ['pid'] : [])], rows);
  process.stdout.write(`dmsc-core is up (store: ${core.storeDescription})\n\n${table}\nCtrl-C stops every NF.\n`);
}
