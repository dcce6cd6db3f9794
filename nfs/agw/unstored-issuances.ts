/**
 * Certificates the AMC made for registrations this gateway stopped in. A registration is certified
 * by the AMC before the gateway stores its agent (registration.ts); a gateway that stops in
 * between (a kill, a crash, a lost machine) leaves a GOOD certificate of an AIC it never stored,
 * which no deregistration will revoke. Its nonce is stored first, with the key the registration
 * certifies, and stays when the registration ends neither way (a refused or failed one gives its
 * nonce back). So the nonces seen before this gateway's process started, and not looked at since,
 * tell the registrations that may have been cut short: a key no agent holds through that
 * registration is looked up at the AMC, and the live certificates the grants of the gateway that
 * took it (this one or a replica) made for it around the nonce's time, of AICs no agent here
 * holds, are revoked (cessationOfOperation), each a failure event, and the nonce is given back.
 * Registrations this process
 * runs end here, one way or the other, so only what came before its start is looked at.
 */
import type { AmcConsumer } from './consumer.ts';
import type { Events } from './events.ts';
import type { AgwStore, NonceDocument } from './store.ts';

/** The time of the last nonce looked at, kept in the store so that replicas and restarts share it. */
const CHECKED_UNTIL = 'unstoredIssuancesCheckedUntil';

/**
 * A nonce younger than this may belong to a registration still under way (at a replica, or at an
 * AMC still answering one this gateway sent before it stopped): far longer than any takes.
 */
export const UNSTORED_GRACE_MS = 120_000;

const PAGE = 1000;

/** How far from its nonce's time a certificate of the key is taken as that registration's (the AMC backdates notBefore a minute). */
const ISSUANCE_WINDOW_MS = UNSTORED_GRACE_MS + 60_000;

export function createUnstoredIssuanceSweep(deps: { store: AgwStore; amc: Pick<AmcConsumer, 'listCredentialsOfKey' | 'revokeCredential'>; events: Pick<Events, 'recordEvent'>; gatewayId: string; now: () => number }) {
  const { store, amc, events, gatewayId, now } = deps;
  const startedAt = now();

  /**
   * The live certificates this gateway's grants made for a registration's key, around its nonce's
   * time, under an AIC no agent here holds, are revoked. A key an agent holds through this very
   * registration is settled; held through a later one (the agent tried again after the gateway
   * stopped), the AIC the first attempt was certified for may still have a live certificate.
   */
  async function revokeUnstoredOf(nonce: NonceDocument): Promise<number> {
    const key = nonce.publicKeySha256!;
    const holder = await store.agents.findOne({ publicKeySha256: key }, { fields: ['registrationNonce'] });
    if (holder && (holder.registrationNonce === undefined || holder.registrationNonce === nonce._id)) return 0;
    const revoked = await revokeCertificatesOf(nonce, key);
    // The registration never stored its agent: its nonce is given back, as a refused one's is, so
    // the request sent again as it was registers (its certificate revoked, its key held by none).
    await store.nonces.findOneAndDelete({ _id: nonce._id });
    return revoked;
  }

  async function revokeCertificatesOf(nonce: NonceDocument, key: string): Promise<number> {
    let revoked = 0;
    // The replica that took the registration, whose grants certified it (replicas share the nonces).
    for (const credential of await amc.listCredentialsOfKey(key, nonce.gatewayId ?? gatewayId)) {
      if (credential.status !== 'GOOD' && credential.status !== 'SUSPENDED') continue;
      if (Math.abs(Date.parse(credential.notBefore) - nonce.seenAt.getTime()) > ISSUANCE_WINDOW_MS) continue;
      if (await store.agents.findOne({ _id: credential.aic }, { fields: ['publicKeySha256'] })) continue;
      if (!(await amc.revokeCredential(credential.serialNumber, 'cessationOfOperation'))) continue;
      await events.recordEvent({
        type: 'agent.registration', outcome: 'failure', aic: credential.aic, cause: 'CERTIFICATE_REVOKED',
        detail: { reason: `the certificate the AMC made for ${credential.aic} in a registration the gateway stopped in, its agent never stored, is revoked`, serialNumber: credential.serialNumber },
      });
      revoked += 1;
    }
    return revoked;
  }

  /** Answers how many certificates were revoked. Reads the nonces a page at a time, keeping its mark after each. */
  return async function revokeUnstoredIssuances(): Promise<number> {
    let checkedUntil = (await store.counters.findOne({ _id: CHECKED_UNTIL }))?.value ?? 0;
    const until = Math.min(now() - UNSTORED_GRACE_MS, startedAt);
    let revoked = 0;
    while (checkedUntil < until) {
      const page = await store.nonces.find({ seenAt: { $gt: new Date(checkedUntil), $lte: new Date(until) } }, { sort: { seenAt: 1 }, limit: PAGE });
      for (const nonce of page) if (nonce.publicKeySha256) revoked += await revokeUnstoredOf(nonce);
      // A full page ends just before its last nonce's time, so those of that very time are read
      // again (a look is idempotent); a page full of one instant cannot be read past, and ends the look.
      const last = page.length === PAGE ? page[page.length - 1].seenAt.getTime() - 1 : until;
      if (last <= checkedUntil) break;
      checkedUntil = last;
      await store.counters.replaceOne({ _id: CHECKED_UNTIL }, { _id: CHECKED_UNTIL, value: checkedUntil }, { upsert: true });
    }
    return revoked;
  };
}
