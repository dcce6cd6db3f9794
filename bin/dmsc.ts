/** `dmsc`: run, inspect and measure the emulated core. Every sub-command explains itself with --help. */
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../nfs/shared/config.ts';
import { upCommand } from './commands/up.ts';
import { nfCommand } from './commands/nf.ts';
import { benchCommand } from './commands/bench.ts';
import { agentsCommand } from './commands/agents.ts';
import { caCommand } from './commands/ca.ts';
import { discoverCommand } from './commands/discover.ts';
import { scenarioCommand } from './commands/scenario.ts';
import { ueCommand } from './commands/ue.ts';

const program = new Command()
  .name('dmsc')
  .description(
    'dmsc-core: an emulator of an agent-enabled 6G mobile core. 3GPP-style network functions ' +
      '(NRF, AMC, AGW, ...) that talk over HTTP service-based interfaces described in openapi/.',
  )
  .version((JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version, '-V, --version', 'print the version of dmsc-core')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

// addCommand does not pass the program's settings on: give them to every command and sub-command.
const withProgramSettings = (command: Command): Command => {
  command.showHelpAfterError('(run with --help for usage)').exitOverride();
  command.commands.forEach(withProgramSettings);
  return command;
};
for (const command of [upCommand(), nfCommand(), benchCommand(), agentsCommand(), caCommand(), discoverCommand(), scenarioCommand(), ueCommand()]) program.addCommand(withProgramSettings(command));

/**
 * The command `help <name>` names, or undefined when it names none: commander answers
 * `dmsc help bogus` (and `dmsc bench help bogus`) with the help alone, as if asked for it.
 */
function unknownHelpTopic(args: readonly string[]): string | undefined {
  let command = program;
  for (let i = 0; i < args.length && !args[i].startsWith('-'); i += 1) {
    const named = (name: string) => command.commands.find((sub) => sub.name() === name || sub.aliases().includes(name));
    if (args[i] === 'help' && command.commands.length) return args[i + 1] === undefined || args[i + 1].startsWith('-') || named(args[i + 1]) ? undefined : args[i + 1];
    const next = named(args[i]);
    if (!next) return undefined;
    command = next;
  }
  return undefined;
}

const unknownTopic = unknownHelpTopic(process.argv.slice(2));
if (unknownTopic !== undefined) {
  process.stderr.write(`error: unknown command '${unknownTopic}'\n(run with --help for usage)\n`);
  process.exit(2);
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Help and version exit 0; a usage error exits 2, as a configuration error does.
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
  if (error instanceof ConfigError) {
    process.stderr.write(`dmsc: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`dmsc: ${(error as Error).message}\n`);
  process.exit(1);
}
