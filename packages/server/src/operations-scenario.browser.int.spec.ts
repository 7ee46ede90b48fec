import type { Browser } from 'playwright-core';
import { launchChromium } from './test-support/browser.js';
import { runOperationsScenario } from './test-support/operations-scenario.js';
import { TestServer } from './test-support/test-server.js';

describe('AiDial support operations end to end, in memory: operations API, partner API and the page in Chromium', function () {
  this.timeout(120_000);
  let server: TestServer;
  let browser: Browser;

  before(async function () {
    server = await TestServer.start();
    browser = await launchChromium();
  });
  after(async function () {
    await browser.close();
    await server.close();
  });

  it('provisions, bootstraps, assigns, suspends, archives, reactivates, restores, recovers the last admin, repairs a cross-organisation assignment and searches audit across organisations', async function () {
    await runOperationsScenario({
      partnerUrl: server.baseUrl,
      operationsUrl: server.baseUrl,
      sessions: server.sessions,
      operators: server.operators,
      plantAssignment: (organisationId, userId, clientId) => {
        server.store.assignClient(organisationId, userId, clientId);
        return Promise.resolve();
      },
      browser,
    });
  });
});
