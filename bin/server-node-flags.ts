/**
 * The V8 flags of the processes that serve NFs: `npm start` and `npm run dmsc` (package.json),
 * the container image (its NODE_OPTIONS), the NF processes of `dmsc up --processes` and the cores
 * the benchmarks start. test/cli/server-node-flags.test.ts checks that those places agree. A core
 * started as `npx dmsc up` runs with V8's defaults unless NODE_OPTIONS gives these: the command's
 * shebang stays `env node`, since `env -S` is missing from BusyBox (Alpine) and some BSDs.
 *
 * --max-semi-space-size=32 (MB; V8's default tops out at 16): a young-generation collection
 * (scavenge) of a core holding 100,000 agents stops the event loop for 3 to 5 ms, and copying
 * what survived is well under a millisecond of that; the rest does not shrink with a smaller
 * young generation (with 4 MB a scavenge still took 2.9 ms on average). An uncached discovery
 * allocates some 40 kB, so at the default size a scavenge came every 55 ms at 6,000 discoveries a
 * second, about 1 % of the requests waited for one, and the p99 was that pause. Twice the space
 * halves the number of scavenges; the young generation may then take up to 96 MB instead of 48.
 */
export const serverNodeFlags: readonly string[] = ['--max-semi-space-size=32'];

/**
 * The flags to put on a server process's command line: those NODE_OPTIONS does not set already.
 * A flag on the command line overrides NODE_OPTIONS, and an operator's choice there comes first.
 */
export function serverNodeFlagsFor(env: NodeJS.ProcessEnv = process.env): string[] {
  // V8 reads `_` and `-` in a flag's name alike.
  const given = (env.NODE_OPTIONS ?? '').replaceAll('_', '-');
  return serverNodeFlags.filter((flag) => !given.includes(flag.split('=')[0]));
}
