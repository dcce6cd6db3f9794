/**
 * AAAP (MACP section 5.1): the gateway conveys agent identity, gateway identity and requested
 * scope; the AMC grants the permitted capabilities (least privilege: requested ∩ allowed) or
 * denies with a reason. A grant is single-use, bound to the agent's key and short-lived. At
 * registration the gateway sends the agent's CSR too, and nothing is granted without its proof of
 * possession: a registration's request without one is refused (400 MANDATORY_IE_MISSING). An
 * update sends none (the agent keeps its key); its decision is for the key the agent was certified
 * for, and issuance checks a CSR's proof of possession in any case.
 * Nothing is issued for an update, so its decision (purpose UPDATE) stores no grant. A key a
 * certificate was revoked for as compromised is denied (KEY_COMPROMISED), whatever the purpose.
 */
import { keptUuid } from '../shared/kept-uuid.ts';
import { badRequest, forbidden } from '../shared/problem.ts';
import type { CertificateAuthority } from './certificate-authority.ts';
import { keyCompromised, requireCaInValidityAt } from './credentials.ts';
import { csrRefusalsAs400 } from '../shared/csr.ts';
import type { Providers } from './providers.ts';
import type { AmcSettings } from './settings.ts';
import type { AmcStore } from './store.ts';

export interface AuthorizationRequest {
  gateway: { nfInstanceId: string; domain: string };
  provider: { providerId: string; clientSecret: string };
  agent: { name: string; version: string; kind: string };
  requestedCapabilities: string[];
  publicKeySha256: string;
  /** The agent's CSR, at registration: its proof of possession is checked before anything is granted. */
  csrPem?: string;
  /** REGISTRATION (the default): a GRANT names a stored single-use grant for issuance. UPDATE: the decision alone. */
  purpose?: 'REGISTRATION' | 'UPDATE';
}

export interface AuthorizationDecision {
  decision: 'GRANT' | 'DENY';
  grantId?: string;
  providerIndex?: string;
  grantedCapabilities?: string[];
  deniedCapabilities?: string[];
  expiresAt?: string;
  cause?: 'PROVIDER_UNKNOWN' | 'PROVIDER_SUSPENDED' | 'INVALID_PROVIDER_CREDENTIAL' | 'KIND_NOT_PERMITTED' | 'SCOPE_NOT_PERMITTED' | 'KEY_COMPROMISED';
  detail?: string;
}

export function createAuthorization(deps: { store: AmcStore; settings: AmcSettings; providers: Providers; ca: Pick<CertificateAuthority, 'verifyCsr' | 'notAfter'>; now: () => number }) {
  /**
   * The authentication of AAAP at registration: the CSR is signed with the key it certifies
   * (RFC 2986 section 3), the key meets the policy, and it is the key the grant is bound to. The
   * gateway reads the key from the CSR without checking it (shared/csr-key.ts); a key this parse
   * finds otherwise is a CSR the two read differently, refused as not a CSR. Issuance checks the
   * CSR again, a repeat in the CSR memo of this process (shared/csr.ts).
   */
  async function requireProofOfKey(csrPem: string, publicKeySha256: string): Promise<void> {
    const { publicKeySpkiSha256 } = await csrRefusalsAs400(() => deps.ca.verifyCsr(csrPem));
    if (publicKeySpkiSha256 !== publicKeySha256) {
      const reason = 'publicKeySha256 is not the SHA-256 of the key the AMC parses from the CSR (the gateway reads it from the CSR\'s DER headers: a CSR not in DER, X.690 section 10, reads otherwise)';
      throw badRequest(`the CSR is refused: ${reason}`, [{ param: '/csrPem', reason }], 'INVALID_CSR');
    }
  }

  return {
    /**
     * With OAuth on, the caller is the NF instance its access token names: a gateway asks only on
     * its own behalf (the gateway identity AAAP conveys is its own), and the grant is bound to it.
     */
    async authorize(request: AuthorizationRequest, caller?: { nfInstanceId: string }): Promise<AuthorizationDecision> {
      if (caller && caller.nfInstanceId !== request.gateway.nfInstanceId) {
        throw forbidden(`the gateway identity ${request.gateway.nfInstanceId} is not the caller's (${caller.nfInstanceId})`, 'GATEWAY_MISMATCH');
      }
      // MACP section 5.1: a registration's grant follows the proof of possession, so its request carries the CSR.
      if ((request.purpose ?? 'REGISTRATION') === 'REGISTRATION' && request.csrPem === undefined) {
        throw badRequest('an authorization for a registration carries the agent\'s CSR (csrPem): nothing is granted without its proof of possession', [{ param: '/csrPem', reason: 'missing' }], 'MANDATORY_IE_MISSING');
      }
      const check = await deps.providers.checkProviderCredentials(request.provider.providerId, request.provider.clientSecret);
      if (!check.ok) return { decision: 'DENY', cause: check.cause, detail: check.detail };
      // The kind an agent declares is what agents it calls judge it by: the provider must allow it.
      if (!(check.provider.allowedAgentKinds as string[]).includes(request.agent.kind)) {
        return { decision: 'DENY', cause: 'KIND_NOT_PERMITTED', detail: `provider ${check.provider.providerId} may not register agents of kind ${request.agent.kind} (it may: ${check.provider.allowedAgentKinds.join(', ')})` };
      }
      const allowed = check.provider.allowedCapabilities;
      const granted = request.requestedCapabilities.filter((id) => allowed.includes('*') || allowed.includes(id));
      const denied = request.requestedCapabilities.filter((id) => !granted.includes(id));
      if (!granted.length) {
        return {
          decision: 'DENY',
          cause: 'SCOPE_NOT_PERMITTED',
          deniedCapabilities: denied,
          detail: `provider ${check.provider.providerId} may not offer ${denied.join(', ')}`,
        };
      }
      if (await keyCompromised(deps.store.credentials, request.publicKeySha256)) {
        return { decision: 'DENY', cause: 'KEY_COMPROMISED', detail: 'a certificate of this key was revoked for keyCompromise; the agent needs a new key' };
      }
      if (request.csrPem !== undefined) await requireProofOfKey(request.csrPem, request.publicKeySha256);
      if (request.purpose === 'UPDATE') {
        return { decision: 'GRANT', providerIndex: check.provider.providerIndex, grantedCapabilities: granted, ...(denied.length ? { deniedCapabilities: denied } : {}) };
      }
      // A grant is for an issuance: none is stored that an expired CA could not serve.
      requireCaInValidityAt(deps.ca, deps.now());
      const expiresAt = new Date(deps.now() + deps.settings.grantLifetimeSeconds * 1000);
      const grantId = keptUuid();
      await deps.store.grants.insertOne({
        _id: grantId,
        providerId: check.provider.providerId,
        providerIndex: check.provider.providerIndex,
        grantedCapabilities: granted,
        publicKeySha256: request.publicKeySha256,
        gatewayNfInstanceId: request.gateway.nfInstanceId,
        used: false,
        expiresAt,
      });
      return {
        decision: 'GRANT',
        grantId,
        providerIndex: check.provider.providerIndex,
        grantedCapabilities: granted,
        ...(denied.length ? { deniedCapabilities: denied } : {}),
        expiresAt: expiresAt.toISOString(),
      };
    },
  };
}

export type Authorization = ReturnType<typeof createAuthorization>;
