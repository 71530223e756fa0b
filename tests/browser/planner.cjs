// End-to-end run of the planner page in Debian's headless Chromium (playwright-core,
// never a downloaded browser). Driven by tests/tests/browser_planner.rs, which makes
// the assertions; this script only acts like a person and records what it saw.
//
// usage: node planner.cjs <site-url> <artifact-dir>
'use strict';
const { chromium } = require('playwright-core');
const fs = require('fs');
const path = require('path');

const [url, out] = process.argv.slice(2);
if (!url || !out) {
  console.error('usage: node planner.cjs <site-url> <artifact-dir>');
  process.exit(2);
}

const STEP_MS = 15000;

async function flows(page) {
  await page.waitForSelector('#plan tr.flow', { timeout: STEP_MS });
  return page.$$eval('#plan tr.flow', (rows) => rows.map((r) => ({
    rule: r.dataset.rule,
    protocol: r.querySelector('.proto').textContent,
    ports: r.querySelector('.ports').textContent,
    dir: r.querySelector('.dir').textContent,
  })));
}

async function download(page, button, file) {
  const [dl] = await Promise.all([
    page.waitForEvent('download', { timeout: STEP_MS }),
    page.click(button),
  ]);
  const to = path.join(out, file);
  await dl.saveAs(to);
  return dl.suggestedFilename();
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const result = { requests: [], console: [] };
  try {
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1440, height: 900 } });
    context.on('request', (r) => result.requests.push(r.url()));
    const watch = (page) => {
      page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') result.console.push(m.text()); });
      page.on('pageerror', (e) => result.console.push('pageerror: ' + e.message));
    };
    const page = await context.newPage();
    watch(page);
    page.setDefaultTimeout(STEP_MS);
    await page.goto(url);
    await page.waitForSelector('#f-product');

    // Portability Suite 8.1.3 with a Windows file-transfer workload...
    await page.selectOption('#f-product', 'portability-suite');
    await page.fill('#f-version', '8.1.3');
    await page.fill('#f-server-name', 'ps01');
    await page.fill('#f-server-address', '192.168.10.5');
    await page.fill('#f-workloads-0-name', 'web01');
    await page.fill('#f-workloads-0-address', '192.168.20.10');
    await page.selectOption('#f-workloads-0-os', 'windows');
    await page.fill('#f-workloads-0-windows', '2016');
    await page.fill('#f-workloads-0-drives', 'C');
    await page.selectOption('#f-workloads-0-transfer', 'file');
    await page.fill('#f-workloads-0-target-name', 'web01-t');
    await page.fill('#f-workloads-0-target-address', '192.168.30.10');
    // ...and a legacy block-based one mirroring C and E, typed with the keyboard.
    await page.click('#add-workload');
    await page.fill('#f-workloads-1-name', 'db01');
    await page.fill('#f-workloads-1-address', '192.168.20.11');
    await page.fill('#f-workloads-1-windows', '2003');
    await page.focus('#f-workloads-1-drives');
    await page.keyboard.type('C, E');
    await page.selectOption('#f-workloads-1-transfer', 'block-legacy');
    await page.fill('#f-workloads-1-target-name', 'db01-t');
    await page.fill('#f-workloads-1-target-address', '192.168.30.11');

    result.flows = await flows(page);
    result.title = await page.textContent('#plan-title');
    result.firewall = await page.$$eval('#firewall tbody tr', (rows) => rows.map((r) => r.textContent));
    await page.screenshot({ path: path.join(out, 'planner.png'), fullPage: true });
    await page.emulateMedia({ media: 'print' });
    await page.screenshot({ path: path.join(out, 'planner-print.png'), fullPage: true });
    await page.emulateMedia({ media: 'screen' });
    result.unlabelled = await page.$$eval('input, select, textarea, button', (els) => els
      .filter((e) => (e.labels ? e.labels.length === 0 : true)
        && !e.getAttribute('aria-label') && !(e.tagName === 'BUTTON' && e.textContent.trim()))
      .map((e) => e.outerHTML));
    result.scenario_file = await download(page, '#download-scenario', 'scenario.json');
    result.plan_file = await download(page, '#download-plan-json', 'plan.json');
    await download(page, '#download-plan-csv', 'plan.csv');
    await download(page, '#download-plan-md', 'plan.md');
    result.share_link = await page.inputValue('#share-link');
    result.location = page.url();

    // The share link alone rebuilds the same plan in a fresh page.
    const again = await context.newPage();
    watch(again);
    again.setDefaultTimeout(STEP_MS);
    await again.goto(result.share_link);
    result.flows_from_link = await flows(again);
    await download(again, '#download-plan-json', 'plan-from-link.json');
    await again.close();

    // A bad drive letter: the core's message appears beside the field.
    await page.fill('#f-workloads-1-drives', 'C, 1');
    await page.waitForSelector('#f-workloads-1-drives-err');
    result.drive_error = await page.textContent('#f-workloads-1-drives-err');
    result.drive_invalid = await page.getAttribute('#f-workloads-1-drives', 'aria-invalid');
    result.problem = await page.textContent('#problem');
    result.downloads_while_invalid = await page.$$eval('#downloads', (d) => d.length);
    await page.screenshot({ path: path.join(out, 'planner-error.png'), fullPage: false });

    // Many workloads at once: a pasted list, then a whole scenario file.
    await page.fill('#f-workloads-1-drives', 'C, E');
    await page.fill('#paste', 'name,address,os,drives\napp03,192.168.20.13,linux,\napp04,192.168.20.14,windows,C D');
    await page.click('#paste-add');
    await page.waitForSelector('#f-workloads-3-name');
    result.pasted = [await page.inputValue('#f-workloads-2-name'), await page.inputValue('#f-workloads-3-drives')];
    result.flows_after_paste = await flows(page);
    await page.setInputFiles('#import-file', process.env.IMPORT_FILE);
    await page.waitForSelector('#f-hosts-0-name');
    result.import_message = await page.textContent('#import-message');
    result.flows_after_import = await flows(page);

    // A link pasted into the address bar of the open page (only the fragment changes).
    const fragment = result.share_link.slice(result.share_link.indexOf('#'));
    await page.evaluate((f) => { window.location.hash = f; }, fragment);
    await page.waitForFunction(() => document.querySelectorAll('#f-hosts-0-name').length === 0);
    result.flows_after_hashchange = await flows(page);
  } finally {
    fs.writeFileSync(path.join(out, 'result.json'), JSON.stringify(result, null, 2));
    await browser.close();
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
