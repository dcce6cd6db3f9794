import { expect } from 'chai';
import { agentNfSettingsSchema, type AgentNfSettings } from '../../nfs/agent-nf/settings.ts';
import { amfSettingsSchema } from '../../nfs/amf/settings.ts';
import { ConfigError } from '../../nfs/shared/config.ts';
import { checkSettings } from '../../nfs/shared/settings-file.ts';

const refusal = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('settings of the NFs with agents and of the AMF', () => {
  it('accepts the chat-completions engine with its URL and model', () => {
    const settings = checkSettings<AgentNfSettings>('intent-agent', agentNfSettingsSchema, { comprehension: { engine: 'chat-completions', baseUrl: 'http://127.0.0.1:8000/v1', model: 'm' } });
    expect(settings.comprehension).to.deep.include({ engine: 'chat-completions' });
  });

  it('names each bad field: an agent without capabilities, an unknown role, a capability that is no taxonomy path', () => {
    const message = refusal(() =>
      checkSettings('capability-agents', agentNfSettingsSchema, { agents: [{ name: 'a', role: 'boss', capabilities: [] }, { name: 'b', role: 'capability', capabilities: ['qos'] }] }),
    );
    expect(message).to.match(/capability-agents\.agents\.0\.role/).and.match(/capability-agents\.agents\.0\.capabilities/).and.match(/capability-agents\.agents\.1\.capabilities\.0/);
  });

  it('refuses an engine it does not know and a provider secret too short to be one', () => {
    expect(refusal(() => checkSettings('intent-agent', agentNfSettingsSchema, { comprehension: { engine: 'gpt' } }))).to.match(/comprehension/);
    expect(refusal(() => checkSettings('amf', amfSettingsSchema, { intentAgentProvider: { providerId: 'lab', clientSecret: 'short' } }))).to.match(/amf\.intentAgentProvider\.clientSecret/);
  });
});
