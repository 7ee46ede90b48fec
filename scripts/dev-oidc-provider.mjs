#!/usr/bin/env node
// The test OpenID Connect provider, by hand (docs/portal-integration.md): oidc-provider with a login
// form, accounts matching the demo fixture (one signs in with a second factor), JWT access tokens,
// RP-initiated logout. Prints its issuer, client and accounts, and the server's settings; runs until
// Ctrl-C. Needs a build (`npx tsc -b`).
//   node scripts/dev-oidc-provider.mjs [--port 3001] [--server http://127.0.0.1:3000]
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string', default: '3001' }, server: { type: 'string', default: 'http://127.0.0.1:3000' } } });
const server = values.server.replace(/\/+$/, '');
const { TestIdentityProvider, demoAccounts, testOtp } = await import('../packages/server/dist/test-support/test-identity-provider.js');

const client = { clientId: 'partner-web', clientSecret: 'partner-web-secret-for-local-development-only' };
const idp = await TestIdentityProvider.start({
  accounts: demoAccounts,
  port: Number(values.port),
  clients: [{ ...client, redirectUris: [`${server}/auth/callback`], postLogoutRedirectUris: [`${server}/`] }],
});

const lines = [
  `test OpenID Connect provider: ${idp.issuer} (discovery: ${idp.issuer}/.well-known/openid-configuration)`,
  `client: ${client.clientId} / ${client.clientSecret}, redirect ${server}/auth/callback`,
  `API audience of its access tokens: ${idp.apiAudience}`,
  '',
  'accounts (username / password):',
  ...demoAccounts.map((a) => `  ${a.username.padEnd(4)} / ${a.password.padEnd(14)} ${a.name} <${a.email}>${a.emailVerified ? '' : ' (email not verified)'}${a.secondFactor ? ` — second factor: one-time code ${testOtp}` : ''}`),
  '',
  'the server’s settings for it:',
  `  OIDC_ISSUER=${idp.issuer} OIDC_CLIENT_ID=${client.clientId} OIDC_CLIENT_SECRET=${client.clientSecret} \\`,
  `  OIDC_PROVIDER_NAME="the dev provider" OIDC_MFA_ACR=urn:partner-team:acr:mfa OIDC_BEARER_AUDIENCE=${idp.apiAudience} \\`,
  `  PUBLIC_BASE_URL=${server}`,
  '',
  'Ctrl-C stops it.',
];
process.stdout.write(`${lines.join('\n')}\n`);
const stop = () => {
  void idp.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
