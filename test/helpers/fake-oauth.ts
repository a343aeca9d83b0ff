import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The OAuth 2 authorization server part shared by the fake Google and Microsoft servers: a
 * consent page that says yes at once (or no when told to), the token endpoint's code grant
 * with the PKCE check (S256) and the refresh grant, and the access tokens the API side checks.
 * What differs between the two providers (paths, token shapes, error texts, client check,
 * refresh token rotation) is the `flavour`.
 */
export interface OAuthFlavour {
  authorizePath: string;
  tokenPath: string;
  /** Prefixes that make the codes and tokens look like the provider's. */
  codePrefix: string;
  accessPrefix: string;
  refreshPrefix: string;
  scope: string;
  /** Checked on the token endpoint when given (Microsoft: client_secret_post). */
  client?: { id: string; secret: string; refused: unknown };
  /** The code grant needs redirect_uri (Microsoft). */
  requireRedirectUri?: boolean;
  /** A refresh gives a new refresh token and the one used stops working (Microsoft). */
  rotate?: boolean;
  /** Extra fields of every token answer (ext_expires_in…). */
  extra?: (expiresIn: number) => Record<string, unknown>;
  errors: { badCode: unknown; revoked: unknown };
  /** Extra query fields on the way back from the consent page (granted or refused). */
  granted?: (query: URLSearchParams) => Record<string, string>;
  refused: Record<string, string>;
}

export interface TokenRequest {
  method: string;
  path: string;
  grant: string;
  refreshToken?: string;
  status?: number;
}

export interface FakeOAuth {
  /** Answers the consent page and token endpoint; false for any other request. */
  handle(req: IncomingMessage, url: URL, body: string, res: ServerResponse): boolean;
  /** Whether a bearer token was given and not revoked. */
  hasAccess(bearer: string | undefined): boolean;
  /** The code the user's consent gives for a PKCE challenge (what the consent page would redirect with). */
  authorize(codeChallenge: string): string;
  denyNext(): void;
  /** The user removes the app's access: refresh and access tokens stop working. */
  revoke(): void;
  /** expires_in of the access tokens given from now on (seconds). */
  accessTokenSeconds: number;
}

export const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => resolve(data));
  });

export function makeFakeOAuth(flavour: OAuthFlavour, record: (r: TokenRequest) => void): FakeOAuth {
  const codes = new Map<string, string>();
  const refreshTokens = new Set<string>();
  const accessTokens = new Set<string>();
  let deny = false;
  const state = { accessTokenSeconds: 3599 };
  const newCode = (challenge: string) => {
    const code = `${flavour.codePrefix}${randomBytes(10).toString('hex')}`;
    codes.set(code, challenge);
    return code;
  };
  const tokens = (withRefresh: boolean) => {
    const access = `${flavour.accessPrefix}${randomBytes(12).toString('hex')}`;
    accessTokens.add(access);
    const seconds = state.accessTokenSeconds;
    const answer: Record<string, unknown> = { token_type: 'Bearer', scope: flavour.scope, expires_in: seconds, ...flavour.extra?.(seconds), access_token: access };
    if (withRefresh) {
      const refresh = `${flavour.refreshPrefix}${randomBytes(12).toString('hex')}`;
      refreshTokens.add(refresh);
      answer.refresh_token = refresh;
    }
    return answer;
  };

  return {
    handle(req, url, body, res) {
      const json = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      if (url.pathname === flavour.authorizePath && req.method === 'GET') {
        const back = new URL(url.searchParams.get('redirect_uri') ?? '');
        if (deny) {
          deny = false;
          for (const [k, v] of Object.entries(flavour.refused)) back.searchParams.set(k, v);
        } else {
          back.searchParams.set('code', newCode(url.searchParams.get('code_challenge') ?? ''));
          for (const [k, v] of Object.entries(flavour.granted?.(url.searchParams) ?? {})) back.searchParams.set(k, v);
        }
        back.searchParams.set('state', url.searchParams.get('state') ?? '');
        res.writeHead(302, { location: back.toString() }).end();
        return true;
      }
      if (url.pathname !== flavour.tokenPath || req.method !== 'POST') return false;
      const form = new URLSearchParams(body);
      const entry: TokenRequest = { method: 'POST', path: url.pathname, grant: form.get('grant_type') ?? '', ...(form.get('refresh_token') ? { refreshToken: form.get('refresh_token')! } : {}) };
      record(entry);
      const refuse = (status: number, value: unknown) => {
        entry.status = status;
        json(status, value);
        return true;
      };
      if (flavour.client && (form.get('client_id') !== flavour.client.id || form.get('client_secret') !== flavour.client.secret)) return refuse(401, flavour.client.refused);
      if (entry.grant === 'authorization_code') {
        const challenge = codes.get(form.get('code') ?? '');
        const computed = createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url');
        if (!challenge || computed !== challenge || (flavour.requireRedirectUri && !form.get('redirect_uri'))) return refuse(400, flavour.errors.badCode);
        codes.delete(form.get('code')!);
        json(200, tokens(true));
        return true;
      }
      if (entry.grant === 'refresh_token') {
        const used = form.get('refresh_token') ?? '';
        if (!refreshTokens.has(used)) return refuse(400, flavour.errors.revoked);
        if (flavour.rotate) refreshTokens.delete(used);
        json(200, tokens(Boolean(flavour.rotate)));
        return true;
      }
      return refuse(400, { error: 'unsupported_grant_type' });
    },
    hasAccess: (bearer) => bearer !== undefined && accessTokens.has(bearer),
    authorize: newCode,
    denyNext() {
      deny = true;
    },
    revoke() {
      refreshTokens.clear();
      accessTokens.clear();
    },
    get accessTokenSeconds() {
      return state.accessTokenSeconds;
    },
    set accessTokenSeconds(value: number) {
      state.accessTokenSeconds = value;
    },
  };
}
