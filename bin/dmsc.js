#!/usr/bin/env -S node --max-semi-space-size=32
// The `dmsc` command: loads the TypeScript sources through tsx, so no build step is needed.
// The shebang's V8 flags are the servers' (bin/server-node-flags.ts says why); `env -S` passes them.
import { register } from 'tsx/esm/api';

register();
await import('./dmsc.ts');
