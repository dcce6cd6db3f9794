/**
 * Agent credentials (MACP section 4.2): X.509 certificates issued from a CSR against an unused
 * AAAP grant for the same key, then renewed, suspended, resumed or revoked, with their status
 * as JSON and in a DER CRL (RFC 5280 section 5), and every change notified to subscribers.
 */
import { randomBytes } from 'node:crypto';
import { parseAic } from '../shared/aic.ts';
import { nextCounterValue } from '../shared/counters.ts';
import type { Notifier } from '../shared/notifier.ts';
import { badRequest, conflict, forbidden, notFound, ProblemError } from '../shared/problem.ts';
import type { CertificateAuthority } from './certificate-authority.ts';
import { csrRefusalsAs400 } from '../shared/csr.ts';
import type { AmcSettings } from './settings.ts';
import type { Update } from '../shared/store/collection.ts';
import type { AmcStore, CredentialRecord } from './store.ts';

export type RevocationReason = 'unspecified' | 'keyCompromise' | 'affiliationChanged' | 'superseded' | 'cessationOfOperation' | 'certificateHold' | 'privilegeWithdrawn';

export interface CredentialStatus {
  serialNumber: string;
  aic: string;
  status: 'GOOD' | 'SUSPENDED' | 'REVOKED' | 'EXPIRED';
  notBefore: string;
  notAfter: string;
  revokedAt?: string;
  reason?: RevocationReason;
  supersededBy?: string;
  /** In answers to changed-since (listCredentials). */
  statusChangedAt?: string;
  certificatePem?: string;
}

export interface CredentialEvent {
  event: 'CREDENTIAL_ISSUED' | 'CREDENTIAL_SUSPENDED' | 'CREDENTIAL_RESUMED' | 'CREDENTIAL_REVOKED';
  serialNumber: string;
  aic: string;
  status: CredentialStatus['status'];
  reason?: RevocationReason;
  certificatePem?: string;
}

export interface CredentialsDeps {
  store: AmcStore;
  settings: AmcSettings;
  ca: CertificateAuthority;
  aicSaltHex: string;
  notifier: Notifier<CredentialEvent>;
  now: () => number;
}

/** The counter of credential status changes (crl()). */
const STATUS_CHANGES = 'credentialStatusChanges';

/** A renewal takes milliseconds; a claim on a certificate older than this was left by a process that stopped. */
const RENEWAL_CLAIM_MS = 60_000;

/**
 * The certificates renewals of `serialNumber` made under its claim at `claimedAt` or an earlier
 * one (ISO 8601 strings of one length compare as times), and those made before renewals were
 * recorded on certificates: while a certificate is claimed, every other one of its AIC is such a
 * stray (an AIC is issued once, and each renewal replaces the certificate it renewed).
 */
const strayFilter = (serialNumber: string, claimedAt: string) => ({
  $or: [
    { renewalOf: serialNumber, renewalClaimedAt: { $lte: claimedAt } },
    { renewalOf: serialNumber, renewalClaimedAt: { $exists: false } },
    { renewalOf: { $exists: false } },
  ],
});

/** The CRL counter (RFC 5280 section 5.2.3), kept in the store, so replicas number CRLs in one sequence. */
const CRL_NUMBER = 'crlNumber';
/** Numbers a CRL may take while replicas number theirs, before the request is answered 503. */
const CRL_ATTEMPTS = 5;

/** A signed CRL with its times, which HTTP caching follows (RFC 5280 section 5.1.2.5, RFC 9111). */
export interface SignedCrl {
  der: Uint8Array;
  /** Its CRL number (RFC 5280 section 5.2.3): a CRL of another number is another list. */
  crlNumber: number;
  thisUpdate: Date;
  nextUpdate: Date;
}

/** Searches for live certificates of a compromised key: a renewal under way adds at most one each time. */
const KEY_COMPROMISE_PASSES = 5;

/**
 * Whether a certificate of the key (the SHA-256 of its SubjectPublicKeyInfo) was revoked for
 * keyCompromise: such a key is never certified again, under any AIC (RFC 5280 section 5.3.1: the
 * key is known or suspected to be in other hands). AAAP denies it, and issuance and renewal refuse it.
 */
export async function keyCompromised(credentials: AmcStore['credentials'], publicKeySha256: string): Promise<boolean> {
  return (await credentials.findOne({ publicKeySha256, reason: 'keyCompromise' }, { fields: ['reason'] })) !== null;
}

/**
 * Refuses once the CA certificate has expired (500 CA_EXPIRED): nothing it signs would validate.
 * AAAP grants nothing then, and issuance and renewal refuse before a grant or a renewal claim is
 * taken, so nothing is spent on a request that cannot be served.
 */
export function requireCaInValidityAt(ca: Pick<CertificateAuthority, 'notAfter'>, at: number): void {
  if (at >= ca.notAfter.getTime()) {
    throw new ProblemError(500, `the AMC's CA certificate expired at ${ca.notAfter.toISOString()}; it issues nothing until the operator gives it a new CA`, { cause: 'CA_EXPIRED' });
  }
}

const wholeSeconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000);

const keyCompromisedRefusal = () => forbidden('a certificate of this key was revoked for keyCompromise; the key is not certified again, and the agent needs a new one', 'KEY_COMPROMISED');

export function createCredentials(deps: CredentialsDeps) {
  const { store, ca, now } = deps;
  /**
   * The CRL last built, with the count of status changes it was built after. The count is kept in
   * the store and raised by every change, so AMC replicas sharing a store each see the others'
   * changes: a CRL asked for after any change, made through any replica, lists it.
   */
  let crlCache: { crl: SignedCrl; changes: number; until: number } | undefined;
  let crlMaking: Promise<SignedCrl> | undefined;
  const statusChanges = async () => (await store.counters.findOne({ _id: STATUS_CHANGES }))?.value ?? 0;
  const issuing = new Set<string>();
  /** A status change's times: a suspension or revocation names one instant for both. */
  const revokedNow = () => {
    const at = new Date(now()).toISOString();
    return { revokedAt: at, statusChangedAt: at };
  };

  const statusOf = (record: CredentialRecord): CredentialStatus => ({
    serialNumber: record._id,
    aic: record.aic,
    // A revoked certificate stays revoked past its notAfter; a held one is of no use by then either.
    status: record.status !== 'REVOKED' && Date.parse(record.notAfter) <= now() ? 'EXPIRED' : record.status,
    notBefore: record.notBefore,
    notAfter: record.notAfter,
    ...(record.revokedAt ? { revokedAt: record.revokedAt } : {}),
    ...(record.reason ? { reason: record.reason as RevocationReason } : {}),
    ...(record.supersededBy ? { supersededBy: record.supersededBy } : {}),
    certificatePem: record.certificatePem,
  });

  async function currentOrNewCrl(): Promise<SignedCrl> {
    const changes = await statusChanges();
    if (crlCache && crlCache.changes === changes && crlCache.until > now()) return crlCache.crl;
    const crl = await numberedCrl();
    // Kept until a change or until half the validity has passed, so relying parties see fresh CRLs;
    // not kept if a change came while it was built (its list may predate that change).
    if ((await statusChanges()) === changes) crlCache = { crl, changes, until: now() + (deps.settings.crlValiditySeconds * 1000) / 2 };
    return crl;
  }

  /**
   * A CRL with a higher number (RFC 5280 section 5.2.3) never holds an older list than one with a
   * lower number: the number is taken before the list is read, and the list is used only if no
   * other CRL took a number while it was read (an AMC replica on the same store). Otherwise the
   * one that did may have read its list first, and this one takes a new number and reads again.
   */
  async function numberedCrl(): Promise<SignedCrl> {
    for (let attempt = 1; ; attempt += 1) {
      const crlNumber = await nextCounterValue(store.counters, CRL_NUMBER);
      const listed = await store.credentials.find({ status: { $in: ['REVOKED', 'SUSPENDED'] } });
      if ((await store.counters.findOne({ _id: CRL_NUMBER }))?.value !== crlNumber) {
        if (attempt < CRL_ATTEMPTS) continue;
        throw new ProblemError(503, `other AMC replicas numbered ${CRL_ATTEMPTS} CRLs while this one read its list; ask again`, { cause: 'CRL_BUSY' });
      }
      const thisUpdate = new Date(now());
      const nextUpdate = new Date(now() + deps.settings.crlValiditySeconds * 1000);
      const der = await ca.buildCrl({
        revoked: listed.map((record) => ({
          serialNumberHex: record._id,
          revokedAt: new Date(record.revokedAt ?? record.notBefore),
          reason: (record.reason ?? 'unspecified') as RevocationReason,
        })),
        crlNumber,
        thisUpdate,
        nextUpdate,
      });
      return { der, crlNumber, thisUpdate, nextUpdate };
    }
  }

  async function notifyAll(event: CredentialEvent): Promise<void> {
    crlCache = undefined;
    await nextCounterValue(store.counters, STATUS_CHANGES);
    for (const subscriber of await store.subscribers.find({})) deps.notifier.send(subscriber.notificationUri, event);
  }

  /** The CSR's key, after its proof of possession, and its fingerprint (shared/csr-fingerprint.ts). */
  const verifiedCsr = (csrPem: string) => csrRefusalsAs400(() => ca.verifyCsr(csrPem));

  /**
   * A renewal's CSR is one no certificate was made from. CSRs are not secret (a registration's
   * passes through the gateway), so a CSR used before proves nothing about who sends it again; the
   * key's holder makes a new one for each renewal. An ECDSA signature is new each time; Ed25519
   * and RSA PKCS#1 v1.5 signatures are not, so with those keys a new CSR differs in what it signs
   * (its subject, say). Issuance needs no such check: its single-use grant, bound to the key, is
   * what a replay would lack, and a registration the gateway rolled back may be sent again as it was.
   * The CSRs to compare with are the AIC's own: a renewal CSR carries the current certificate's
   * key, and every certificate of that key is the AIC's, but for registrations rolled back before it.
   */
  async function requireUnusedCsr(aic: string, fingerprint: string): Promise<void> {
    const made = await store.credentials.find({ aic });
    if (made.some((record) => record.csrFingerprint === fingerprint)) {
      throw conflict('a certificate was made from this CSR already; a renewal needs a CSR made for it', 'CSR_ALREADY_USED');
    }
  }

  const answerOf = (record: CredentialRecord) => ({ ...statusOf(record), certificatePem: record.certificatePem, caCertificatePem: ca.certificatePem });

  /**
   * The credential an earlier issuance made from this grant, for this AIC and key, for the same
   * gateway, while it is good: the same request again. A gateway whose call timed out or lost
   * its connection may send it again (to another AMC instance) without knowing whether the first
   * was served; it gets the first answer's credential, not a refusal while a certificate it never
   * received stays good.
   */
  async function issuedBefore(grantId: string, aic: string, publicKeySha256: string, caller?: { nfInstanceId: string }): Promise<CredentialRecord | null> {
    const earlier = await store.credentials.findOne({ aic });
    if (!earlier || earlier.grantId !== grantId || earlier.publicKeySha256 !== publicKeySha256) return null;
    // A credential revoked or lapsed since (the gateway gave up on the registration) is not handed out again.
    if (statusOf(earlier).status !== 'GOOD') return null;
    if (caller && (await store.grants.findOne({ _id: grantId }))?.gatewayNfInstanceId !== caller.nfInstanceId) return null;
    return earlier;
  }

  const requireCaInValidity = () => requireCaInValidityAt(ca, now());

  /** Signs a CSR already verified by verifiedCsr. */
  async function sign(aic: string, csrPem: string, csr: { publicKeySpkiSha256: string; fingerprint: string }, made: { grantId?: string; gatewayNfInstanceId?: string; renewal?: { of: string; claimedAt: string } }): Promise<CredentialRecord> {
    const serialNumber = positiveSerial();
    // In whole seconds, as the certificate holds them (RFC 5280 section 4.1.2.5.1): the record
    // says when the certificate really starts and ends, to the second a relying party reads.
    const notBefore = wholeSeconds(now() - 60_000); // a minute of allowance for relying parties' clocks
    // Shortened to the CA's own end: RFC 5280 section 6.1.3 path validation would refuse the
    // certificate after it anyway.
    const notAfter = wholeSeconds(Math.min(now() + deps.settings.credentialValidityDays * 86_400_000, ca.notAfter.getTime()));
    const { certificatePem } = await ca.issue({ csrPem, aic, serialNumberHex: serialNumber, notBefore, notAfter });
    const record: CredentialRecord = {
      _id: serialNumber,
      aic,
      status: 'GOOD',
      // A renewal's certificate is news to the gateways (CREDENTIAL_ISSUED); an issuance's is the asking gateway's answer.
      ...(made.renewal ? { statusChangedAt: new Date(now()).toISOString() } : {}),
      notBefore: notBefore.toISOString(),
      notAfter: notAfter.toISOString(),
      certificatePem,
      publicKeySha256: csr.publicKeySpkiSha256,
      csrFingerprint: csr.fingerprint,
      ...(made.grantId ? { grantId: made.grantId } : {}),
      ...(made.gatewayNfInstanceId ? { gatewayNfInstanceId: made.gatewayNfInstanceId } : {}),
      ...(made.renewal ? { renewalOf: made.renewal.of, renewalClaimedAt: made.renewal.claimedAt } : {}),
    };
    await store.credentials.insertOne(record);
    return record;
  }

  /** Revokes the credential the filter matches as superseded by `renewed`, in one conditional update. */
  async function supersede(filter: { _id: string; status: 'GOOD'; renewingSince?: string }, renewed: CredentialRecord): Promise<boolean> {
    const revoked = await store.credentials.findOneAndUpdate(filter, {
      $set: { status: 'REVOKED', reason: 'superseded', ...revokedNow(), supersededBy: renewed._id },
      $unset: { renewing: '', renewingSince: '' },
    });
    if (revoked) await notifyAll({ event: 'CREDENTIAL_REVOKED', serialNumber: revoked._id, aic: revoked.aic, status: 'REVOKED', reason: 'superseded' });
    return revoked !== null;
  }

  /** Revokes a credential for `reason` if it is still GOOD or SUSPENDED, and tells subscribers; whether it did. */
  async function revokeIfLive(serialNumber: string, reason: RevocationReason): Promise<boolean> {
    const revoked = await store.credentials.findOneAndUpdate({ _id: serialNumber, status: { $in: ['GOOD', 'SUSPENDED'] } }, { $set: { status: 'REVOKED', reason, ...revokedNow() } });
    if (revoked) await notifyAll({ event: 'CREDENTIAL_REVOKED', serialNumber, aic: revoked.aic, status: 'REVOKED', reason });
    return revoked !== null;
  }

  /**
   * Why a certificate a renewal made but never handed out is revoked: for the renewed one's reason
   * when that one was revoked (a compromised key is the new certificate's key too), else as no
   * longer needed.
   */
  async function strayReason(renewedSerial: string): Promise<RevocationReason> {
    const old = await store.credentials.findOne({ _id: renewedSerial });
    return old?.status === 'REVOKED' && old.reason ? (old.reason as RevocationReason) : 'cessationOfOperation';
  }

  /** Lets a renewal's claim go, only while it is that renewal's (claimedAt): a later renewal may have taken it over. */
  const releaseClaim = (serialNumber: string, claimedAt: string) =>
    store.credentials.findOneAndUpdate({ _id: serialNumber, renewingSince: claimedAt }, { $unset: { renewing: '', renewingSince: '' } });

  /**
   * A renewal whose certificate was suspended or revoked after the claim (or whose claim was
   * released or taken over meanwhile): the certificate made for it, never handed out, is revoked
   * (strayReason); then its claim goes.
   */
  async function abandonRenewal(serialNumber: string, renewed: CredentialRecord, claimedAt: string): Promise<RevocationReason> {
    const reason = await strayReason(serialNumber);
    await revokeIfLive(renewed._id, reason);
    await releaseClaim(serialNumber, claimedAt);
    return reason;
  }

  /**
   * A compromised key (RFC 5280 section 5.3.1 keyCompromise) compromises every certificate of it,
   * and a renewal keeps the key: the certificate named is revoked for it, and so is every other
   * certificate of the same key, its predecessors and successors and any other AIC's (the key
   * registered again after its agent left). One revoked before for another reason (superseded by a
   * renewal, say) keeps its revocation date and has its entry's reason become keyCompromise: a
   * superseded entry would tell relying parties that what the key signed before that date still
   * holds. Live ones are looked for again until none is left, since a renewal under way may add
   * one. From then on the key is certified no more (keyCompromised). 409 only when the one named
   * is revoked for keyCompromise already.
   */
  async function revokeForKeyCompromise(serialText: string) {
    const serialNumber = canonicalSerial(serialText);
    const record = await store.credentials.findOne({ _id: serialNumber });
    if (!record) throw notFound(`credential ${serialNumber} does not exist`);
    const updated = await markKeyCompromised(record);
    if (!updated) throw conflict(`credential ${serialNumber} is revoked for keyCompromise already`, 'CREDENTIAL_STATE_CONFLICT');
    const revokedBefore = await store.credentials.find({ publicKeySha256: record.publicKeySha256, status: 'REVOKED', reason: { $ne: 'keyCompromise' } });
    for (const sameKey of revokedBefore) await markKeyCompromised(sameKey);
    for (let pass = 0; pass < KEY_COMPROMISE_PASSES; pass += 1) {
      const live = await store.credentials.find({ publicKeySha256: record.publicKeySha256, status: { $in: ['GOOD', 'SUSPENDED'] } });
      if (!live.length) break;
      for (const sameKey of live) await revokeIfLive(sameKey._id, 'keyCompromise');
    }
    return statusOf(updated);
  }

  /** Revokes one certificate for keyCompromise, keeping the date of a revocation it had; null if it was revoked for it already. */
  async function markKeyCompromised(record: CredentialRecord): Promise<CredentialRecord | null> {
    // The date kept is the one of the status read: a renewal that superseded the certificate
    // since (a first revocation, with its own date) makes the update miss, and it is read again.
    let seen: CredentialRecord | null = record;
    for (let attempt = 0; attempt < KEY_COMPROMISE_PASSES && seen && seen.reason !== 'keyCompromise'; attempt += 1, seen = await store.credentials.findOne({ _id: record._id })) {
      const at = new Date(now()).toISOString();
      const revokedAt = seen.status === 'REVOKED' && seen.revokedAt ? seen.revokedAt : at;
      const updated = await store.credentials.findOneAndUpdate({ _id: seen._id, status: seen.status, reason: { $ne: 'keyCompromise' } }, { $set: { status: 'REVOKED', reason: 'keyCompromise', revokedAt, statusChangedAt: at } });
      if (!updated) continue;
      await notifyAll({ event: 'CREDENTIAL_REVOKED', serialNumber: record._id, aic: updated.aic, status: 'REVOKED', reason: 'keyCompromise' });
      return updated;
    }
    return null;
  }

  /**
   * Renewals a stopped process left claimed (for longer than RENEWAL_CLAIM_MS; a renewal takes
   * milliseconds): the answer never went out, since it follows the replacement of the old
   * certificate, so a certificate that renewal made (renewalOf the claimed one, under this claim
   * or an earlier one: strayFilter) reached no one. It is revoked (strayReason) and the claim
   * released, the claimed certificate staying the AIC's one: a second GOOD certificate of the AIC
   * would stay good through a suspension of the first. The AMC runs this at start and every minute (app.ts);
   * answers how many claims were released.
   */
  async function releaseAbandonedRenewals(): Promise<number> {
    const abandoned = await store.credentials.find({ renewingSince: { $lt: new Date(now() - RENEWAL_CLAIM_MS).toISOString() } });
    let released = 0;
    for (const claimed of abandoned) {
      const claimedAt = claimed.renewingSince!;
      // Released first, and only if it is still this claim: a renewal still under it then can no
      // longer replace the certificate (supersede is conditional on its claim) and abandons its own.
      if (!(await releaseClaim(claimed._id, claimedAt))) continue;
      released += 1;
      // What renewals under this claim or earlier ones made; a renewal that claims the certificate
      // after the release makes its own, under a later claim.
      const strays = (await store.credentials.find({ aic: claimed.aic, status: { $in: ['GOOD', 'SUSPENDED'] }, ...strayFilter(claimed._id, claimedAt) })).filter((stray) => stray._id !== claimed._id);
      if (!strays.length) continue;
      const reason = await strayReason(claimed._id);
      for (const stray of strays) await revokeIfLive(stray._id, reason);
    }
    return released;
  }

  /**
   * `unexpired`: the change is made only before the certificate's notAfter. Past it, no relying
   * party accepts the certificate (RFC 5280 section 6.1.3), so a hold or a revocation for any
   * reason but keyCompromise would only put an entry dated after its end in the CRL: 409
   * CREDENTIAL_EXPIRED.
   */
  async function changeStatus(serialText: string, from: CredentialRecord['status'][], update: Update, event: CredentialEvent['event'], options: { unexpired?: boolean } = {}) {
    const serialNumber = canonicalSerial(serialText);
    const record = await store.credentials.findOne({ _id: serialNumber });
    if (!record) throw notFound(`credential ${serialNumber} does not exist`);
    if (options.unexpired && from.includes(record.status) && Date.parse(record.notAfter) <= now()) {
      throw conflict(`credential ${serialNumber} expired at ${record.notAfter}; only a keyCompromise revocation is taken for it`, 'CREDENTIAL_EXPIRED');
    }
    const updated = await store.credentials.findOneAndUpdate({ _id: serialNumber, status: { $in: from } }, update);
    if (!updated) {
      // Read again: a renewal may have superseded it since the first read, and the caller is told so.
      const latest = (await store.credentials.findOne({ _id: serialNumber })) ?? record;
      const successor = latest.supersededBy ? `, superseded by ${latest.supersededBy}` : '';
      throw conflict(`credential ${serialNumber} is ${latest.status}${successor}; this change needs ${from.join(' or ')}`, 'CREDENTIAL_STATE_CONFLICT');
    }
    await notifyAll({ event, serialNumber, aic: updated.aic, status: updated.status, ...(updated.reason ? { reason: updated.reason as RevocationReason } : {}) });
    return statusOf(updated);
  }

  /**
   * Certificates of a key a keyCompromise revocation names that are still GOOD or SUSPENDED: made
   * under another AIC before a revocation reached every AIC of its key, as it does now. Revoked
   * for keyCompromise; the AMC does this when it starts (app.ts). Answers how many.
   */
  async function revokeLeftoversOfCompromisedKeys(): Promise<number> {
    const compromised = new Set((await store.credentials.find({ status: 'REVOKED', reason: 'keyCompromise' })).map((record) => record.publicKeySha256));
    let revoked = 0;
    for (const publicKeySha256 of compromised) {
      for (const live of await store.credentials.find({ publicKeySha256, status: { $in: ['GOOD', 'SUSPENDED'] } })) {
        if (await revokeIfLive(live._id, 'keyCompromise')) revoked += 1;
      }
    }
    return revoked;
  }

  return {
    releaseAbandonedRenewals,
    revokeLeftoversOfCompromisedKeys,

    /**
     * Issue from a CSR (proof of possession) against a single-use grant for the same key and
     * provider, made for the calling gateway (with OAuth on), for an AIC that has had no credential
     * before: an AIC is "a globally unique identifier that represents the identity of an Agent"
     * (003, section "Data Objects"), and renewal is how its certificate is replaced. Every check
     * comes before the grant is spent, so a refused request leaves the grant usable.
     */
    async issueCredential(request: { grantId: string; aic: string; csrPem: string }, caller?: { nfInstanceId: string }) {
      const aic = parseAic(request.aic, { saltHex: deps.aicSaltHex });
      if (!aic.ok) throw badRequest(`the AIC is refused: ${aic.reason}`, [{ param: '/aic', reason: aic.reason }], aic.cause);
      const csr = await verifiedCsr(request.csrPem);
      const usable = { _id: request.grantId, used: false, expiresAt: { $gt: new Date(now()) } };
      const grant = await store.grants.findOne(usable);
      if (!grant) {
        const repeated = await issuedBefore(request.grantId, aic.aic.text, csr.publicKeySpkiSha256, caller);
        if (repeated) return answerOf(repeated);
        throw forbidden(`grant ${request.grantId} is unknown, used or lapsed`, 'GRANT_INVALID');
      }
      if (caller && grant.gatewayNfInstanceId !== caller.nfInstanceId) {
        throw forbidden(`grant ${request.grantId} was made for another gateway`, 'GATEWAY_MISMATCH');
      }
      if (grant.publicKeySha256 !== csr.publicKeySpkiSha256) {
        throw forbidden("the CSR's key is not the key the grant was made for", 'KEY_MISMATCH');
      }
      // A grant made before the key was reported compromised is spent on nothing.
      if (await keyCompromised(store.credentials, csr.publicKeySpkiSha256)) throw keyCompromisedRefusal();
      if (grant.providerIndex !== aic.aic.providerIndex) {
        throw forbidden(`the AIC's provider index ${aic.aic.providerIndex} is not the grant's ${grant.providerIndex}`, 'AIC_PROVIDER_MISMATCH');
      }
      // A provider suspended after its grant was made gets no certificate from it, as it gets no
      // new grant (AAAP) and no renewal; the grant stays unspent for when it is active again.
      const provider = await store.providers.findOne({ _id: grant.providerId }, { fields: ['status'] });
      if (provider?.status === 'SUSPENDED') throw forbidden(`provider ${grant.providerId} is suspended; its agents are not certified`, 'PROVIDER_SUSPENDED');
      requireCaInValidity();
      // Claimed for the time of the check and the signing, so two issuances for one AIC at once
      // in this process cannot both pass the check (the gateways allocate each AIC once; AMC
      // replicas sharing a store do not see each other's claims).
      if (issuing.has(aic.aic.text)) throw conflict(`AIC ${aic.aic.text} is being certified`, 'AIC_ALREADY_ISSUED');
      issuing.add(aic.aic.text);
      let record: CredentialRecord;
      try {
        const earlier = await store.credentials.findOne({ aic: aic.aic.text }, { fields: ['status'] });
        if (earlier) throw conflict(`AIC ${aic.aic.text} has had a certificate; a certificate is replaced by renewal`, 'AIC_ALREADY_ISSUED');
        if (!(await store.grants.findOneAndUpdate(usable, { $set: { used: true } }))) {
          throw forbidden(`grant ${request.grantId} is unknown, used or lapsed`, 'GRANT_INVALID');
        }
        record = await sign(aic.aic.text, request.csrPem, csr, { grantId: request.grantId, gatewayNfInstanceId: grant.gatewayNfInstanceId });
      } finally {
        issuing.delete(aic.aic.text);
      }
      // A report of the key's compromise that came while it was signed: its sweep may have looked
      // before this record was written, and the record is revoked here instead (the report wrote
      // its own record first, so one of the two sees the other).
      if (await keyCompromised(store.credentials, record.publicKeySha256)) {
        await revokeIfLive(record._id, 'keyCompromise');
        throw keyCompromisedRefusal();
      }
      // No CREDENTIAL_ISSUED here: the gateway that asked has the answer; subscribers hear of
      // status changes and renewals, which happen without them.
      return answerOf(record);
    },

    /**
     * Renewal keeps the AIC and the key: the CSR must carry the current certificate's key and be
     * one no certificate was made from (the registration's passed through the gateway), so only
     * the key's holder can renew. A new key means a new registration. The old certificate is revoked as
     * superseded once the new one exists, so there is no gap.
     */
    async renewCredential(serialText: string, csrPem: string) {
      const serialNumber = canonicalSerial(serialText);
      const current = await store.credentials.findOne({ _id: serialNumber });
      if (!current) throw notFound(`credential ${serialNumber} does not exist`);
      if (statusOf(current).status !== 'GOOD') throw conflict(`credential ${serialNumber} is ${statusOf(current).status}; only a GOOD one is renewed`, 'CREDENTIAL_STATE_CONFLICT');
      // A suspended provider gets no new grants (AAAP), so none of its agents gets a new certificate either.
      const providerIndex = parseAic(current.aic, { saltHex: deps.aicSaltHex });
      const provider = providerIndex.ok ? await store.providers.findOne({ providerIndex: providerIndex.aic.providerIndex }) : null;
      if (provider?.status === 'SUSPENDED') throw forbidden(`provider ${provider._id} is suspended; its agents' credentials are not renewed`, 'PROVIDER_SUSPENDED');
      const csr = await verifiedCsr(csrPem);
      if (csr.publicKeySpkiSha256 !== current.publicKeySha256) {
        throw forbidden("a renewal CSR must carry the current certificate's key", 'KEY_MISMATCH');
      }
      // A key reported compromised keeps no GOOD certificate (revokeForKeyCompromise, and at
      // start revokeLeftoversOfCompromisedKeys) but for one a renewal is making in a race with it.
      if (await keyCompromised(store.credentials, csr.publicKeySpkiSha256)) throw keyCompromisedRefusal();
      await requireUnusedCsr(current.aic, csr.fingerprint);
      requireCaInValidity();
      // One renewal at a time: the certificate is claimed atomically, so two concurrent renewals
      // cannot leave two good certificates for one AIC. A claim older than RENEWAL_CLAIM_MS was
      // left by a process that stopped mid-renewal, and is taken over.
      const claimable = { $or: [{ renewing: { $exists: false } }, { renewingSince: { $exists: false } }, { renewingSince: { $lt: new Date(now() - RENEWAL_CLAIM_MS).toISOString() } }] };
      const claimedAt = new Date(now()).toISOString();
      const claimed = await store.credentials.findOneAndUpdate({ _id: serialNumber, status: 'GOOD', ...claimable }, { $set: { renewing: true, renewingSince: claimedAt } });
      if (!claimed) throw conflict(`credential ${serialNumber} is being renewed or is no longer GOOD`, 'CREDENTIAL_STATE_CONFLICT');
      let renewed: CredentialRecord;
      try {
        renewed = await sign(current.aic, csrPem, csr, { renewal: { of: serialNumber, claimedAt }, gatewayNfInstanceId: current.gatewayNfInstanceId });
      } catch (error) {
        await releaseClaim(serialNumber, claimedAt);
        throw error;
      }
      // The current certificate is replaced only while it is the GOOD one this renewal claimed: a
      // revocation or suspension that came meanwhile stands, and the new certificate, of the same
      // key, does not outlive it.
      if (!(await supersede({ _id: serialNumber, status: 'GOOD', renewingSince: claimedAt }, renewed))) {
        const reason = await abandonRenewal(serialNumber, renewed, claimedAt);
        throw conflict(`credential ${serialNumber} was suspended or revoked while it was renewed, or its renewal claim was released; the certificate made for the renewal is revoked (${reason})`, 'CREDENTIAL_STATE_CONFLICT');
      }
      // And so is one an earlier renewal of the same certificate that stopped after signing left
      // behind (not one a renewal of the new certificate may be making already).
      for (const replaced of await store.credentials.find({ aic: current.aic, status: 'GOOD', ...strayFilter(serialNumber, claimedAt) })) {
        if (replaced._id !== renewed._id) await supersede({ _id: replaced._id, status: 'GOOD' }, renewed);
      }
      await notifyAll({ event: 'CREDENTIAL_ISSUED', serialNumber: renewed._id, aic: renewed.aic, status: 'GOOD', certificatePem: renewed.certificatePem });
      return { ...statusOf(renewed), certificatePem: renewed.certificatePem, caCertificatePem: ca.certificatePem };
    },

    /** A suspension is a hold (RFC 5280 section 5.3.1 certificateHold): no other reason is taken. */
    suspendCredential: (serialNumber: string, reason?: RevocationReason) => {
      if (reason !== undefined && reason !== 'certificateHold') {
        throw badRequest(`a suspension's reason is certificateHold, not ${reason}; revoke for any other reason`, [{ param: '/reason', reason: 'not certificateHold' }]);
      }
      return changeStatus(serialNumber, ['GOOD'], { $set: { status: 'SUSPENDED', reason: 'certificateHold', ...revokedNow() } }, 'CREDENTIAL_SUSPENDED', { unexpired: true });
    },

    resumeCredential: (serialNumber: string) =>
      // RFC 5280 section 5.3.1: a resumed certificate simply leaves the next CRL.
      changeStatus(serialNumber, ['SUSPENDED'], { $set: { status: 'GOOD', statusChangedAt: new Date(now()).toISOString() }, $unset: { reason: '', revokedAt: '' } }, 'CREDENTIAL_RESUMED'),

    /** `onlyIfStatus`: revoked only from that status (the gateway's GOOD when an agent leaves: a hold placed meanwhile stands). */
    revokeCredential: (serialNumber: string, reason: RevocationReason = 'unspecified', onlyIfStatus?: 'GOOD' | 'SUSPENDED') => {
      if (reason === 'certificateHold') throw badRequest('certificateHold is a suspension; use suspend', [{ param: '/reason', reason: 'not a revocation reason' }]);
      if (reason === 'keyCompromise') {
        if (onlyIfStatus) throw badRequest('a keyCompromise revocation is made whatever the status; onlyIfStatus is not taken with it', [{ param: '/onlyIfStatus', reason: 'not taken with keyCompromise' }]);
        return revokeForKeyCompromise(serialNumber);
      }
      return changeStatus(serialNumber, onlyIfStatus ? [onlyIfStatus] : ['GOOD', 'SUSPENDED'], { $set: { status: 'REVOKED', reason, ...revokedNow() } }, 'CREDENTIAL_REVOKED', { unexpired: true });
    },

    async getCredentialStatus(serialText: string): Promise<CredentialStatus> {
      const serialNumber = canonicalSerial(serialText);
      const record = await store.credentials.findOne({ _id: serialNumber });
      if (!record) throw notFound(`credential ${serialNumber} does not exist`);
      return statusOf(record);
    },

    /**
     * Credentials, of one AIC, of one key, issued through one gateway's grants, or whose status
     * changed (or that a renewal made) at or after `changedSince`, in the order of those changes:
     * a gateway that missed notifications reads back what changed since it last looked.
     */
    async listCredentials(aicText?: string, changedSince?: string, publicKeySha256?: string, gatewayNfInstanceId?: string): Promise<CredentialStatus[]> {
      const filter: Record<string, unknown> = publicKeySha256 ? { publicKeySha256 } : {};
      if (gatewayNfInstanceId) filter.gatewayNfInstanceId = gatewayNfInstanceId;
      if (aicText) {
        const aic = parseAic(aicText, { saltHex: deps.aicSaltHex });
        if (!aic.ok) throw badRequest(`the AIC is refused: ${aic.reason}`, [{ param: 'query aic', reason: aic.reason }], aic.cause);
        filter.aic = aic.aic.text;
      }
      if (changedSince !== undefined) {
        // The schema's date-time takes a leap second (RFC 3339 section 5.7), which Date cannot hold.
        if (Number.isNaN(Date.parse(changedSince))) throw badRequest(`changed-since ${changedSince} is not a time this AMC can compare`, [{ param: 'query changed-since', reason: 'not a representable time' }]);
        filter.statusChangedAt = { $gte: new Date(changedSince).toISOString() };
      }
      const order: Record<string, 1> = changedSince !== undefined ? { statusChangedAt: 1 } : { notBefore: 1 };
      return (await store.credentials.find(filter, { sort: order, limit: 10_000 })).map((record) => ({ ...statusOf(record), ...(record.statusChangedAt ? { statusChangedAt: record.statusChangedAt } : {}) }));
    },

    /**
     * The CRL lists revoked and suspended (certificateHold) credentials; made again after any
     * change. One is made at a time in this process: requests that come while one is made wait
     * for it, and then take it if no change came meanwhile.
     */
    async crl(): Promise<SignedCrl> {
      while (crlMaking) await crlMaking.catch(() => undefined);
      const making = currentOrNewCrl();
      crlMaking = making;
      try {
        return await making;
      } finally {
        if (crlMaking === making) crlMaking = undefined;
      }
    },

    caCertificatePem: () => ca.certificatePem,

    trustAnchors: () => [{ domain: deps.settings.domain, certificatePem: ca.certificatePem }, ...deps.settings.peerTrustAnchors],
  };
}

export type Credentials = ReturnType<typeof createCredentials>;

/**
 * A serial number as stored. The AMC's own serials are lower-case hex and never start with a zero
 * octet (positiveSerial), but tools print serials in upper case (openssl, node:crypto's
 * X509Certificate), some with the zero octet DER puts before a high first octet, and some (Go's
 * math/big, Java's BigInteger, pyca/cryptography) as a number without the leading zero digit of
 * an octet below 0x10: all of these name the same credential.
 */
export function canonicalSerial(text: string): string {
  let hex = text.toLowerCase();
  if (hex.length % 2) hex = `0${hex}`;
  while (hex.length > 2 && hex.startsWith('00')) hex = hex.slice(2);
  return hex;
}

/** 16 random bytes with the top bit clear: a positive INTEGER of at most 20 octets (RFC 5280 section 4.1.2.2). */
function positiveSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] & 0x7f) | 0x01;
  return bytes.toString('hex');
}

