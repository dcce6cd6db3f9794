/**
 * `dmsc ue ...` as bin/dmsc.ts runs it (exit codes mapped the same way), in this process against
 * a core with an AMF and an intent agent stub; its output is captured from process.stdout.
 */
import { expect } from 'chai';
import { Command, CommanderError } from 'commander';
import { ueCommand } from '../../bin/commands/ue.ts';
import { ConfigError } from '../../nfs/shared/config.ts';
import { startTestAmfCore, type TestAmfCore } from '../support/amf-harness.ts';
import { startIntentAgentStub, type IntentAgentStub } from '../support/amf-intent-agent-stub.ts';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Parses `dmsc ue <args>` and maps errors to exit codes as bin/dmsc.ts does. */
async function dmscUe(args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const quiet = (command: Command): Command => {
    command.exitOverride().configureOutput({ writeOut: (text) => void (stdout += text), writeErr: (text) => void (stderr += text) });
    command.commands.forEach(quiet);
    return command;
  };
  const program = quiet(new Command('dmsc').addCommand(ueCommand()));
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string) => {
    stdout += chunk;
    return true;
  }) as typeof process.stdout.write;
  try {
    await program.parseAsync(['ue', ...args], { from: 'user' });
    return { code: 0, stdout, stderr };
  } catch (error) {
    if (error instanceof CommanderError) return { code: error.exitCode === 0 ? 0 : 2, stdout, stderr: stderr + error.message };
    return { code: error instanceof ConfigError ? 2 : 1, stdout, stderr: stderr + (error as Error).message };
  } finally {
    process.stdout.write = write;
  }
}

describe('dmsc ue (command line)', () => {
  let core: TestAmfCore;
  let stub: IntentAgentStub;
  before(async () => {
    core = await startTestAmfCore();
    stub = await startIntentAgentStub();
    await stub.register(core.agwUrl);
  });
  after(async () => {
    await stub.close();
    await core.close();
  });

  it('prints the outcome as one JSON object with --json, and leaves the UE deregistered', async () => {
    const run = await dmscUe(['intent', 'my video keeps buffering', '--nrf', core.nrfUrl, '--json']);
    expect(run.code, run.stderr).to.equal(0);
    const printed = JSON.parse(run.stdout);
    expect(printed).to.have.all.keys('outcome', 'result', 'intent', 'tasks', 'timings');
    expect(printed).to.include({ outcome: 'completed', result: 'intent-agent handled: my video keeps buffering' });
    expect(printed.tasks).to.deep.equal([{ capability: '/capability/qos-optimisation', agent: 'stub-qos-agent', state: 'completed' }]);
    expect(printed.timings.ue).to.include.keys('registrationMs', 'intentMs', 'deregistrationMs', 'totalMs');
    expect(stub.received.at(-1)).to.include({ supi: 'imsi-001010000000001', text: 'my video keeps buffering' });
    expect((await core.amf.service.ueContext('imsi-001010000000001'))!.rmState).to.equal('RM-DEREGISTERED');
  });

  it('prints the result for people without --json', async () => {
    const run = await dmscUe(['intent', 'is my broadband line ok?', '--nrf', core.nrfUrl, '--supi', 'imsi-001010000050001', '--stay-registered']);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/^intent-agent handled: is my broadband line ok\?\n/);
    expect(run.stdout).to.match(/outcome {2}completed \(confidence 0\.90\)/);
    expect(run.stdout).to.match(/UE agent NOT_SUBSCRIBED; still registered/);
    expect((await core.amf.service.ueContext('imsi-001010000050001'))!.rmState).to.equal('RM-REGISTERED');
  });

  it('registers and deregisters', async () => {
    const registered = await dmscUe(['register', '--supi', 'imsi-001010000000020', '--nrf', core.nrfUrl, '--json']);
    expect(registered.code, registered.stderr).to.equal(0);
    expect(JSON.parse(registered.stdout).ueAgent.status).to.equal('REGISTERED');
    const deregistered = await dmscUe(['deregister', '--supi', 'imsi-001010000000020', '--nrf', core.nrfUrl]);
    expect(deregistered.code, deregistered.stderr).to.equal(0);
    expect(deregistered.stdout).to.equal('imsi-001010000000020 deregistered\n');
  });

  for (const [what, args] of [
    ['an empty text', ['intent', '   ']],
    ['a text over 2000 characters', ['intent', 'x'.repeat(2001)]],
    ['a malformed SUPI', ['intent', 'hello', '--supi', 'msisdn-1']],
    ['a missing text', ['intent']],
    ['an NRF that is no URI', ['register', '--nrf', 'nowhere']],
  ] as const) {
    it(`exits 2 on ${what}`, async () => {
      const run = await dmscUe([...args]);
      expect(run.code, run.stdout).to.equal(2);
      expect(run.stderr).to.not.equal('');
    });
  }

  it('exits 1 with the 5GMM cause when the network rejects the UE', async () => {
    const run = await dmscUe(['register', '--supi', 'imsi-999990000000001', '--nrf', core.nrfUrl]);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.match(/REGISTRATION_REJECT #9 UE identity cannot be derived by the network/);
  });
});
