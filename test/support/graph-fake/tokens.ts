// Access tokens the fake issues and later checks: JWT-shaped, HMAC-signed with a key of its own.
import { createHmac, randomBytes, randomUUID } from 'node:crypto';

const KEY = randomBytes(32);
const b64u = (v: Buffer | string) => Buffer.from(v).toString('base64url');

export interface FakeClaims {
  tid: string;
  aud: string;
  appid?: string;
  sub: string;
  exp: number;
  [k: string]: unknown;
}

export function issueToken(claims: Omit<FakeClaims, 'exp'>, lifetimeS = 3599): string {
  const now = Math.floor(Date.now() / 1000);
  const header = b64u(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = b64u(JSON.stringify({ ...claims, iat: now, nbf: now, exp: now + lifetimeS, uti: randomUUID() }));
  const sig = createHmac('sha256', KEY).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${sig}`;
}

/** The claims of a token this fake issued and that has not expired; null otherwise. */
export function verifyToken(token: string): FakeClaims | null {
  const [h, p, s] = token.split('.');
  if (!h || !p || !s) return null;
  const expected = createHmac('sha256', KEY).update(`${h}.${p}`).digest('base64url');
  if (expected !== s) return null;
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as FakeClaims;
  return claims.exp > Date.now() / 1000 ? claims : null;
}

/** Decodes a JWT's header and payload without checking anything. */
export function decodeJwt(jwt: string): { header: Record<string, unknown>; payload: Record<string, unknown>; signingInput: string; signature: Buffer } | null {
  const [h, p, s] = jwt.split('.');
  if (!h || !p || s === undefined) return null;
  try {
    return {
      header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')),
      payload: JSON.parse(Buffer.from(p, 'base64url').toString('utf8')),
      signingInput: `${h}.${p}`,
      signature: Buffer.from(s, 'base64url'),
    };
  } catch {
    return null;
  }
}
