import { expect } from 'chai';
import { ConfigError, demoFixturePath, loadConfig } from './config.js';

const random = () => 'generated-secret-generated-secret-123';

describe('loadConfig', function () {
  it('runs with no configuration: demo mode, in-memory demo fixture, generated secret', function () {
    const config = loadConfig({}, random);
    expect(config).to.include({ port: 3000, host: '127.0.0.1', demoMode: true, production: false, sessionSecretGenerated: true, seedFile: demoFixturePath, publicBaseUrl: 'http://127.0.0.1:3000' });
    expect(config.mongodbUri).to.equal(undefined);
  });

  it('takes an optional session issuer and audience, never empty', function () {
    expect(loadConfig({}, random)).to.include({ sessionIssuer: undefined, sessionAudience: undefined });
    expect(loadConfig({ SESSION_ISSUER: 'https://portal.example', SESSION_AUDIENCE: 'partner-team' }, random)).to.include({
      sessionIssuer: 'https://portal.example',
      sessionAudience: 'partner-team',
    });
    expect(() => loadConfig({ SESSION_ISSUER: '' }, random)).to.throw(ConfigError, /SESSION_ISSUER/);
    expect(() => loadConfig({ SESSION_AUDIENCE: 'x'.repeat(201) }, random)).to.throw(ConfigError, /SESSION_AUDIENCE/);
  });

  it('requires SESSION_SECRET and an outbox in production and never enables demo mode there', function () {
    expect(() => loadConfig({ NODE_ENV: 'production', MAIL_OUTBOX_DIR: '/tmp/o' }, random)).to.throw(ConfigError, /SESSION_SECRET is required/);
    expect(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40) }, random)).to.throw(ConfigError, /MAIL_OUTBOX_DIR is required/);
    expect(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40), MAIL_OUTBOX_DIR: '/tmp/o', DEMO_SIGN_IN: 'on' }, random)).to.throw(ConfigError, /DEMO_SIGN_IN/);
    const config = loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40), MAIL_OUTBOX_DIR: '/tmp/o' }, random);
    expect(config.demoMode).to.equal(false);
    expect(config.sessionSecretGenerated).to.equal(false);
  });

  it('turns demo sign-in on by default only for the zero-configuration demo', function () {
    expect(loadConfig({}, random).demoMode).to.equal(true);
    // A real store or a real secret: a demo sign-in there would mint sessions others accept.
    expect(loadConfig({ MONGODB_URI: 'mongodb://127.0.0.1/x' }, random).demoMode).to.equal(false);
    expect(loadConfig({ SESSION_SECRET: 'x'.repeat(40) }, random).demoMode).to.equal(false);
    expect(() => loadConfig({ NODE_ENV: 'prod' }, random)).to.throw(ConfigError, /NODE_ENV/);
    expect(loadConfig({ SESSION_SECRET: 'x'.repeat(40), DEMO_SIGN_IN: 'on' }, random).demoMode).to.equal(true);
    expect(loadConfig({ DEMO_SIGN_IN: 'off' }, random).demoMode).to.equal(false);
  });

  it('bounds slow clients and shutdowns by default, configurably, with the headers inside the request', function () {
    expect(loadConfig({}, random)).to.include({ requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, maxConnections: 1000, shutdownTimeoutMs: 10_000 });
    expect(loadConfig({ REQUEST_TIMEOUT_MS: '5000', HEADERS_TIMEOUT_MS: '2000', MAX_CONNECTIONS: '50', SHUTDOWN_TIMEOUT_MS: '0' }, random)).to.include({
      requestTimeoutMs: 5000,
      headersTimeoutMs: 2000,
      maxConnections: 50,
      shutdownTimeoutMs: 0,
    });
    expect(() => loadConfig({ REQUEST_TIMEOUT_MS: '5000', HEADERS_TIMEOUT_MS: '6000' }, random)).to.throw(ConfigError, /HEADERS_TIMEOUT_MS must not exceed REQUEST_TIMEOUT_MS/);
    expect(() => loadConfig({ REQUEST_TIMEOUT_MS: '0' }, random)).to.throw(ConfigError, /REQUEST_TIMEOUT_MS/);
    expect(() => loadConfig({ MAX_CONNECTIONS: 'many' }, random)).to.throw(ConfigError, /MAX_CONNECTIONS/);
  });

  it('names every invalid variable', function () {
    expect(() => loadConfig({ PORT: 'eighty', SESSION_SECRET: 'short', LOG_LEVEL: 'loud', MONGODB_URI: 'postgres://x' }, random))
      .to.throw(ConfigError)
      .with.property('message')
      .that.matches(/PORT/)
      .and.matches(/SESSION_SECRET/)
      .and.matches(/LOG_LEVEL/)
      .and.matches(/MONGODB_URI/);
  });

  it('serves the operations API only with its own secret, never the session secret or audience', function () {
    expect(loadConfig({}, random).operations).to.equal(undefined);
    const operations = loadConfig({ SESSION_SECRET: 'x'.repeat(40), OPERATIONS_TOKEN_SECRET: 'y'.repeat(40), OPERATIONS_TOKEN_ISSUER: 'https://idp.aidial.example' }, random).operations;
    expect(operations).to.deep.equal({ secret: 'y'.repeat(40), audience: 'partner-team-operations', issuer: 'https://idp.aidial.example', mutationsPerMinute: 120 });
    expect(() => loadConfig({ SESSION_SECRET: 'x'.repeat(40), OPERATIONS_TOKEN_SECRET: 'x'.repeat(40) }, random)).to.throw(ConfigError, /OPERATIONS_TOKEN_SECRET must differ from SESSION_SECRET/);
    expect(() => loadConfig({ OPERATIONS_TOKEN_SECRET: 'short' }, random)).to.throw(ConfigError, /OPERATIONS_TOKEN_SECRET/);
    expect(() => loadConfig({ OPERATIONS_TOKEN_SECRET: 'y'.repeat(40), SESSION_AUDIENCE: 'shared', OPERATIONS_TOKEN_AUDIENCE: 'shared' }, random)).to.throw(ConfigError, /OPERATIONS_TOKEN_AUDIENCE/);
  });
});
