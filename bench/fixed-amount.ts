/**
 * A fixed number of requests through autocannon, timed from the start to the last response.
 * autocannon resolves an `amount` run on its one-second tick, not when the last answer comes:
 * timing the call itself rounds every run up to whole seconds (1,000 requests answered in
 * 3.2 s read as 4 s).
 */
import autocannon from 'autocannon';

export async function runFixedAmount(options: autocannon.Options & { amount: number }): Promise<{ result: autocannon.Result; seconds: number }> {
  const started = process.hrtime.bigint();
  let lastResponse = started;
  const result = await autocannon({
    ...options,
    setupClient: (client) => {
      options.setupClient?.(client);
      client.on('response', () => (lastResponse = process.hrtime.bigint()));
    },
  });
  return { result, seconds: Number(lastResponse - started) / 1e9 };
}
