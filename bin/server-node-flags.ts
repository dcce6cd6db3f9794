/**
 * The V8 flags of every process that serves NFs: `npm start`, `npx dmsc` (bin/dmsc.js's shebang),
 * the container image's entrypoint, the NF processes of `dmsc up --processes` and the cores the
 * benchmarks start. test/cli/server-node-flags.test.ts checks that those places agree.
 *
 * --max-semi-space-size=32 (MB; V8's default tops out at 16): a young-generation collection
 * (scavenge) of a core holding 100,000 agents stops the event loop for 3 to 5 ms, and only about
 * 0.3 ms of that is copying what survived; the rest does not shrink with a smaller young
 * generation (4 MB still paused 2.9 ms on average). An uncached discovery allocates some 40 kB, so
 * with the default size a scavenge came every 70 ms at 6,000 discoveries a second, about 1 % of
 * the requests waited for one, and the p99 was the pause. Twice the space halves the number of
 * pauses; the young generation may then take up to 96 MB instead of 48 when it is busy.
 */
export const serverNodeFlags: readonly string[] = ['--max-semi-space-size=32'];
