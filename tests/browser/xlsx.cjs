// The XLSX change request from the page, in Debian's headless Chromium (playwright-core).
// Driven by tests/tests/browser_xlsx.rs, which makes the assertions: import a scenario,
// click the XLSX download (the page then imports its third wasm module) and save the
// file, recording the page's date and which modules the page fetched before and after;
// then name the server's cloud (Azure) in the wizard and save the NSG download.
//
// usage: node xlsx.cjs <site-url> <artifact-dir>   (SCENARIO_FILE)
'use strict';
const { record, session } = require('./chromium.cjs');
const path = require('path');

const [url, out] = process.argv.slice(2);
if (!url || !out) {
  console.error('usage: node xlsx.cjs <site-url> <artifact-dir>');
  process.exit(2);
}

session(out, { console: [] }, async (browser, result) => {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  record(page, result.console);
  page.setDefaultTimeout(30000);
  const fetched = [];
  page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
  await page.goto(url);
  await page.waitForSelector('#plan tr.flow');
  await page.setInputFiles('#import-file', process.env.SCENARIO_FILE);
  await page.waitForFunction(() => /^imported /.test((document.querySelector('#import-message') || {}).textContent || ''));
  await page.waitForSelector('#download-change-request-xlsx');
  result.xlsx_before_click = fetched.filter((p) => p.includes('/xlsx/'));
  // The page's date (the browser's today), as the workbook carries it.
  result.date = await page.evaluate(() => {
    const d = new Date();
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  });
  const [dl] = await Promise.all([
    page.waitForEvent('download'),
    page.click('#download-change-request-xlsx'),
  ]);
  await dl.saveAs(path.join(out, 'page.xlsx'));
  result.file = dl.suggestedFilename();
  result.xlsx_after_click = fetched.filter((p) => p.includes('/xlsx/'));
  result.error = await page.$$eval('#downloads .field-error', (es) => es.map((e) => e.textContent));
  // The server's cloud chosen in the wizard: naming Azure ticks "in a public cloud", and
  // the NSG download then holds the server's own NSG.
  await page.selectOption('#f-server-platform', 'azure');
  await page.waitForFunction(() => document.querySelector('#f-server-cloud').checked);
  await page.waitForTimeout(800);
  const [nsg] = await Promise.all([
    page.waitForEvent('download'),
    page.click('#download-azure-nsg-json'),
  ]);
  await nsg.saveAs(path.join(out, 'azure-nsg.json'));
  await context.close();
});
