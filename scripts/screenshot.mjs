// Takes screenshots of the built app (dist/) in headless Chromium, for a
// person to look at: node scripts/screenshot.mjs [preset-id] [wait-ms] [dark]
// Writes target/e2e/shot-<preset>.png.
import { join } from 'node:path';
import { OUT, launch, openPage, serveDist } from '../tests/e2e/harness.mjs';

const [preset = 'queueing-basics', waitMs = '4000', scheme = 'light'] = process.argv.slice(2);
const server = await serveDist();
const browser = await launch();
try {
  const { page, errors } = await openPage(browser, server.url);
  await page.emulateMedia({ colorScheme: scheme === 'dark' ? 'dark' : 'light' });
  await page.getByTestId(`preset-${preset}`).click();
  await page.waitForTimeout(Number(waitMs));
  const file = join(OUT, `shot-${preset}${scheme === 'dark' ? '-dark' : ''}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(file, errors.length ? `console errors: ${errors.join(' | ')}` : 'no console errors');
} finally {
  await browser.close();
  server.close();
}
