// A real OpenID Provider (oidc-provider) for Portcullis' end-to-end tests, started by OidcProviderProcess.
//
// Configuration: JSON in the env var OIDC_PROVIDER_CONFIG,
//   {"clients":  [{"client_id", "client_secret", "token_endpoint_auth_method", "redirect_uris", "post_logout_redirect_uris"}],
//    "accounts": [{"sub", "email", "preferred_username", "groups", "password"}]}
// Listens on 127.0.0.1 with an ephemeral port; the issuer is http://127.0.0.1:<port> (no trailing slash).
// stdout carries exactly one line, "LISTENING <issuer>", once requests are served; everything else goes to stderr.
// Exits when stdin closes, so a JVM that dies never leaves it running.
//
// Login and consent are the provider's own development pages (features.devInteractions), except that a login
// submission is checked here: the login (preferred_username, email or sub) and the password must match an account,
// otherwise the login form is shown again with "Invalid login or password." and the interaction stays open.

import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { parse as parseQuery } from 'node:querystring';

// oidc-provider prints its notices with console.info, i.e. to stdout; stdout is reserved for the LISTENING line.
console.log = console.info = console.debug = console.error;

const { default: Provider } = await import('oidc-provider');

function readConfig() {
  const raw = process.env.OIDC_PROVIDER_CONFIG;
  if (!raw) {
    throw new Error('OIDC_PROVIDER_CONFIG is not set: it must hold {"clients": [...], "accounts": [...]} as JSON');
  }
  const config = JSON.parse(raw);
  if (!Array.isArray(config.clients) || !Array.isArray(config.accounts)) {
    throw new Error('OIDC_PROVIDER_CONFIG must have the arrays "clients" and "accounts"');
  }
  return config;
}

function signingKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: 'test-rs256', alg: 'RS256', use: 'sig' };
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// The dev login form again, with the reason; same action, same fields.
function loginRejectedPage(action, login) {
  return `<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>Sign-in</title></head>
<body>
  <h1>Sign-in</h1>
  <p class="error">Invalid login or password.</p>
  <form autocomplete="off" action="${escapeHtml(action)}" method="post">
    <input type="hidden" name="prompt" value="login"/>
    <input required type="text" name="login" value="${escapeHtml(login)}">
    <input required type="password" name="password" autofocus="on">
    <button type="submit" class="login login-submit">Sign-in</button>
  </form>
</body>
</html>
`;
}

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error('login form too large');
    chunks.push(chunk);
  }
  return parseQuery(Buffer.concat(chunks).toString('utf8'));
}

const config = readConfig();
const accounts = config.accounts;
const bySub = new Map(accounts.map((a) => [a.sub, a]));

const server = createServer();
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const issuer = `http://127.0.0.1:${server.address().port}`;

const HOUR = 60 * 60;
const provider = new Provider(issuer, {
  clients: config.clients.map((c) => ({
    client_id: c.client_id,
    client_secret: c.client_secret,
    token_endpoint_auth_method: c.token_endpoint_auth_method,
    redirect_uris: c.redirect_uris,
    post_logout_redirect_uris: c.post_logout_redirect_uris ?? [],
    response_types: ['code'],
    grant_types: ['authorization_code'],
  })),
  responseTypes: ['code'],
  clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
  pkce: { required: () => true }, // S256 is the only method oidc-provider 9 supports
  scopes: ['openid', 'profile', 'email', 'groups'],
  claims: {
    openid: ['sub'],
    profile: ['preferred_username'],
    email: ['email', 'email_verified'],
    groups: ['groups'],
  },
  conformIdTokenClaims: false, // the scope-requested claims go into the ID token too, not only UserInfo
  async findAccount(ctx, sub) {
    const account = bySub.get(sub);
    if (!account) return undefined;
    return {
      accountId: account.sub,
      async claims() {
        return {
          sub: account.sub,
          email: account.email,
          email_verified: true,
          preferred_username: account.preferred_username,
          groups: account.groups ?? [],
        };
      },
    };
  },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    userinfo: { enabled: true },
  },
  jwks: { keys: [signingKey()] },
  cookies: { keys: ['portcullis-test-provider-cookie-key-1'] },
  clientBasedCORS: () => false,
  ttl: {
    AccessToken: HOUR,
    AuthorizationCode: 60,
    IdToken: HOUR,
    Interaction: HOUR,
    Session: HOUR,
    Grant: HOUR,
  },
});

// The dev login accepts any login without looking at the password; this checks it before the dev handler runs.
provider.use(async (ctx, next) => {
  if (ctx.method !== 'POST' || !/^\/interaction\/[^/]+$/.test(ctx.path)) return next();
  let details;
  try {
    details = await provider.interactionDetails(ctx.req, ctx.res);
  } catch {
    return next(); // no interaction: the dev handler renders the provider's own error
  }
  if (details.prompt.name !== 'login' || details.uid !== ctx.path.split('/')[2]) return next(); // consent: as is

  const form = await readForm(ctx.req);
  const login = String(form.login ?? '');
  const account = accounts.find((a) => [a.preferred_username, a.email, a.sub].includes(login));
  if (form.prompt !== 'login' || !account || account.password !== String(form.password ?? '')) {
    console.error(`login rejected for ${JSON.stringify(login)}`);
    ctx.status = 200;
    ctx.type = 'html';
    ctx.set('cache-control', 'no-store');
    ctx.body = loginRejectedPage(ctx.path, login);
    return undefined;
  }
  const returnTo = await provider.interactionResult(ctx.req, ctx.res, { login: { accountId: account.sub } },
    { mergeWithLastSubmission: false });
  ctx.status = 303; // as the dev handler answers
  ctx.redirect(returnTo);
  return undefined;
});

// oidc-provider takes client_secret_basic and client_secret_post as interchangeable (a secret in either place is
// accepted for a client registered with either method). The harness holds each client to its registered method, so
// that a relying party configured for one method is shown to use that one: a mismatch is a failed authentication.
const compareClientSecret = provider.Client.prototype.compareClientSecret;
provider.Client.prototype.compareClientSecret = async function compareWithRegisteredMethod(secret) {
  const used = Provider.ctx?.get('authorization') ? 'client_secret_basic' : 'client_secret_post';
  if (used !== this.clientAuthMethod) {
    console.error(`client ${this.clientId} is registered for ${this.clientAuthMethod} but authenticated with ${used}`);
    return false;
  }
  return compareClientSecret.call(this, secret);
};

for (const event of ['server_error', 'authorization.error', 'grant.error', 'userinfo.error', 'end_session.error']) {
  provider.on(event, (ctx, err) => {
    const detail = [err.error_description, err.error_detail].filter(Boolean).join(': ');
    console.error(`oidc-provider ${event}: ${err.name}: ${err.message}${detail ? ` (${detail})` : ''}`);
    if (event === 'server_error') console.error(err.stack);
  });
}

// static clients are validated on first use; validate them now, so that a bad one fails the start
for (const { client_id: id } of config.clients) {
  try {
    await provider.Client.find(id);
  } catch (err) {
    console.error(`client ${JSON.stringify(id)} is invalid: ${err.message}${err.error_description ? ` (${err.error_description})` : ''}`);
    process.exit(2);
  }
}

server.on('request', provider.callback());

process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();

process.stdout.write(`LISTENING ${issuer}\n`);
