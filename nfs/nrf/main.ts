/** Process entry of the NRF alone: configuration from the environment, then run until a signal. */
import { parseRuntimeConfig } from '../shared/config.ts';
import { runNfs, stopOnSignals } from '../shared/nf-runner.ts';
import { nrfDescriptor } from './app.ts';

const config = parseRuntimeConfig({ ports: process.env.PORT ? { nrf: process.env.PORT } : {} }, process.env, { logLevel: 'info' });
const core = await runNfs([nrfDescriptor], config);
stopOnSignals(core);
