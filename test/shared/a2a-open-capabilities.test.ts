import { expect } from 'chai';
import { Role, type Message, type Part } from '@a2a-js/sdk';
import { buildAgentCard, describeFromId } from '../../nfs/shared/a2a/agent-card.ts';
import { isRefusal, readOpenRequest, type OpenRequestRefusal } from '../../nfs/shared/a2a/open-capabilities.ts';
import { SEMANTIC_SESSION_EXTENSION_URI } from '../../nfs/shared/a2a/semantic-session-extension.ts';

const data = (value: unknown): Part => ({ content: { $case: 'data', value }, mediaType: 'application/json', filename: '', metadata: undefined });
const text = (value: string): Part => ({ content: { $case: 'text', value }, mediaType: 'text/plain', filename: '', metadata: undefined });
const message = (...parts: Part[]): Message => ({ messageId: 'm1', contextId: '', taskId: '', role: Role.ROLE_USER, parts, metadata: undefined, extensions: [], referenceTaskIds: [] });
const SUPI = 'imsi-001010000000011';

const refused = (value: ReturnType<typeof readOpenRequest>): OpenRequestRefusal => {
  if (!isRefusal(value)) throw new Error(`not refused: ${JSON.stringify(value)}`);
  return value;
};

describe('a2a open capabilities: what a plain A2A client may ask', () => {
  const billing = ['/capability/billing-plan', '/capability/knowledge-qa'];

  it('reads a data part as capability, SUPI and parameters, accepting a short capability name', () => {
    expect(readOpenRequest(message(data({ capabilityId: 'billing-plan', supi: SUPI, parameters: { action: 'Show-Usage' } })), 'billing-agent', billing))
      .to.deep.equal({ capabilityId: '/capability/billing-plan', supi: SUPI, parameters: { action: 'Show-Usage' } });
  });

  it('takes the question of knowledge-qa from the text part', () => {
    expect(readOpenRequest(message(text('why is my bill high?'), data({ capabilityId: '/capability/knowledge-qa' })), 'billing-agent', billing))
      .to.deep.equal({ capabilityId: '/capability/knowledge-qa', parameters: { question: 'why is my bill high?' } });
  });

  it('asks for a session for state-changing capabilities and actions, naming the extension', () => {
    for (const [held, data_] of [
      [['/capability/qos-optimisation'], { supi: SUPI }],
      [billing, { capabilityId: '/capability/billing-plan', supi: SUPI, parameters: { action: 'change-plan', plan: 'max-150' } }],
      [['/capability/broadband-troubleshooting'], { supi: SUPI, parameters: { action: 'REPAIR' } }],
      [['/capability/fault-handling'], { supi: SUPI }],
    ] as const) {
      const refusal = refused(readOpenRequest(message(data(data_)), 'some-agent', held));
      expect(refusal.kind).to.equal('session-required');
      expect(refusal.metadata).to.include({ reason: 'SEMANTIC_SESSION_REQUIRED', extension: SEMANTIC_SESSION_EXTENSION_URI });
    }
  });

  it('refuses malformed input with a reason, before any capability runs', () => {
    const reasons = [
      [message(), 'NO_CONTENT'],
      [message(data({ supi: SUPI })), 'MISSING_CAPABILITY'],
      [message(data({ capabilityId: '/capability/billing-plan', parameters: { action: 'show-bill' } })), 'MISSING_SUPI'],
      [message(data({ capabilityId: '/capability/billing-plan', supi: 'IMSI-1', parameters: {} })), 'INVALID_SUPI'],
      [message(data({ capabilityId: '/capability/billing-plan', supi: SUPI, parameters: { action: 'burn' } })), 'INVALID_PARAMETERS'],
      [message(data({ capabilityId: '/capability/location', supi: SUPI })), 'CAPABILITY_NOT_HELD'],
      [message(data({ capabilityId: '../../etc', supi: SUPI })), 'INVALID_CAPABILITY'],
      [message(data('imsi-001010000000011')), 'INVALID_DATA_PART'],
    ] as const;
    for (const [input, reason] of reasons) {
      const refusal = refused(readOpenRequest(input, 'billing-agent', billing));
      expect(refusal.kind, reason).to.equal('malformed');
      expect(refusal.metadata.reason).to.equal(reason);
    }
  });

  it('lists the plans without a SUPI, and analyses a named cell without one', () => {
    expect(isRefusal(readOpenRequest(message(data({ capabilityId: '/capability/billing-plan', parameters: { action: 'list-plans' } })), 'b', billing))).to.equal(false);
    expect(isRefusal(readOpenRequest(message(data({ parameters: { cellId: 'cell-1' } })), 'a', ['/capability/cell-load-analytics']))).to.equal(false);
  });
});

describe('a2a agent card', () => {
  const card = buildAgentCard(
    { name: 'broadband-agent', aic: 'AIC-1', a2aUrl: 'http://127.0.0.1:1234/a2a/broadband-agent', capabilityIds: ['/capability/broadband-troubleshooting', '/capability/data-preprocessing'] },
    { provider: { organization: 'operator-core' } },
  );

  it('names words for a capability from its identifier when no taxonomy is given', () => {
    expect(describeFromId('/capability/cell-load-analytics')).to.include({ name: 'Cell load analytics' });
  });

  it('has one skill per capability, marked open or session-required, and the JSON-RPC interface at the a2aUrl', () => {
    expect(card.skills.map((skill) => [skill.id, skill.tags.at(-1)])).to.deep.equal([
      ['/capability/broadband-troubleshooting', 'open'],
      ['/capability/data-preprocessing', 'session-required'],
    ]);
    expect(card.supportedInterfaces[0]).to.include({ url: 'http://127.0.0.1:1234/a2a/broadband-agent', protocolBinding: 'JSONRPC', protocolVersion: '1.0' });
    expect(card.provider).to.deep.equal({ organization: 'operator-core', url: 'http://127.0.0.1:1234' });
  });

  it('declares the optional semantic-session extension with the AIC and which capabilities are open', () => {
    expect(card.capabilities?.extensions).to.have.length(1);
    expect(card.capabilities!.extensions[0]).to.deep.include({
      uri: SEMANTIC_SESSION_EXTENSION_URI,
      required: false,
      params: { aic: 'AIC-1', openCapabilities: ['/capability/broadband-troubleshooting'], sessionCapabilities: ['/capability/data-preprocessing'] },
    });
  });
});
