// The planner's results for a real wave, in Debian's headless Chromium (playwright-core).
// Driven by tests/tests/browser_results.rs, which makes the assertions; this script acts
// and records what it saw:
// - a wave of 1,000 workloads: every flow reachable by scrolling the plan view (the last
//   workload's transfer flow included) with only the lines in view drawn, and the time
//   of each committed edit;
// - a wave of 40 printed to PDF (print media): the consolidated rules, then every flow;
// - files offered by mistake: a binary file and a plan where a report belongs.
//
// usage: node results.cjs <site-url> <artifact-dir>
// env: PLAN_FILE (a plan from `portplan plan -f json`), BINARY_FILE (a PNG)
'use strict';
const { record, session } = require('./chromium.cjs');
const path = require('path');

const [url, out] = process.argv.slice(2);
if (!url || !out) {
  console.error('usage: node results.cjs <site-url> <artifact-dir>');
  process.exit(2);
}
const STEP_MS = 60000;

// What a spreadsheet copy of the wave gives: tabs, a header, inventory words.
function wave(windows, linux) {
  const rows = [['Hostname', 'IP', 'Operating System', 'Drives', 'Target name', 'Target IP'].join('\t')];
  for (let i = 0; i < windows + linux; i++) {
    const win = i < windows;
    const name = (win ? 'win' : 'lnx') + String(i + 1).padStart(4, '0');
    rows.push([name, `10.1.${Math.floor(i / 250)}.${(i % 250) + 1}`,
      win ? 'Windows Server 2016 Standard' : 'RHEL 8', win ? 'C' : '',
      name + '-t', `10.2.${Math.floor(i / 250)}.${(i % 250) + 1}`].join('\t'));
  }
  return rows.join('\n');
}

async function paste(page, text) {
  await page.$eval('#paste', (el, t) => {
    el.value = t;
    el.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertFromPaste' }));
  }, text);
  await page.click('#paste-add');
  await page.waitForSelector('#paste-preview');
  await page.click('#paste-replace');
  await page.waitForSelector('#paste-preview', { state: 'detached' });
}

// The flow rows drawn now, as the table shows them.
const drawn = (page) => page.$$eval('#plan-scroll tr.flow', (rows) => rows.map((r) => ({
  proto: r.querySelector('.proto').textContent,
  ports: r.querySelector('.ports').textContent,
  dir: r.querySelector('.dir').textContent,
})));

// Settled: the plan title counts the whole plan and the firewall view is drawn.
async function settled(page, workloads) {
  await page.waitForSelector(`#f-workloads-${workloads - 1}-name`);
  await page.waitForFunction(() => !document.querySelector('#problems'));
  await page.waitForFunction(() => document.querySelector('#firewall-view').textContent.length > 0);
  await page.waitForTimeout(1500);
}

session(out, { console: [] }, async (browser, result) => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  record(page, result.console, { warnings: true });
  page.setDefaultTimeout(STEP_MS);

  // 1. A thousand workloads: every flow reachable, only the lines in view drawn.
  await page.goto(url);
  await page.waitForSelector('#plan tr.flow');
  await paste(page, wave(800, 200));
  await settled(page, 1000);
  result.big_title = await page.textContent('#plan-title');
  result.big_drawn_at_top = (await drawn(page)).length;
  result.big_cut_note = await page.$$eval('#plan-cut', (e) => e.length);
  await page.screenshot({ path: path.join(out, 'plan-1000-1440.png') });
  await page.$eval('#plan-scroll', (el) => el.scrollIntoView());
  await page.screenshot({ path: path.join(out, 'plan-view-1440.png') });
  // To the end of the box, as a person dragging the scrollbar down.
  await page.$eval('#plan-scroll', (el) => { el.scrollTop = el.scrollHeight; });
  await page.waitForFunction(() => [...document.querySelectorAll('#plan-scroll tr.flow')]
    .some((r) => r.querySelector('.dir').textContent.includes('lnx1000')));
  result.big_drawn_at_end = await drawn(page);
  await page.screenshot({ path: path.join(out, 'plan-end-1440.png') });
  // Halfway: the lines there, not the first ones.
  await page.$eval('#plan-scroll', (el) => { el.scrollTop = el.scrollHeight / 2; });
  await page.waitForTimeout(300);
  result.big_drawn_halfway = (await drawn(page)).map((f) => f.dir);

  // Committed edits at 1,000 workloads, timed from the change to the next painted frame.
  result.edits = [];
  for (let k = 0; k < 7; k++) {
    const row = 100 + k * 111;
    const address = `10.9.${k}.${k + 1}`;
    result.edits.push(await page.evaluate(async ([row, address]) => {
      const input = document.getElementById(`f-workloads-${row}-address`);
      const t0 = performance.now();
      input.value = address;
      input.dispatchEvent(new Event('change', { bubbles: true }));
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
      const t1 = performance.now();
      while (!document.getElementById('firewall-view').textContent.includes(address)) {
        if (performance.now() - t0 > 20000) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      return t1 - t0;
    }, [row, address]));
  }

  // 2. The same view on a phone.
  const phone = await context.newPage();
  record(phone, result.console, { warnings: true });
  phone.setDefaultTimeout(STEP_MS);
  await phone.setViewportSize({ width: 390, height: 844 });
  await phone.goto(url);
  await phone.waitForSelector('#plan tr.flow');
  await paste(phone, wave(30, 10));
  await settled(phone, 40);
  await phone.$eval('#plan-scroll', (el) => el.scrollIntoView());
  await phone.screenshot({ path: path.join(out, 'plan-view-390.png') });
  result.phone_overflow = await phone.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);

  // 3. A wave of 40 printed: consolidated rules first, every flow as the appendix.
  result.wave_title = await phone.textContent('#plan-title');
  await phone.setViewportSize({ width: 1440, height: 900 });
  await phone.pdf({ path: path.join(out, 'wave-40.pdf'), format: 'A4', printBackground: true });
  result.appendix_after_print = await phone.$$eval('#plan-print tr', (r) => r.length);

  // 4. Files offered by mistake.
  await phone.setInputFiles('#import-file', process.env.BINARY_FILE);
  await phone.waitForFunction(() => document.querySelector('#import-message').textContent.length > 0);
  result.binary_import = await phone.textContent('#import-message');
  result.binary_preview = await phone.$$eval('#paste-preview', (e) => e.length);
  await phone.setInputFiles('#report-file', process.env.PLAN_FILE);
  await phone.waitForFunction(() => document.querySelector('#report-message').textContent.length > 0);
  result.plan_as_report = await phone.textContent('#report-message');
  await phone.setInputFiles('#report-file', process.env.BINARY_FILE);
  await phone.waitForFunction(() => /png/.test(document.querySelector('#report-message').textContent));
  result.binary_as_report = await phone.textContent('#report-message');

  // 5. Field reports off the happy path, and a preflight report beside them.
  const field = await context.newPage();
  record(field, result.console, { warnings: true });
  field.setDefaultTimeout(STEP_MS);
  await field.goto(url);
  await field.waitForSelector('#plan tr.flow');
  await field.setInputFiles('#import-file', process.env.FIELD_SCENARIO);
  await field.waitForFunction(() => /imported/.test(document.querySelector('#import-message').textContent));
  await field.waitForFunction(() => /lnx01/.test(document.querySelector('#firewall-view').textContent));
  await field.waitForTimeout(500);
  await field.setInputFiles('#report-file', [process.env.CHECK_REPORT, process.env.PREFLIGHT_REPORT]);
  await field.waitForSelector('#verification-view tr.preflight-flow');
  result.report_lines = await field.$$eval('#report-message li', (ls) => ls.map((l) => l.textContent));
  result.preflight_summary = await field.$$eval('#verification-view li.preflight-report', (ls) => ls.map((l) => l.textContent));
  result.verdicts = await field.$$eval('#verification-view tr.verdict-flow', (rows) => rows.map((r) => ({
    rule: r.dataset.rule, dir: r.dataset.dir, status: r.dataset.status,
    probes: [...r.querySelectorAll('li.probe')].map((li) => li.textContent),
    hint: (r.querySelector('li.hint') || { textContent: '' }).textContent,
  })));
  result.fixes = await field.$$eval('#verification-view li.fix', (ls) => ls.map((l) => ({
    dir: l.dataset.dir, status: l.dataset.status, text: l.textContent,
  })));
  result.preflight = await field.$$eval('#verification-view tr.preflight-flow', (rows) => rows.map((r) => ({
    host: r.closest('section.preflight').dataset.host, rule: r.dataset.rule, verdict: r.dataset.verdict,
    ports: r.children[1].textContent,
  })));
  result.diagram_spans = await field.$$eval('figure.diagram svg g.flow[data-from="ps01"][data-to="web01"] tspan',
    (ts) => ts.map((t) => ({ text: t.textContent, fill: t.getAttribute('fill') })));
  await field.$eval('#verification', (el) => el.scrollIntoView());
  await field.screenshot({ path: path.join(out, 'verification-1440.png') });
});

