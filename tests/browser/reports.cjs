// Loaded reports across an edit, in Debian's headless Chromium (playwright-core).
// Driven by tests/tests/browser_reports.rs, which makes the assertions: import a
// scenario, load a report of its plan, change one workload's address, and record each
// flow's verdict before and after.
//
// usage: node reports.cjs <site-url> <artifact-dir>   (SCENARIO_FILE, REPORT_FILE)
'use strict';
const { record, session } = require('./chromium.cjs');
const fs = require('fs');
const path = require('path');

const [url, out] = process.argv.slice(2);
if (!url || !out) {
  console.error('usage: node reports.cjs <site-url> <artifact-dir>');
  process.exit(2);
}

const verdicts = (page) => page.$$eval('#verification-view tr.verdict-flow', (rows) => rows.map((r) => ({
  rule: r.dataset.rule, dir: r.dataset.dir, status: r.dataset.status,
})));

session(out, { console: [] }, async (browser, result) => {
    for (const width of [1440, 390]) {
      const context = await browser.newContext({ viewport: { width, height: 900 } });
      const page = await context.newPage();
      record(page, result.console);
      page.setDefaultTimeout(30000);
      await page.goto(url);
      await page.waitForSelector('#plan tr.flow');
      await page.setInputFiles('#import-file', process.env.SCENARIO_FILE);
      await page.waitForFunction(() => /^imported /.test((document.querySelector('#import-message') || {}).textContent || ''));
      // The exports module takes the new plan once edits settle.
      await page.waitForTimeout(800);
      await page.setInputFiles('#report-file', process.env.REPORT_FILE);
      await page.waitForSelector('#verification-view tr.verdict-flow');
      const r = {};
      r.message = await page.textContent('#report-message');
      r.before = await verdicts(page);
      // One committed address edit (leaving the field).
      await page.fill('#f-workloads-1-address', '10.1.0.99');
      await page.press('#f-workloads-1-address', 'Enter');
      await page.waitForSelector('#reports-carried');
      r.note = (await page.textContent('#reports-carried')).trim();
      r.after = await verdicts(page);
      r.reports = await page.$$eval('#verification-view li.report', (ls) => ls.map((l) => ({
        applies: l.dataset.applies, text: l.textContent,
      })));
      r.diagram_colored = await page.$$eval('figure.diagram svg g.flow', (gs) => gs.length);
      // Nothing of the Verification section makes the page wider than the screen.
      r.page_width = await page.evaluate(() => document.documentElement.scrollWidth);
      await page.$eval('#verification', (e) => e.scrollIntoView());
      await page.screenshot({ path: path.join(out, `reports-${width}.png`) });
      // Undoing the edit gives every verdict back.
      await page.fill('#f-workloads-1-address', '10.1.0.2');
      await page.press('#f-workloads-1-address', 'Enter');
      await page.waitForSelector('#reports-carried', { state: 'detached' });
      r.undone = await verdicts(page);
      result[`w${width}`] = r;
      await context.close();
    }
});
