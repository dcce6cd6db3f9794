#!/usr/bin/env node
// The `dmsc` command: loads the TypeScript sources through tsx, so no build step is needed.
import { register } from 'tsx/esm/api';

register();
await import('./dmsc.ts');
