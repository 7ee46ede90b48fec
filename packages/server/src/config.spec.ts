import { expect } from 'chai';
import { ConfigError, demoFixturePath, loadConfig } from './config.js';

const random = () => 'generated-secret-generated-secret-123';

describe('loadConfig', function () {
  it('runs with no configuration: demo mode, in-memory demo fixture, generated secret', function () {
    const config = loadConfig({}, random);
    expect(config).to.include({ port: 3000, host: '127.0.0.1', demoMode: true, production: false, sessionSecretGenerated: true, seedFile: demoFixturePath, publicBaseUrl: 'http://127.0.0.1:3000' });
    expect(config.mongodbUri).to.equal(undefined);
  });

  it('requires SESSION_SECRET in production and never enables demo mode there', function () {
    expect(() => loadConfig({ NODE_ENV: 'production' }, random)).to.throw(ConfigError, /SESSION_SECRET is required/);
    const config = loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40) }, random);
    expect(config.demoMode).to.equal(false);
    expect(config.sessionSecretGenerated).to.equal(false);
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
});
