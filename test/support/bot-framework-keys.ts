// A stand-in for Bot Framework's token signing keys, on loopback: an OpenID configuration whose
// jwks_uri lists RSA keys with their channel endorsements, the way
// https://login.botframework.com/v1/.well-known/openidconfiguration does (see "Authentication with the
// Bot Connector API", https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication,
// step "Connector to bot": OpenID metadata → JWKS → verify RS256, issuer, audience, serviceurl, endorsements).
import { createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';

interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicPem: string;
  jwk: Record<string, unknown>;
}

function newKey(kid: string, endorsements: string[]): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' });
  return {
    kid,
    privateKey,
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    jwk: { kty: 'RSA', use: 'sig', kid, n: jwk.n, e: jwk.e, endorsements },
  };
}

const b64url = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

export class BotFrameworkKeys {
  /** Endorsed for Teams, like the keys that sign Teams' requests. */
  readonly teamsKey = newKey('teams-key', ['msteams']);
  /** Published too, but endorsed for another channel only. */
  readonly webchatKey = newKey('webchat-key', ['webchat']);
  /** Never published. */
  readonly unknownKey = newKey('unknown-key', ['msteams']);
  private server!: http.Server;
  url = '';

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/openidconfiguration') {
        res.end(JSON.stringify({ issuer: BOT_FRAMEWORK_ISSUER, jwks_uri: `${this.url}/keys`, id_token_signing_alg_values_supported: ['RS256'] }));
      } else if (req.url === '/keys') {
        res.end(JSON.stringify({ keys: [this.teamsKey.jwk, this.webchatKey.jwk] }));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /**
   * botbuilder's settings that send its key look-ups here instead of to Microsoft. Once one of them is
   * set, botbuilder takes none of the public cloud's defaults, so the rest are the public cloud's values.
   */
  authSettings(): Record<string, string> {
    return {
      ToBotFromChannelOpenIdMetadataUrl: `${this.url}/openidconfiguration`,
      ToBotFromEmulatorOpenIdMetadataUrl: `${this.url}/openidconfiguration`,
      ToBotFromChannelTokenIssuer: BOT_FRAMEWORK_ISSUER,
      ToChannelFromBotOAuthScope: 'https://api.botframework.com',
      ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
      OAuthUrl: 'https://api.botframework.com',
      CallerId: 'urn:botframework:azure',
    };
  }

  /** Claims as Teams' tokens carry them, valid for an hour. */
  claims(appId: string, serviceUrl: string, overrides: Record<string, unknown> = {}) {
    const now = Math.floor(Date.now() / 1000);
    return { iss: BOT_FRAMEWORK_ISSUER, aud: appId, serviceurl: serviceUrl, nbf: now - 60, iat: now - 60, exp: now + 3600, ...overrides };
  }

  /** An RS256 token signed with one of the keys (the Teams key unless said). */
  rs256(claims: Record<string, unknown>, key: SigningKey = this.teamsKey): string {
    const signingInput = `${b64url({ alg: 'RS256', typ: 'JWT', kid: key.kid })}.${b64url(claims)}`;
    return `${signingInput}.${sign('RSA-SHA256', Buffer.from(signingInput), key.privateKey).toString('base64url')}`;
  }

  /** A token whose header says `alg`, signed (or not) as an attacker would try. */
  forged(alg: 'none' | 'HS256', claims: Record<string, unknown>, secret = this.teamsKey.publicPem): string {
    const signingInput = `${b64url({ alg, typ: 'JWT', kid: this.teamsKey.kid })}.${b64url(claims)}`;
    if (alg === 'none') return `${signingInput}.`;
    return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
  }

  /** A correctly shaped token whose signature is not the key's. */
  wrongSignature(claims: Record<string, unknown>): string {
    const [h, p] = this.rs256(claims).split('.');
    const other = this.rs256(claims, this.unknownKey).split('.')[2];
    return `${h}.${p}.${other}`;
  }

  stop() {
    return new Promise<void>((r) => this.server.close(() => r()));
  }
}
