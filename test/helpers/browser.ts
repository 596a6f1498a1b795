// Headless Chromium for the console tests: Debian's `chromium` driven by playwright-core, with a
// fresh profile and every background connection off (the network here is closed: without those
// flags Chromium's own connections are refused and it stalls). HERALD_CHROMIUM names another
// binary; HERALD_REQUIRE_BROWSER=1 (CI) turns a missing browser into a failure.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The Chromium binary, or undefined when there is none. */
export function findChromium(): string | undefined {
  const named = process.env.HERALD_CHROMIUM;
  if (named) return existsSync(named) ? named : undefined;
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      const path = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
      if (path) return path;
    } catch {
      // not on PATH
    }
  }
  return undefined;
}

export const browserRequired = (): boolean =>
  ['1', 'true', 'yes'].includes((process.env.HERALD_REQUIRE_BROWSER ?? '').toLowerCase());

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(executablePath: string): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'herald-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 860 },
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * A new page whose script errors, warnings and uncaught exceptions are pushed to `problems`.
 * Failed API answers (a wrong token, a profile not found) are logged by Chromium as resource
 * errors: expected, so left out. Anything else — a CSP violation, a script error — is a problem.
 */
export async function watchedPage(browser: Browser, problems: string[]): Promise<Page> {
  const page = await browser.context.newPage();
  page.on('console', (m: ConsoleMessage) => {
    if ((m.type() === 'error' || m.type() === 'warning') && !m.text().startsWith('Failed to load resource'))
      problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return page;
}

/** Opens the console of the server at `baseUrl` and signs in with `token`, up to the triggers page. */
export async function signIn(page: Page, baseUrl: string, token: string): Promise<void> {
  await page.goto(`${baseUrl}/console`);
  await page.fill('#token', token);
  await page.click('form.login button');
  await page.locator('nav a.active[data-page="triggers"]').waitFor();
}
