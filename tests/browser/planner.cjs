// End-to-end run of the planner page in Debian's headless Chromium (playwright-core,
// never a downloaded browser). Driven by tests/tests/browser_planner.rs, which makes
// the assertions; this script only acts like a person and records what it saw.
//
// usage: node planner.cjs <site-url> <artifact-dir>
'use strict';
const { record, session } = require('./chromium.cjs');
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

// The date the page puts on the PDF: today in the browser's time zone.
function today() {
  const d = new Date();
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

// Types a value and commits it (Enter), as a person leaving the field would.
async function put(page, selector, value) {
  await page.fill(selector, value);
  await page.press(selector, 'Enter');
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

session(out, { requests: [], console: [] }, async (browser, result) => {
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1440, height: 900 } });
    context.on('request', (r) => result.requests.push(r.url()));
    const watch = (page) => {
      record(page, result.console, { warnings: true });
    };
    const page = await context.newPage();
    watch(page);
    page.setDefaultTimeout(STEP_MS);
    await page.goto(url);
    await page.waitForSelector('#f-product');

    // Portability Suite 8.1.3 with a Windows file-transfer workload...
    await page.selectOption('#f-product', 'portability-suite');
    await page.selectOption('#f-version-pick', '8.1.3');
    await put(page, '#f-server-name', 'ps01');
    await put(page, '#f-server-address', '192.168.10.5');
    await put(page, '#f-workloads-0-name', 'web01');
    await put(page, '#f-workloads-0-address', '192.168.20.10');
    await page.selectOption('#f-workloads-0-os', 'windows');
    await put(page, '#f-workloads-0-windows', '2016');
    await put(page, '#f-workloads-0-drives', 'C');
    await page.selectOption('#f-workloads-0-transfer', 'file');
    await put(page, '#f-workloads-0-target-name', 'web01-t');
    await put(page, '#f-workloads-0-target-address', '192.168.30.10');
    // ...and a legacy block-based one mirroring C and E, typed with the keyboard.
    await page.click('#add-workload');
    await put(page, '#f-workloads-1-name', 'db01');
    await put(page, '#f-workloads-1-address', '192.168.20.11');
    await put(page, '#f-workloads-1-windows', '2003');
    await page.focus('#f-workloads-1-drives');
    await page.keyboard.type('C, E');
    await page.keyboard.press('Enter');
    await page.selectOption('#f-workloads-1-transfer', 'block-legacy');
    await put(page, '#f-workloads-1-target-name', 'db01-t');
    await put(page, '#f-workloads-1-target-address', '192.168.30.11');

    result.flows = await flows(page);
    result.title = await page.textContent('#plan-title');
    // The grouped firewall view follows once edits settle.
    await page.waitForTimeout(600);
    await page.waitForSelector('#firewall tbody tr');
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
    // The exports module draws the diagram above the tables and makes the SVG and PDF.
    await page.waitForSelector('figure.diagram svg g.flow');
    result.diagram = await page.$$eval('figure.diagram svg g.flow', (gs) => gs.map((g) => g.dataset.from + ' → ' + g.dataset.to));
    result.diagram_above_tables = await page.evaluate(() => {
      const d = document.querySelector('figure.diagram');
      const t = document.querySelector('#plan table.flows');
      return !!(d.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING);
    });
    result.svg_file = await download(page, '#download-diagram-svg', 'diagram.svg');
    result.pdf_date_before = await page.evaluate(today);
    result.pdf_file = await download(page, '#download-checklist-pdf', 'checklist.pdf');
    result.pdf_date = await page.evaluate(today);
    // A report of the loopback scenario is refused here: it checked another plan.
    await page.setInputFiles('#report-file', process.env.REPORT_FILE);
    await page.waitForSelector('#report-message li.field-error');
    result.report_refused = await page.textContent('#report-message');
    result.verdicts_after_refusal = await page.$$eval('#verification-view .verdict-flow', (r) => r.length);
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
    await put(page, '#f-workloads-1-drives', 'C, 1');
    await page.waitForSelector('#f-workloads-1-drives-err');
    result.drive_error = await page.textContent('#f-workloads-1-drives-err');
    result.drive_invalid = await page.getAttribute('#f-workloads-1-drives', 'aria-invalid');
    result.problem = await page.textContent('#problems');
    result.stale_note = await page.textContent('#stale-note');
    result.downloads_while_invalid = await page.$$eval('#downloads', (d) => d.length);
    result.flows_while_invalid = (await flows(page)).length;
    await page.screenshot({ path: path.join(out, 'planner-error.png'), fullPage: false });

    // Many workloads at once: a pasted list, then a whole scenario file.
    await put(page, '#f-workloads-1-drives', 'C, E');
    await page.fill('#paste', 'name,address,os,drives\napp03,192.168.20.13,linux,\napp04,192.168.20.14,windows,C D');
    await page.click('#paste-add');
    await page.waitForSelector('#paste-preview');
    await page.click('#paste-append');
    await page.waitForSelector('#f-workloads-3-name');
    result.pasted = [await page.inputValue('#f-workloads-2-name'), await page.inputValue('#f-workloads-3-drives')];
    result.flows_after_paste = await flows(page);
    await page.setInputFiles('#import-file', process.env.IMPORT_FILE);
    await page.waitForSelector('#f-hosts-0-name');
    result.import_message = await page.textContent('#import-message');
    result.flows_after_import = await flows(page);

    // A link pasted into the address bar of the open page (only the fragment changes).
    const fragment = result.share_link.slice(result.share_link.indexOf('#'));
    // The address bar holds the imported scenario's link now; clear the fragment
    // first, as a person pasting over the whole address does.
    await page.evaluate(() => { window.location.hash = ''; });
    await page.evaluate((f) => { window.location.hash = f; }, fragment);
    await page.waitForFunction(() => document.querySelectorAll('#f-hosts-0-name').length === 0);
    result.flows_after_hashchange = await flows(page);

    // Reports back in the planner: the loopback scenario `portplan check` ran against,
    // then its report; the verdicts, the summary, what to fix and the colored diagram.
    await page.setInputFiles('#import-file', process.env.REPORT_SCENARIO);
    await page.waitForFunction(() => (document.querySelector('#import-message') || {}).textContent === 'imported report-scenario.json');
    await flows(page);
    // The exports module takes the new plan once edits settle; reports are matched to it.
    await page.waitForTimeout(600);
    await page.setInputFiles('#report-file', process.env.REPORT_FILE);
    await page.waitForSelector('#verification-view tr.verdict-flow');
    result.report_message = await page.textContent('#report-message');
    result.verdicts = await page.$$eval('#verification-view tr.verdict-flow', (rows) => rows.map((r) => ({
      rule: r.dataset.rule, dir: r.dataset.dir, status: r.dataset.status,
      probes: [...r.querySelectorAll('li.probe')].map((li) => ({ verdict: li.dataset.verdict, text: li.textContent })),
    })));
    result.fixes = await page.$$eval('#verification-view li.fix', (ls) => ls.map((l) => ({
      rule: l.dataset.rule, status: l.dataset.status, text: l.textContent,
    })));
    result.fix_rules = Object.fromEntries(await page.$$eval('#verification-view li.fix pre.rule',
      (ps) => ps.map((p) => [p.dataset.dialect, p.textContent])));
    result.summary = await page.$$eval('#verification-view table.summary tbody tr', (rows) => rows.map((r) => ({
      phase: r.dataset.phase, pair: r.dataset.pair,
      pass: r.querySelector('.n-pass').textContent, attention: r.querySelector('.n-attention').textContent,
      fail: r.querySelector('.n-fail').textContent, unchecked: r.querySelector('.n-unchecked').textContent,
    })));
    result.report_diagram_colors = await page.$$eval('figure.diagram svg g.flow', (gs) => gs.map((g) => ({
      dir: g.dataset.from + ' → ' + g.dataset.to,
      colors: [...g.querySelectorAll('[stroke], [fill]')]
        .flatMap((e) => [e.getAttribute('stroke'), e.getAttribute('fill')]).filter(Boolean),
    })));
    await page.screenshot({ path: path.join(out, 'planner-report.png'), fullPage: true });
    await download(page, '#download-diagram-svg', 'report-diagram.svg');
    result.report_pdf_date_before = await page.evaluate(today);
    await download(page, '#download-checklist-pdf', 'report-checklist.pdf');
    result.report_pdf_date = await page.evaluate(today);
    await page.click('#report-clear');
    await page.waitForFunction(() => document.querySelectorAll('#verification-view tr.verdict-flow').length === 0);
    result.verdicts_after_clear = 0;

    // Three reports at once (the real one and the server's and the target's): what to
    // fix lists failures first, each mark an icon and a word, rules only in the dialects
    // of the accepting host.
    await page.setInputFiles('#report-file', [process.env.REPORT_FILE, ...process.env.MORE_REPORTS.split(path.delimiter)]);
    await page.waitForFunction(() => document.querySelectorAll('#verification-view .report[data-applies="true"]').length === 3);
    result.three_fixes = await page.$$eval('#verification-view li.fix', (ls) => ls.map((l) => ({
      rule: l.dataset.rule, dir: l.dataset.dir, status: l.dataset.status, text: l.textContent,
      icon: (l.querySelector('.status .icon') || {}).textContent,
      icon_hidden: (l.querySelector('.status .icon') || { getAttribute: () => null }).getAttribute('aria-hidden'),
      word: (l.querySelector('.status') || {}).textContent,
      dialects: [...l.querySelectorAll('pre.rule')].map((p) => p.dataset.dialect),
    })));
    result.three_marks = await page.$$eval('#verification-view tr.verdict-flow', (rows) => rows.map((r) => ({
      rule: r.dataset.rule, dir: r.dataset.dir, status: r.dataset.status,
      mark: r.querySelector('td .status').textContent,
    })));
    await page.screenshot({ path: path.join(out, 'planner-three-reports.png'), fullPage: true });
    await page.click('#report-clear');
});
