/**
 * The credential of an `Authorization: Bearer <token>` header (RFC 6750 section 2.1), or undefined
 * for none or another scheme. The scheme is matched without regard to case (RFC 9110 section
 * 11.1); what the token must look like is the caller's check (a JWS parser, say).
 */
export function bearerTokenOf(authorization: string | undefined): string | undefined {
  return /^Bearer +(\S+) *$/i.exec(authorization ?? '')?.[1];
}
