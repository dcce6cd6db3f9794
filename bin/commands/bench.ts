/** `dmsc bench <name>`: benchmarks that print their figures (never timed assertions in tests). */
import { Command } from 'commander';
import { wholeNumber } from './whole-number.ts';
// Each benchmark is loaded when it runs: the load generator (autocannon) is a development
// dependency, absent from the container image (compose/Dockerfile installs production ones only).

const positiveInt = wholeNumber(1);

export function benchCommand(): Command {
  const bench = new Command('bench').description('measure the emulator; figures as JSON with --json');
  bench
    .command('nrf')
    .description('NFRegister rate, discovery throughput and latency with many profiles, against a bare node:http ceiling')
    .option('--profiles <n>', 'profiles registered before discovery load', positiveInt, 10_000)
    .option('--duration <seconds>', 'seconds of load for discovery and for the ceiling', positiveInt, 10)
    .option('--connections <n>', 'concurrent connections of the load generator', positiveInt, 10)
    .option('--json', 'print one JSON object and nothing else on stdout')
    .action(async (options: { profiles: number; duration: number; connections: number; json?: boolean }) => {
      const result = await (await import('../../bench/nrf-bench.ts')).benchNrf({
        profiles: options.profiles,
        durationSeconds: options.duration,
        connections: options.connections,
        progress: (message) => process.stderr.write(`bench nrf: ${message}\n`),
      });
      process.stdout.write(options.json ? `${JSON.stringify(result)}\n` : `${JSON.stringify(result, null, 2)}\n`);
    });
  bench
    .command('agw')
    .description('agent registrations per second (AAAP + X.509 issuance), discovery latency with many agents, memory per agent')
    .option('--registrations <n>', 'agents registered through ARP', positiveInt, 1000)
    .option('--warm-up <n>', 'registrations before the timed ones (the rate settles after about 2,000)', positiveInt, 2000)
    .option('--agents <n>', 'agents in the directory for the discovery load', positiveInt, 100_000)
    .option('--duration <seconds>', 'seconds of load for each kind of discovery', positiveInt, 10)
    .option('--connections <n>', 'concurrent connections of the load generator', positiveInt, 4)
    .option('--json', 'print one JSON object and nothing else on stdout')
    .action(async (options: { registrations: number; warmUp: number; agents: number; duration: number; connections: number; json?: boolean }) => {
      const result = await (await import('../../bench/agw-bench.ts')).benchAgw({
        registrations: options.registrations,
        warmUp: options.warmUp,
        agents: Math.max(options.agents, options.registrations + options.warmUp),
        durationSeconds: options.duration,
        connections: options.connections,
        progress: (message) => process.stderr.write(`bench agw: ${message}\n`),
      });
      process.stdout.write(options.json ? `${JSON.stringify(result)}\n` : `${JSON.stringify(result, null, 2)}\n`);
    });
  bench
    .command('intent')
    .description('UE registrations per second (with and without a UE agent) and end-to-end intent latency at a fixed arrival rate')
    .option('--registrations <n>', 'UEs without an agent registered then deregistered', positiveInt, 2000)
    .option('--registrations-with-agent <n>', 'UEs with an agent (ARP + X.509 for each) registered', positiveInt, 200)
    .option('--concurrency <n>', 'registrations in flight at once', positiveInt, 32)
    .option('--ues <n>', 'UEs sending intents', positiveInt, 200)
    .option('--rate <n>', 'intents per second (open loop)', positiveInt, 100)
    .option('--duration <seconds>', 'seconds of intent load', positiveInt, 10)
    .option('--json', 'print one JSON object and nothing else on stdout')
    .action(async (options: { registrations: number; registrationsWithAgent: number; concurrency: number; ues: number; rate: number; duration: number; json?: boolean }) => {
      const result = await (await import('../../bench/intent-bench.ts')).benchIntent({
        registrations: options.registrations,
        registrationsWithAgent: options.registrationsWithAgent,
        concurrency: options.concurrency,
        ues: options.ues,
        arrivalRate: options.rate,
        durationSeconds: options.duration,
        progress: (message) => process.stderr.write(`bench intent: ${message}\n`),
      });
      process.stdout.write(options.json ? `${JSON.stringify(result)}\n` : `${JSON.stringify(result, null, 2)}\n`);
    });
  bench
    .command('session')
    .description('semantic sessions per second (SMF create, SESSION_INIT/ACCEPT, one data exchange, terminate) and their latency')
    .option('--sessions <n>', 'sessions to run', positiveInt, 1000)
    .option('--concurrency <n>', 'sessions in flight at once', positiveInt, 8)
    .option('--json', 'print one JSON object and nothing else on stdout')
    .action(async (options: { sessions: number; concurrency: number; json?: boolean }) => {
      const result = await (await import('../../bench/session-bench.ts')).benchSession({ sessions: options.sessions, concurrency: options.concurrency, progress: (message) => process.stderr.write(`bench session: ${message}\n`) });
      process.stdout.write(options.json ? `${JSON.stringify(result)}\n` : `${JSON.stringify(result, null, 2)}\n`);
    });
  return bench;
}
