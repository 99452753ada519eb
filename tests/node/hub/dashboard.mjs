// Drives the hub's dashboard in headless Chromium (the machine's own, at CHROMIUM_PATH or /usr/bin/chromium):
// a wrong key is refused on the page, the right key opens it, an event published through the HTTP API appears, the
// instance filter keeps only that instance's events.
// Usage: node hub/dashboard.mjs <hubUrl> <globalKey> <instance> [screenshot.png]
import { chromium } from 'playwright-core';
import { publish } from './publish.mjs';

const [hubUrl, key, instance, screenshot] = process.argv.slice(2);
const timeout = 10000;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 1100 } });
  const consoleErrors = [];
  page.on('console', (message) => { if (message.type() === 'error') consoleErrors.push(message.text()); });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  page.setDefaultTimeout(timeout);

  await page.goto(`${hubUrl}/dashboard`);
  await page.fill('#key', 'not-the-key');
  await page.click('#key-form button[type=submit]');
  await page.locator('#key-error').waitFor({ state: 'visible' });
  const refused = await page.textContent('#key-error');
  const boardHiddenAfterWrongKey = await page.isHidden('#board');
  const storedAfterWrongKey = await page.evaluate(() => sessionStorage.length);

  await page.fill('#key', key);
  await page.click('#key-form button[type=submit]');
  await page.locator('#board').waitFor({ state: 'visible' });
  const mode = await page.textContent('#node-mode');

  // The test connected one SignalR and one Socket.IO client to the instance before starting this script.
  const row = page.locator('#instances tbody tr', { hasText: instance });
  await row.locator('td:nth-child(3)', { hasText: '1' }).waitFor();
  await row.locator('td:nth-child(4)', { hasText: '1' }).waitFor();
  const instanceRow = (await row.locator('td').allTextContents()).join('|');

  const marker = `dashboard-${Date.now()}`;
  await publish({ url: `${hubUrl}/api/events`, apikey: key, body: { event: 'MESSAGES_UPSERT', instance, data: { marker } } });
  const eventRow = page.locator('#events tbody tr', { hasText: marker });
  await eventRow.waitFor();
  const eventCells = await eventRow.locator('td').allTextContents();

  await publish({ url: `${hubUrl}/api/events`, apikey: key, body: { event: 'CALL', instance: `${instance}-other`, data: { other: true } } });
  await page.locator('#events tbody tr', { hasText: `${instance}-other` }).waitFor();
  await page.fill('#filter', instance);
  await page.locator('#events tbody tr', { hasText: `${instance}-other` }).waitFor({ state: 'detached' });
  const filteredInstances = await page.locator('#events tbody tr td:nth-child(2)').allTextContents();

  // Two events were accepted; the chart gets a point per second.
  await page.locator('#events-total', { hasText: '2' }).waitFor();
  if (screenshot) {
    await page.waitForTimeout(2500);
    await page.screenshot({ path: screenshot, fullPage: true });
  }

  console.log('RESULT ' + JSON.stringify({ refused, boardHiddenAfterWrongKey, storedAfterWrongKey, mode, instanceRow, eventCells, filteredInstances, consoleErrors }));
} finally {
  await browser.close();
}
