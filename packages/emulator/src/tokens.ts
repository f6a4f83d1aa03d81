// Access tokens (§1.3). Only this emulator ever checks one, by looking it up, so the signature needs no key.

/**
 * A JWT shaped as osu!'s Passport access tokens are (`jti`, `sub`, `scopes`, times), so clients can read the
 * scopes as they do from real tokens. The signature is random bytes.
 */
export function accessToken(id: number, userId: number, scopes: readonly string[], now: number): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const iat = Math.floor(now / 1000);
  const header = encode({ typ: 'JWT', alg: 'RS256' });
  const payload = encode({
    aud: '1',
    jti: `${id}${randomHex(20)}`,
    iat,
    nbf: iat,
    exp: iat + 86_400,
    sub: String(userId),
    scopes,
  });
  return `${header}.${payload}.${Buffer.from(randomHex(64), 'hex').toString('base64url')}`;
}

function randomHex(bytes: number): string {
  const buffer = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(buffer);
  return [...buffer].map((b) => b.toString(16).padStart(2, '0')).join('');
}
