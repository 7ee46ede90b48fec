import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import type { JwtSessionAuthenticator } from '@partner-team/express';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const viewport = { width: 1280, height: 800 } as const;
const screenshotDir = fileURLToPath(new URL('../../../../docs/screenshots/', import.meta.url));

/**
 * Launches the system Chromium (Debian's package in CI). A missing browser fails the suite rather
 * than skipping it: a skipped browser suite would look green while testing nothing.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Chromium was not found at ${chromiumPath}. The browser tests need it: install Debian's "chromium" package ` +
        '(apt-get install chromium) or set CHROMIUM_PATH to a Chromium or Chrome executable.',
    );
  }
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** A page in a fresh context, recording console errors, uncaught exceptions and CSP violations. */
export interface BrowserSession {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console errors and uncaught exceptions, minus the expected 401/403/404 of resource loads. */
  readonly errors: string[];
}

/** Where the page is served and how its sessions are signed: a {@link TestServer} or a server process. */
export interface PageHost {
  readonly baseUrl: string;
  readonly sessions: JwtSessionAuthenticator;
}

export async function openSession(browser: Browser, server: PageHost, options: { userId?: string } = {}): Promise<BrowserSession> {
  const context = await browser.newContext({ viewport, locale: 'en-GB', timezoneId: 'UTC', reducedMotion: 'reduce' });
  if (options.userId !== undefined) {
    const token = server.sessions.issue({ userId: options.userId, sessionId: randomBytes(12).toString('base64url') }, 3600);
    await context.addCookies([{ name: 'partner_session', value: token, url: server.baseUrl, httpOnly: true, sameSite: 'Strict' }]);
  }
  const page = await context.newPage();
  // Well under the test timeout, so that a missing element fails with the locator's own message.
  page.setDefaultTimeout(5000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    // Refusals the page handles (401 before sign-in, 403 for non-members, 404 without demo
    // sign-in) are logged by Chromium as failed loads; anything else is a real error.
    if (message.type() === 'error' && !/Failed to load resource: the server responded with a status of (401|403|404|409|410)/.test(message.text())) {
      errors.push(message.text());
    }
  });
  return { context, page, errors };
}

/** Writes `docs/screenshots/<name>.png`, only when UPDATE_SCREENSHOTS=1 so that test runs leave the tree clean. */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.UPDATE_SCREENSHOTS !== '1') return;
  await mkdir(screenshotDir, { recursive: true });
  await page.screenshot({ path: `${screenshotDir}${name}.png`, animations: 'disabled', caret: 'hide' });
}

interface AxNode {
  readonly ignored: boolean;
  readonly role?: { readonly value?: unknown };
  readonly name?: { readonly value?: unknown };
  readonly backendDOMNodeId?: number;
}

const controlRoles = new Set(['button', 'textbox', 'searchbox', 'combobox', 'listbox', 'checkbox', 'radio', 'link', 'spinbutton', 'slider', 'switch', 'menuitem', 'tab']);

/**
 * Every control Chromium exposes in its accessibility tree, with the name Chromium computed for it
 * (the same name a screen reader announces): an axe-like check that nothing is unlabelled.
 */
export async function accessibleControls(page: Page): Promise<{ role: string; name: string }[]> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  try {
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as { nodes: AxNode[] };
    return nodes
      .filter((n) => !n.ignored && typeof n.role?.value === 'string' && controlRoles.has(n.role.value))
      .map((n) => ({ role: String(n.role?.value), name: typeof n.name?.value === 'string' ? n.name.value.trim() : '' }));
  } finally {
    await cdp.detach();
  }
}

/** Presses Tab until the focused element's accessible name matches, as a keyboard-only user would. */
export async function tabTo(page: Page, name: RegExp, maxPresses = 80): Promise<void> {
  for (let i = 0; i < maxPresses; i += 1) {
    await page.keyboard.press('Tab');
    const focused = await focusedName(page);
    if (name.test(focused)) return;
  }
  throw new Error(`No control named ${String(name)} within ${maxPresses} presses of Tab`);
}

/** The accessible name of the focused element, as Chromium computes it. */
export async function focusedName(page: Page): Promise<string> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const evaluated = (await cdp.send('Runtime.evaluate', { expression: 'document.activeElement' })) as { result: { objectId?: string } };
    const objectId = evaluated.result.objectId;
    if (objectId === undefined) return '';
    const { nodes } = (await cdp.send('Accessibility.getPartialAXTree', { objectId, fetchRelatives: false })) as { nodes: AxNode[] };
    const name = nodes[0]?.name?.value;
    return typeof name === 'string' ? name.trim() : '';
  } finally {
    await cdp.detach();
  }
}

/** Retries `assertion` until it passes or `timeoutMs` runs out (the page updates asynchronously). */
export async function eventually(assertion: () => Promise<void>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error: unknown) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
