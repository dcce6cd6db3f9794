/** Options shared by the commands that run NFs, each with its environment variable. */
import { Command, Option } from 'commander';

export function withRuntimeOptions(command: Command): Command {
  return command
    .addOption(new Option('--host <address>', 'address to listen on').env('HOST').default('127.0.0.1'))
    .addOption(new Option('--advertise-host <address>', 'address peers use to reach the NFs, when --host is 0.0.0.0').env('ADVERTISE_HOST'))
    .addOption(new Option('--nrf <uri>', 'NRF address (default: the NRF on --host, port 29510)').env('NRF_URI'))
    .addOption(new Option('--data-dir <dir>', 'keep the embedded store in files under this directory (default: in memory)').env('DATA_DIR'))
    .addOption(new Option('--mongodb-uri <uri>', 'use MongoDB instead of the embedded store').env('MONGODB_URI'))
    .addOption(new Option('--log-level <level>', 'JSON log lines on stderr at this level').choices(['error', 'warn', 'info', 'debug', 'silent']).env('LOG_LEVEL'))
    .addOption(new Option('--oauth', 'every NF demands an NRF access token on its SBI (TS 29.510 clause 5.4)').env('OAUTH'))
    .addOption(new Option('--config <file>', 'YAML settings by NF name (e.g. amc.credentialValidityDays, amc.providers); see README').env('DMSC_CONFIG'));
}

export interface RuntimeOptions {
  host: string;
  advertiseHost?: string;
  nrf?: string;
  dataDir?: string;
  mongodbUri?: string;
  logLevel?: string;
  oauth?: boolean | string;
  config?: string;
}
