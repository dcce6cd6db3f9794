/**
 * The dmsc semantic-session extension of A2A (A2A 1.0 section 4.6, extensions): session control
 * of MACP's Agent-to-Agent Process (SESSION_INIT, SESSION_ACCEPT, SESSION_UPDATE,
 * SESSION_TERMINATE, with the SMF's authorization artifact) rides on it. It is declared optional,
 * so a plain A2A client still gets answers from the open, read-only capabilities.
 */
import type { AgentExtension } from '@a2a-js/sdk';

export const SEMANTIC_SESSION_EXTENSION_URI = 'https://dmsc-core.dev/a2a/extensions/semantic-session/v1';

/** The extension's declaration on an agent's card; params tie the card to the AGW directory. */
export function semanticSessionExtension(params: { aic: string; openCapabilities: string[]; sessionCapabilities: string[] }): AgentExtension {
  return {
    uri: SEMANTIC_SESSION_EXTENSION_URI,
    description:
      'dmsc semantic sessions: network-authorized agent-to-agent sessions (SESSION_INIT with both AICs, the SMF-signed '
      + 'authorization artifact and the initiator\'s X.509 credential, then SESSION_ACCEPT, semantic data, SESSION_UPDATE, '
      + 'SESSION_TERMINATE). Session control rides on this extension; capabilities that change network state are served '
      + 'only inside such a session. Without it, the open read-only capabilities answer plain A2A messages.',
    required: false,
    params: { aic: params.aic, openCapabilities: params.openCapabilities, sessionCapabilities: params.sessionCapabilities },
  };
}
