// The planner page for real waves and firewall teams, in Debian's headless Chromium
// (playwright-core). Driven by tests/tests/browser_waves.rs, which makes the
// assertions; this script acts like the users and records what it saw:
// a pre-sales engineer pasting a wave of 30 Windows and 10 Linux servers from a
// spreadsheet, a firewall engineer opening the share link, and a wave of 1,000
// workloads timed edit by edit.
//
// usage: node waves.cjs <site-url> <artifact-dir>
'use strict';
const { record, session } = require('./chromium.cjs');
const fs = require('fs');
const path = require('path');

const [url, out] = process.argv.slice(2);
if (!url || !out) {
  console.error('usage: node waves.cjs <site-url> <artifact-dir>');
  process.exit(2);
}
const STEP_MS = 30000;

async function put(page, selector, value) {
  await page.fill(selector, value);
  await page.press(selector, 'Enter');
}

async function download(page, button, file) {
  const [dl] = await Promise.all([
    page.waitForEvent('download', { timeout: STEP_MS }),
    page.click(button),
  ]);
  await dl.saveAs(path.join(out, file));
  return dl.suggestedFilename();
}

// What a spreadsheet copy of the wave gives: tabs, a header, inventory words.
function wave(windows, linux, targets) {
  const head = ['Hostname', 'IP', 'Operating System', 'Drives'];
  if (targets) head.push('Target name', 'Target IP');
  const rows = [head.join('\t')];
  for (let i = 0; i < windows + linux; i++) {
    const win = i < windows;
    const name = (win ? 'win' : 'lnx') + String(i + 1).padStart(4, '0');
    const row = [name, `10.1.${Math.floor(i / 250)}.${(i % 250) + 1}`,
      win ? 'Windows Server 2016 Standard' : 'RHEL 8', win ? 'C:\\' : ''];
    if (targets) row.push(name + '-t', `10.2.${Math.floor(i / 250)}.${(i % 250) + 1}`);
    rows.push(row.join('\t'));
  }
  return rows.join('\n');
}

// A paste from the clipboard: the whole text arrives in one input event.
async function setPaste(page, text) {
  await page.$eval('#paste', (el, t) => {
    el.value = t;
    el.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertFromPaste' }));
  }, text);
}

async function paste(page, text, how) {
  await setPaste(page, text);
  await page.click('#paste-add');
  await page.waitForSelector('#paste-preview');
  const summary = await page.textContent('#paste-summary');
  await page.click(how === 'replace' ? '#paste-replace' : '#paste-append');
  await page.waitForSelector('#paste-preview', { state: 'detached' });
  return summary;
}

const texts = (page, sel) => page.$$eval(sel, (els) => els.map((e) => e.textContent.trim()));

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
    await page.waitForSelector('#plan tr.flow');
    result.flows_at_start = (await texts(page, '#plan tr.flow')).length;

    // 1. Never blank: a new row is a draft, and the focus is in it.
    await page.click('#add-workload');
    await page.waitForSelector('#f-workloads-1-name');
    result.focus_after_add = await page.evaluate(() => document.activeElement.id);
    result.problems_after_add = await page.$$eval('#problems', (p) => p.length);
    result.draft_rows = await page.$$eval('tr.workload.draft', (r) => r.length);
    // Half-typed addresses are not errors until committed; committed ones are listed.
    await page.fill('#f-workloads-1-address', '10.0.1.');
    result.problems_while_typing = await page.$$eval('#problems', (p) => p.length);
    await page.press('#f-workloads-1-address', 'Enter');
    await put(page, '#f-workloads-0-drives', '#');
    await page.waitForSelector('#problems li.problem');
    result.problems = await texts(page, '#problems li.problem');
    result.problems_title = await page.textContent('#problems-title');
    result.stale_note = await page.textContent('#stale-note');
    result.flows_while_invalid = (await texts(page, '#plan tr.flow')).length;
    await page.screenshot({ path: path.join(out, 'problems-1440.png'), fullPage: false });
    await page.click('#problems li.problem button');
    result.focus_after_problem_click = await page.evaluate(() => document.activeElement.id);
    await put(page, '#f-workloads-0-drives', 'C');
    await put(page, '#f-workloads-1-address', '10.0.1.11');
    await page.waitForSelector('#problems', { state: 'detached' });
    // Remove moves the focus to the neighbour.
    await page.click('button[aria-label="Remove workload 2"]');
    result.focus_after_remove = await page.evaluate(() => document.activeElement.id);

    // 2. Waves: a wave without targets is warned about...
    await page.selectOption('#f-version-pick', '2019.5');
    result.paste_no_targets = await paste(page, wave(3, 0, false), 'append');
    await page.waitForSelector('#warnings li.warning');
    result.warnings_no_targets = await texts(page, '#warnings li.warning');
    // ...the cap is checked before anything is added...
    const big = wave(10001, 0, false);
    const t0 = Date.now();
    await setPaste(page, big);
    await page.click('#paste-add');
    await page.waitForFunction(() => (document.querySelector('#import-message') || {}).textContent.includes('10001 rows'));
    result.cap_ms = Date.now() - t0;
    result.cap_message = await page.textContent('#import-message');
    result.workloads_after_cap = await page.$$eval('tr.workload', (r) => r.length);
    // ...and the spreadsheet copy of 30 Windows and 10 Linux servers with targets
    // replaces them, with a duplicate address: a problem of its row (two hosts at one
    // address are refused), fixed before the plan is read.
    const spreadsheet = wave(30, 10, true).replace('10.1.0.40\tRHEL', '10.1.0.39\tRHEL');
    result.paste_summary = await paste(page, spreadsheet, 'replace');
    await page.waitForSelector('#f-workloads-39-name');
    await page.waitForSelector('#problems li.problem');
    result.duplicate_problems = await texts(page, '#problems li.problem');
    await put(page, '#f-workloads-39-address', '10.1.0.40');
    await page.waitForSelector('#problems', { state: 'detached' });
    result.workloads = await page.$$eval('tr.workload', (r) => r.length);
    result.linux_windows_disabled = await page.$eval('#f-workloads-35-windows', (e) => e.disabled);
    await page.waitForTimeout(600);
    result.warnings = await texts(page, '#warnings li.warning');
    await page.waitForSelector('#plan tr.flow');
    await page.screenshot({ path: path.join(out, 'wave-1440.png'), fullPage: false });

    // 3. The firewall view groups the wave; search and sort; downloads.
    // The grouped view, warnings and link follow the plan once edits settle.
    await page.waitForTimeout(600);
    await page.waitForSelector('#firewall tr.fw-rule');
    result.firewall_title = await page.textContent('#firewall-title');
    result.firewall = await page.$$eval('#firewall tr.fw-rule', (rows) => rows.map((r) => ({
      from: r.dataset.from, to: r.dataset.to,
      ports: r.querySelector('.ports').textContent, phase: r.querySelector('.phase').textContent,
    })));
    await page.fill('#firewall-search', '3725');
    result.firewall_search = await page.$$eval('#firewall tr.fw-rule', (rows) => rows.map((r) => r.querySelector('.ports').textContent));
    result.firewall_count = await page.textContent('#firewall-count');
    await page.fill('#firewall-search', '');
    await page.selectOption('#firewall-sort', 'to');
    result.firewall_sorted_to = await page.$$eval('#firewall tr.fw-rule', (rows) => rows.map((r) => r.dataset.to));
    await page.$eval('#firewall', (e) => e.scrollIntoView());
    await page.screenshot({ path: path.join(out, 'firewall-1440.png'), fullPage: false });
    result.downloads = {};
    await download(page, '#download-scenario', 'wave-scenario.json');
    for (const [id, file] of [['change-request-csv', 'change.csv'], ['firewall-ps1', 'firewall.ps1'],
      ['firewall-netsh-cmd', 'firewall.cmd'], ['firewall-nft', 'firewall.nft'],
      ['firewall-iptables', 'firewall.iptables'], ['firewall-firewalld-sh', 'firewalld.sh']]) {
      result.downloads[file] = await download(page, '#download-' + id, file);
    }
    result.share_link = await page.inputValue('#share-link');
    result.location = page.url();

    // Phone: the same page at 390 px.
    await page.setViewportSize({ width: 390, height: 844 });
    result.phone_scroll_width = await page.evaluate(() => document.documentElement.scrollWidth);
    await page.screenshot({ path: path.join(out, 'wave-390.png'), fullPage: false });
    await page.$eval('#firewall', (e) => e.scrollIntoView());
    await page.screenshot({ path: path.join(out, 'firewall-390.png'), fullPage: false });
    await page.setViewportSize({ width: 1440, height: 900 });

    // 4. The firewall engineer opens the share link: review mode, results first.
    const review = await context.newPage();
    watch(review);
    review.setDefaultTimeout(STEP_MS);
    await review.goto(result.share_link);
    await review.waitForSelector('#review');
    await review.waitForSelector('#firewall tr.fw-rule');
    result.review_title = await review.textContent('#review-title');
    result.review_wizard = await review.$$eval('form.wizard', (f) => f.length);
    result.review_firewall_top = await review.$eval('#firewall', (e) => e.getBoundingClientRect().top);
    result.review_firewall_rows = await review.$$eval('#firewall tr.fw-rule', (r) => r.length);
    await review.waitForTimeout(300);
    result.review_location = review.url();
    await review.screenshot({ path: path.join(out, 'review-1440.png'), fullPage: false });
    await review.click('#edit-plan');
    await review.waitForSelector('form.wizard');
    result.location_after_edit_click = review.url();
    await put(review, '#f-workloads-0-address', '10.1.9.9');
    await review.waitForFunction((l) => window.location.href !== l, result.share_link);
    result.location_after_edit = review.url();
    await review.close();

    // An old-style link (#scenario=, plain base64url JSON) still opens.
    const oldLink = url + '#scenario=' + Buffer.from(fs.readFileSync(process.env.OLD_LINK_SCENARIO)).toString('base64url');
    const old = await context.newPage();
    watch(old);
    await old.goto(oldLink);
    await old.waitForSelector('#review');
    await old.waitForSelector('#plan tr.flow');
    result.old_link_flows = await old.$$eval('#plan tr.flow', (r) => r.length);
    await old.close();

    // 5. A wave of 1,000: the link's size, and the time of each committed edit.
    const thousand = wave(800, 200, true);
    const bench = await context.newPage();
    watch(bench);
    bench.setDefaultTimeout(120000);
    await bench.goto(url);
    await bench.waitForSelector('#plan tr.flow');
    await paste(bench, thousand, 'replace');
    await bench.waitForSelector('#f-workloads-999-name');
    await bench.waitForFunction(() => document.querySelector('#share-link').value.includes('#s='));
    await bench.waitForFunction(() => !document.querySelector('#problems'));
    await bench.waitForTimeout(1000);
    await bench.waitForFunction(() => /Plan: \d+ flows/.test(document.querySelector('#plan-title').textContent));
    result.bench_link_length = (await bench.inputValue('#share-link')).length;
    result.bench_flows_title = await bench.textContent('#plan-title');
    result.bench_edits = [];
    result.bench_settled = [];
    for (let k = 0; k < 7; k++) {
      const row = 100 + k * 111;
      const address = `10.9.${k}.${k + 1}`;
      const ms = await bench.evaluate(async ([row, address]) => {
        const input = document.getElementById(`f-workloads-${row}-address`);
        const t0 = performance.now();
        input.value = address;
        input.dispatchEvent(new Event('change', { bubbles: true }));
        // The page plans and renders in the change handler; the edit is on screen
        // once the next frame is painted.
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
        const t1 = performance.now();
        // The grouped firewall view, the diagram and the link follow once edits settle.
        while (!document.getElementById('firewall-view').textContent.includes(address)) {
          if (performance.now() - t0 > 20000) return [t1 - t0, -1];
          await new Promise((r) => setTimeout(r, 10));
        }
        return [t1 - t0, performance.now() - t0];
      }, [row, address]);
      result.bench_edits.push(ms[0]);
      result.bench_settled.push(ms[1]);
    }
    await bench.close();
});
