// Opens the hub's API reference page (Development only) in headless Chromium (the machine's own, at CHROMIUM_PATH or
// /usr/bin/chromium) and waits for an operation of the hub's document to be rendered, recording every request the page
// makes: all of them must go to the hub, none to a CDN.
// Usage: node hub/scalar.mjs <hubUrl> <textOfAnOperation>
import { chromium } from 'playwright-core';

const [hubUrl, operationText] = process.argv.slice(2);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.setDefaultTimeout(20000);
  const requests = [];
  page.on('request', (request) => requests.push(request.url()));

  await page.goto(`${hubUrl}/scalar`);
  let rendered = true;
  try {
    await page.getByText(operationText).first().waitFor({ state: 'visible' });
  } catch {
    rendered = false;
  }

  const origin = new URL(hubUrl).origin;
  const foreignRequests = requests.filter((url) => !url.startsWith('data:') && !url.startsWith('blob:') && new URL(url).origin !== origin);
  console.log('RESULT ' + JSON.stringify({ rendered, requests, foreignRequests }));
} finally {
  await browser.close();
}
