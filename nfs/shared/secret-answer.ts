/**
 * Headers of an answer that carries a secret shown once (an access token, a provider's client
 * secret, an agent's registration access token): no cache may keep it (RFC 6749 section 5.1 asks
 * it of token answers; RFC 9111 section 5.2.2.5 no-store, and Pragma for HTTP/1.0 caches).
 */
export const secretAnswerHeaders: Readonly<Record<string, string>> = { 'cache-control': 'no-store', pragma: 'no-cache' };
