/** A query parameter no operation has is refused, whatever its name: bracketed names included. */
import { expect } from 'chai';
import { startTestCore, type TestCore } from '../support/core-harness.ts';
import { request } from '../support/nrf-harness.ts';

describe('query parameters with brackets in their names', function () {
  this.timeout(20_000);
  let core: TestCore;
  before(async () => {
    core = await startTestCore();
  });
  after(async () => core?.close());

  it('answers 400 naming the parameter, where the OpenAPI validator would take it for no parameter at all', async () => {
    for (const [query, name] of [['%5B%20=', '[ '], ['%5Bx%5D=1', '[x]'], ['aic%5B0%5D=x', 'aic[0]']]) {
      for (const url of [`${core.amcUrl}/namc-cred/v1/credentials?${query}`, `${core.agwUrl}/nagw-reg/v1/registrations?${query}`]) {
        const res = await request('GET', url);
        expect([res.status, res.body.cause], url).to.deep.equal([400, 'MANDATORY_IE_INCORRECT']);
        expect(res.body.invalidParams, url).to.deep.equal([{ param: `query ${name}`, reason: 'not a parameter of this operation' }]);
      }
    }
    expect((await request('GET', `${core.amcUrl}/namc-cred/v1/credentials`)).status, 'without one').to.equal(200);
  });
});
