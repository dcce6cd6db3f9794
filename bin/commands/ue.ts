/**
 * `dmsc ue intent|register|deregister`: act as one UE against a running core, through the UE
 * simulator's client (ue-sim/ue-client.ts): find the AMF through the NRF, register with
 * authentication, send a natural-language intent in UL NAS TRANSPORT and print the outcome the
 * network sends back in DL NAS TRANSPORT. A UE's NAS security context lives only as long as the
 * command, so `deregister` authenticates afresh (the new registration supersedes any old one) and
 * then deregisters. Exit 0 with any outcome delivered, 1 when the network rejected a procedure,
 * 2 for a usage error or an unreachable core.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { createOnDeviceConversion } from '../../ue-sim/on-device-conversion.ts';
import { ConfigError } from '../../nfs/shared/config.ts';
import { describeIntent } from '../../nfs/shared/intent/describe-intent.ts';
import { AmfUnreachableError } from '../../ue-sim/nas-channel.ts';
import { createUeClient, type IntentOutcome, type UeClient, type UeRegistration } from '../../ue-sim/ue-client.ts';
import { defaultNrfUri, formatTable, nfAddressAt, nfAddressOption, serviceRootAt, UnreachableError } from './core-client.ts';

export const defaultSupi = 'imsi-001010000000001';
/** namf-nas.yaml IntentContainer.text: the AMF refuses anything longer. */
const maxTextLength = 2000;

interface UeOptions {
  supi: string;
  nrf: string;
  amf?: string;
  smf?: string;
  amc?: string;
  json?: boolean;
  agent: boolean;
  masterSecret?: string;
}

function supiOf(value: string): string {
  if (!/^imsi-[0-9]{5,15}$/.test(value)) throw new InvalidArgumentError('must be an IMSI-type SUPI, e.g. imsi-001010000000001');
  return value;
}

function textOf(value: string): string {
  if (!value.trim()) throw new InvalidArgumentError('the intent text is empty');
  if ([...value].length > maxTextLength) throw new InvalidArgumentError(`the intent text is longer than ${maxTextLength} characters`);
  return value;
}

/** The options every ue sub-command takes. */
function withUeOptions(command: Command): Command {
  return command
    .addOption(new Option('--supi <supi>', 'the subscriber (SUPI) the UE registers as').argParser(supiOf).default(defaultSupi))
    .addOption(new Option('--nrf <uri>', 'NRF through which the AMF is found').env('NRF_URI').default(defaultNrfUri))
    .addOption(nfAddressOption('amf'))
    // With --oauth, where the UE's agent reaches the SMF and the AMC to check a session's initiator.
    .addOption(nfAddressOption('smf'))
    .addOption(nfAddressOption('amc'))
    .addOption(new Option('--master-secret <secret>', 'the secret subscriber keys are derived from, when the AMF\'s is not the public demo one').env('DMSC_MASTER_SECRET'))
    .option('--no-agent', 'a UE without an agent: send no CSR at registration')
    .option('--json', 'print one JSON object');
}

function clientFor(options: UeOptions): UeClient {
  if (!URL.canParse(options.nrf) || !/^https?:$/.test(new URL(options.nrf).protocol)) throw new ConfigError(`--nrf: ${options.nrf} is not an http(s) URI`);
  // A subscription that converts intents on the UE gets them converted here, on the device. The UE's
  // agent serves its A2A endpoint while this command runs, so core agents can ask the device.
  const amfUri = options.amf === undefined ? undefined : serviceRootAt(options.amf, '--amf', 'namf-nas');
  const nfAddresses = {
    ...(options.smf !== undefined ? { SMF: nfAddressAt(options.smf, '--smf') } : {}),
    ...(options.amc !== undefined ? { AMC: nfAddressAt(options.amc, '--amc') } : {}),
  };
  return createUeClient({ nrfUri: options.nrf, amfUri, nfAddresses, supi: options.supi, hasAgent: options.agent, serveAgent: options.agent, masterSecret: options.masterSecret, convertIntent: createOnDeviceConversion()(options.supi) });
}

/** An unreachable core is exit 2, as for the other client commands. */
async function reachable<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AmfUnreachableError) throw new UnreachableError(error.message);
    throw error;
  }
}

const write = (text: string) => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
const ms = (value: number | undefined) => (value === undefined ? '' : `${Math.round(value)} ms`);

export function ueCommand(): Command {
  const ue = new Command('ue').description('act as a UE: register with the AMF, send an intent over NAS, deregister (found through the NRF); each NAS answer is awaited up to 60 s, since a registration includes the UE agent\'s at the AGW and an intent its whole workflow');

  withUeOptions(
    ue
      .command('intent')
      .description('register, send a natural-language intent, print the network\'s answer, deregister')
      .argument('<text>', 'what you want, e.g. "my video keeps buffering, can you fix it?"', textOf)
      .option('--stay-registered', 'leave the UE registered (and its agent at the AGW) afterwards'),
  ).action((text: string, options: UeOptions & { stayRegistered?: boolean }) =>
    reachable(async () => {
      const started = performance.now();
      const client = clientFor(options);
      const registration = await client.register();
      const exchange = await client.sendIntentDetailed(text);
      const deregistration = options.stayRegistered ? {} : await client.deregisterDetailed();
      const timings = {
        ue: { ...registration.timings, ...exchange.timings, ...deregistration, totalMs: Math.round((performance.now() - started) * 100) / 100 },
        network: exchange.outcome.timings,
      };
      const { outcome } = exchange;
      if (options.json) {
        const tasks = outcome.tasks.map((task) => ({ capability: task.capability, agent: task.agent ?? null, state: task.state }));
        write(JSON.stringify({ outcome: outcome.outcome, result: outcome.result, intent: outcome.intent ?? null, tasks, timings }));
        return;
      }
      write(formatOutcome(outcome, exchange.fiveGmmCause));
      write(`UE       ${options.supi}: ${describeRegistration(registration)}${options.stayRegistered ? '; still registered' : '; deregistered'}`);
      write(`timings  registration ${ms(registration.timings.registrationMs)}, intent ${ms(exchange.timings.intentMs)}, total ${ms(timings.ue.totalMs)}`);
    }),
  );

  withUeOptions(ue.command('register').description('register the UE with the AMF and leave it registered')).action((options: UeOptions) =>
    reachable(async () => {
      const registration = await clientFor(options).register();
      const { status, aic, capabilityIds, detail } = registration.ueAgent;
      if (options.json) {
        write(JSON.stringify({ supi: options.supi, guti: registration.guti, intentConversionOnUe: registration.intentConversionOnUe, ueAgent: { status, aic, capabilityIds, detail }, timings: registration.timings }));
        return;
      }
      write(`${options.supi} registered: ${describeRegistration(registration)} (${ms(registration.timings.registrationMs)})`);
    }),
  );

  withUeOptions(ue.command('deregister').description('deregister the UE (after a fresh authentication) and its agent')).action((options: UeOptions) =>
    reachable(async () => {
      const client = clientFor(options);
      await client.register();
      const timings = await client.deregisterDetailed();
      if (options.json) write(JSON.stringify({ supi: options.supi, rmState: client.state().rmState, timings }));
      else write(`${options.supi} deregistered`);
    }),
  );
  return ue;
}

function describeRegistration(registration: UeRegistration): string {
  const agent = registration.ueAgent;
  const agentText = agent.status === 'REGISTERED' ? `UE agent ${agent.aic}` : `UE agent ${agent.status}${agent.detail ? ` (${agent.detail})` : ''}`;
  return `5G-GUTI ${registration.guti}, ${agentText}${registration.intentConversionOnUe ? ', converts intents on the UE' : ''}`;
}

function formatOutcome(outcome: IntentOutcome, fiveGmmCause?: number): string {
  const lines = [outcome.result, ''];
  const confidence = outcome.confidence !== undefined ? ` (confidence ${outcome.confidence.toFixed(2)})` : '';
  lines.push(`outcome  ${outcome.outcome}${confidence}${fiveGmmCause !== undefined ? `, 5GMM cause #${fiveGmmCause}` : ''}`);
  if (outcome.intent) lines.push(`intent   ${describeIntent(outcome.intent)}`);
  if (outcome.tasks.length) {
    const rows = outcome.tasks.map((task) => [task.taskId, task.capability, task.agent ?? '', task.state]);
    lines.push('tasks', ...formatTable(['TASK', 'CAPABILITY', 'AGENT', 'STATE'], rows).trimEnd().split('\n').map((line) => `  ${line}`));
  }
  return lines.join('\n');
}
