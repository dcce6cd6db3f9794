import { expect } from 'chai';
import { defaultCapabilityAgentSettings } from '../../nfs/agent-nf/settings.ts';
import { SEMANTIC_SESSION_EXTENSION_URI } from '../../nfs/shared/a2a/semantic-session-extension.ts';
import { startTestAgentNf, type TestAgentNf } from '../support/agent-nf-harness.ts';
import { startTestCore, type TestCore } from '../support/core-harness.ts';

describe('session control before express: the SDK\'s JSON-RPC answers, without its express adapter', function () {
  this.timeout(30_000);
  let core: TestCore;
  let agents: TestAgentNf;
  let a2aUrl: string;

  const post = async (body: string, headers: Record<string, string> = {}) => {
    const res = await fetch(a2aUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'a2a-version': '1.0', ...headers }, body });
    return { status: res.status, body: await res.json() as { id?: unknown; error?: { code: number; message: string }; result?: unknown } };
  };
  const withExtension = { 'a2a-extensions': SEMANTIC_SESSION_EXTENSION_URI };

  before(async () => {
    core = await startTestCore({ smf: true });
    agents = await startTestAgentNf(core, 'capability-agents', { agents: defaultCapabilityAgentSettings.agents });
    a2aUrl = agents.handle.service.listHostedAgents().find((agent) => agent.name === 'billing-agent')!.a2aUrl!;
  });
  after(async () => {
    await agents.close();
    await core.close();
  });

  it('answers a body that is not JSON with the JSON-RPC parse error, as the SDK\'s express handler does', async () => {
    const fast = await post('{"jsonrpc":', withExtension);
    const express = await post('{"jsonrpc":');
    expect(fast).to.deep.equal(express);
    expect(fast.body.error?.code).to.equal(-32700);
  });

  it('hands a method other than SendMessage to the SDK\'s express handler with its body: the same answer as without the extension', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'GetTask', params: { id: 'no-such-task' } });
    const fast = await post(body, withExtension);
    const express = await post(body);
    expect(fast.status).to.equal(express.status);
    expect(fast.body).to.deep.include({ id: 7 });
    expect(fast.body.error?.code).to.be.a('number').and.equal(express.body.error?.code);
  });

  it('leaves a request of another A2A version to the SDK\'s express handler: without A2A-Version (0.3) or with 0.3, SendMessage is an unknown 0.3 method there, with the extension or without', async () => {
    const message = { messageId: 'm0', role: 'ROLE_USER', parts: [{ data: { kind: 'SESSION_DATA', sessionId: 'nope' }, mediaType: 'application/json' }], extensions: [SEMANTIC_SESSION_EXTENSION_URI] };
    const body = JSON.stringify({ jsonrpc: '2.0', id: 'v1', method: 'SendMessage', params: { message } });
    const postAs = async (version: string | undefined, headers: Record<string, string>) => {
      const res = await fetch(a2aUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...(version ? { 'a2a-version': version } : {}), ...headers }, body });
      return { status: res.status, body: await res.json() as { error?: { code: number } } };
    };
    for (const version of [undefined, '0.3']) {
      const fast = await postAs(version, withExtension);
      expect(fast, `A2A-Version ${version}`).to.deep.equal(await postAs(version, {}));
      expect(fast.body.error?.code, `A2A-Version ${version}`).to.equal(-32601);
    }
  });

  it('answers a malformed session message inside a well-formed SendMessage with SESSION_ERROR, not a transport error', async () => {
    const message = { messageId: 'm1', role: 'ROLE_USER', parts: [{ data: { kind: 'SESSION_DATA', sessionId: 'nope' }, mediaType: 'application/json' }], extensions: [SEMANTIC_SESSION_EXTENSION_URI] };
    const res = await post(JSON.stringify({ jsonrpc: '2.0', id: 'x1', method: 'SendMessage', params: { message } }), withExtension);
    expect(res.status).to.equal(200);
    expect(JSON.stringify(res.body.result)).to.match(/MALFORMED_SESSION_MESSAGE/);
  });
});
