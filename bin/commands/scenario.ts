/**
 * `dmsc scenario run FILE`: simulated UEs run a scenario against a running core found through the
 * NRF; readable steps for small scenarios, a progress bar for load runs on a terminal, a summary
 * with success rate and latency percentiles, and exit 1 when an expectation failed.
 */
import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { readScenario, ScenarioError, type Scenario } from '../../ue-sim/scenario-file.ts';
import { runScenario, type ScenarioEvent, type ScenarioReport, type ScenarioUe } from '../../ue-sim/scenario-runner.ts';
import { formatReport, formatStep, type AgentNames } from '../../ue-sim/step-printer.ts';
import { createUeClient } from '../../ue-sim/ue-client.ts';
import { createOnDeviceConversion } from '../../ue-sim/on-device-conversion.ts';
import { ConfigError } from '../../nfs/shared/config.ts';
import { findService, nfAddressOption, serviceRootAt } from './core-client.ts';

/** Runs with more intents than this show a progress bar instead of every step. */
const MAX_PRINTED_STEPS = 20;
/** Scenarios up to this many UEs serve their UE agents' A2A endpoints; a load run opens no thousand ports. */
const MAX_SERVED_UE_AGENTS = 100;

export interface ScenarioRunOptions {
  scenario: Scenario;
  nrfUri: string;
  /** The AMF's namf-nas base URI, where the UEs send N1 messages without finding it through the NRF (needed with --oauth). */
  amfUri?: string;
  /** Where the UEs' agents reach the SMF and the AMC without the NRF (needed with --oauth). */
  nfAddresses?: Readonly<Partial<Record<'SMF' | 'AMC', string>>>;
  json?: boolean;
  agentNames?: AgentNames;
  out?: NodeJS.WritableStream;
  masterSecret?: string;
}

export async function runScenarioAgainstCore(options: ScenarioRunOptions): Promise<ScenarioReport> {
  const out = options.out ?? process.stdout;
  const { scenario } = options;
  const converterFor = createOnDeviceConversion();
  const arrivals = scenario.duration ? Math.floor(scenario.duration * scenario.arrivalRate) : scenario.ues.count * scenario.intents.length;
  const printSteps = !options.json && arrivals <= MAX_PRINTED_STEPS;
  const bar = !options.json && !printSteps && process.stderr.isTTY ? new cliProgress.SingleBar({ format: 'intents {bar} {value}/{total} | {eta}s left | UEs {ues}', stream: process.stderr }, cliProgress.Presets.shades_classic) : undefined;
  bar?.start(arrivals, 0, { ues: 0 });
  let registered = 0;
  const onEvent = (event: ScenarioEvent) => {
    if (event.type === 'registered') registered += 1;
    if (printSteps) out.write(formatStep(event, options.agentNames));
    else if (event.type === 'answered' || event.type === 'intent-failed') bar?.increment(1, { ues: registered });
  };
  // Small scenarios' UEs serve their agents' A2A endpoints (one local port each), so the network's agents can ask the devices.
  const serveAgent = scenario.ues.count <= MAX_SERVED_UE_AGENTS;
  const createUe = (supi: string): ScenarioUe => {
    const client = createUeClient({ nrfUri: options.nrfUri, amfUri: options.amfUri, nfAddresses: options.nfAddresses, supi, masterSecret: options.masterSecret, convertIntent: converterFor(supi), serveAgent });
    return {
      supi,
      register: async () => ({ aic: (await client.register()).aic }),
      sendIntent: (text) => client.sendIntent(text),
      deregister: async () => {
        try {
          await client.deregister();
        } finally {
          await client.close();
        }
      },
    };
  };
  try {
    const report = await runScenario({ scenario, createUe, onEvent });
    bar?.stop();
    out.write(options.json ? `${JSON.stringify(report)}\n` : formatReport(report));
    return report;
  } finally {
    bar?.stop();
  }
}

export function scenarioCommand(): Command {
  const scenario = new Command('scenario').description('run YAML scenarios of simulated UEs against a running core');
  scenario
    .command('run')
    .description('run a scenario file (or a shipped one by name: default, load-1000-ues); exits 1 when an expectation failed')
    .argument('<file>', 'scenario YAML file, or the name of a scenario in ue-sim/scenarios')
    .addOption(new Option('--nrf <uri>', 'the core\'s NRF').env('NRF_URI').default('http://127.0.0.1:29510'))
    .addOption(nfAddressOption('amf'))
    .addOption(new Option('--master-secret <secret>', 'the secret subscriber keys are derived from, when the AMF\'s is not the public demo one').env('DMSC_MASTER_SECRET'))
    .option('--json', 'print the summary as one JSON object')
    .action(async (file: string, options: { nrf: string; amf?: string; json?: boolean; masterSecret?: string }) => {
      let parsed: Scenario;
      try {
        parsed = await readScenario(file);
      } catch (error) {
        if (error instanceof ScenarioError) throw new ConfigError(error.message);
        throw error;
      }
      const amfUri = options.amf === undefined ? undefined : serviceRootAt(options.amf, '--amf', 'namf-nas');
      // A core that cannot be reached is a setup error (exit 2 naming the address), not a
      // scenario whose every expectation failed (exit 1).
      if (amfUri === undefined) await findService(options.nrf, 'AMF', 'namf-nas');
      const report = await runScenarioAgainstCore({ scenario: parsed, nrfUri: options.nrf, amfUri, json: options.json, masterSecret: options.masterSecret });
      process.exitCode = report.passed ? 0 : 1;
    });
  return scenario;
}
