/**
 * The V8 flags of every process that serves NFs: `npm start`, `npx dmsc` (bin/dmsc.js's shebang),
 * the container image's entrypoint, the NF processes of `dmsc up --processes` and the cores the
 * benchmarks start. test/cli/server-node-flags.test.ts checks that those places agree.
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
