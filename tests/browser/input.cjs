// The planner page speaks the whole scenario, in Debian's headless Chromium
// (playwright-core). Driven by tests/tests/browser_input.rs, which makes the
// assertions; this script acts like the pre-sales engineer and records what it
// saw: a header'd 40-workload wave with target containers and NAT addresses pasted,
// an RVTools vInfo sheet pasted, the plan and scenario downloaded, the share link
// reopened; then careless input (an unknown OS, several mistakes in one row, `C:\` in
// the Drives field, a damaged link).
//
// usage: node input.cjs <site-url> <artifact-dir>
'use strict';
const { record, session } = require('./chromium.cjs');
const path = require('path');

const [url, out] = process.argv.slice(2);
if (!url || !out) {
  console.error('usage: node input.cjs <site-url> <artifact-dir>');
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

// The sheet: a header, 40 workloads, every fourth through the Migrate Agent,
// each target on vCenter vc01 behind a NAT address, two columns of no use.
function wave() {
  const rows = ['VM Name,IP Address,Operating System,Drives,Target VM,Target IP,Target Container,Migrate Agent,Public IP (NAT),Owner,Wave'];
  for (let i = 1; i <= 40; i++) {
    const n = String(i).padStart(2, '0');
    const win = i <= 30;
    rows.push([`app${n}`, `10.1.0.${i}`, win ? 'Windows Server 2008 R2 Enterprise' : 'Ubuntu 22.04',
      win ? '"C:\\, D:\\"' : '', `app${n}-t`, `10.2.0.${i}`, 'vc01', i % 4 === 0 ? 'yes' : 'no',
      `203.0.113.${i}`, 'Anna', '1'].join(','));
  }
  return rows.join('\n');
}

// An RVTools vInfo export as a spreadsheet copy gives it: tabs, its own column names,
// a template and a Solaris VM among the rows.
const RVTOOLS = [
  ['VM', 'Powerstate', 'Template', 'DNS Name', 'CPUs', 'Memory', 'Disks', 'Primary IP Address',
    'OS according to the configuration file', 'OS according to the VMware Tools', 'Datacenter', 'Cluster', 'Host'],
  ['rv01', 'poweredOn', 'False', 'rv01.corp.example', '2', '4096', '2', '10.3.0.1',
    'Microsoft Windows Server 2016 (64-bit)', 'Microsoft Windows Server 2016 Standard', 'DC1', 'CL1', 'esx01.corp.example'],
  ['tpl01', 'poweredOff', 'True', '', '2', '4096', '1', '', 'Microsoft Windows Server 2019 (64-bit)', '', 'DC1', 'CL1', 'esx01.corp.example'],
  ['rv02', 'poweredOff', 'False', 'rv02.corp.example', '4', '8192', '3', '', 'Red Hat Enterprise Linux 8 (64-bit)', '', 'DC1', 'CL1', 'esx02.corp.example'],
].map((r) => r.join('\t')).join('\n');

async function setPaste(page, text) {
  await page.$eval('#paste', (el, t) => {
    el.value = t;
    el.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertFromPaste' }));
  }, text);
}

// Pastes, records the preview, then appends or replaces.
async function paste(page, text, how) {
  await setPaste(page, text);
  await page.click('#paste-add');
  await page.waitForSelector('#paste-preview');
  const preview = {
    summary: await page.textContent('#paste-summary'),
    rows: await page.$$eval('#paste-preview li', (l) => l.map((e) => e.textContent.trim())),
  };
  await page.click(how === 'replace' ? '#paste-replace' : '#paste-append');
  await page.waitForSelector('#paste-preview', { state: 'detached' });
  return preview;
}

const texts = (page, sel) => page.$$eval(sel, (els) => els.map((e) => e.textContent.trim()));

// Every value of the wizard's inputs and selects whose text is wider than the box.
const clipped = (page) => page.$$eval('form.wizard input[type=text], form.wizard select', (els) => {
  const canvas = document.createElement('canvas').getContext('2d');
  return els.filter((e) => e.offsetParent !== null).map((e) => {
    const s = getComputedStyle(e);
    canvas.font = `${s.fontWeight} ${s.fontSize} ${s.fontFamily}`;
    const text = e.tagName === 'SELECT' ? (e.selectedOptions[0] || {}).text || '' : e.value;
    const room = e.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight)
      - (e.tagName === 'SELECT' || e.getAttribute('list') ? 20 : 0);
    const right = e.getBoundingClientRect().right;
    return { id: e.id, text, room, width: canvas.measureText(text).width, off_screen: right > window.innerWidth + 0.5 };
  }).filter((x) => x.off_screen || (x.text && x.width > x.room + 0.5));
});

session(out, { console: [] }, async (browser, result) => {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  record(page, result.console);
  page.setDefaultTimeout(STEP_MS);
  await page.goto(url);
  await page.waitForSelector('#results tr, #results li, #results table');
  // The defaults: the newest release, no version warning, the direction said.
  result.start = {
    version: await page.inputValue('#f-version-pick'),
    version_warning: await page.$$eval('#version-warning', (e) => e.length),
    replication_default: await page.$eval('#f-replication', (s) => s.options[0].text),
    replication_used: await page.textContent('#replication-used'),
  };

  // Step 2: the vCenter the targets land on; step 1: the server's NAT address.
  await page.click('#f-hosts > button');
  await page.waitForSelector('#f-hosts-0-name');
  await put(page, '#f-hosts-0-name', 'vc01');
  await put(page, '#f-hosts-0-address', '10.0.0.20');
  await page.selectOption('#f-hosts-0-platform', 'vcenter');
  await put(page, '#f-server-public-address', '203.0.113.5');

  // The wave, replacing the sample row.
  result.wave = await paste(page, wave(), 'replace');
  await page.waitForSelector('#f-workloads-39-name');
  await page.waitForTimeout(800);
  result.wave_problems = await texts(page, '#problems li.problem');
  result.wave_rows = await page.$$eval('tr.workload', (r) => r.length);
  result.row0 = {
    container: await page.inputValue('#f-workloads-0-target-container'),
    public_address: await page.inputValue('#f-workloads-0-target-public-address'),
    windows: await page.inputValue('#f-workloads-0-windows'),
    drives: await page.inputValue('#f-workloads-0-drives'),
  };
  result.replication_used = await page.textContent('#replication-used');
  result.replication_default = await page.$eval('#f-replication', (s) => s.options[0].text);
  // The RVTools sheet, appended.
  result.rvtools = await paste(page, RVTOOLS, 'append');
  await page.waitForSelector('#f-workloads-41-name');
  await page.waitForTimeout(800);
  result.after_rvtools_problems = await texts(page, '#problems li.problem');
  result.rvtools_rows = await page.$$eval('tr.workload', (r) => r.length);
  result.clipped_1440 = await clipped(page);
  await page.$eval('#f-workloads', (e) => e.scrollIntoView());
  await page.screenshot({ path: path.join(out, 'wizard-1440.png'), fullPage: false });
  await page.$eval('form.wizard', (e) => e.scrollIntoView());
  await page.screenshot({ path: path.join(out, 'deployment-1440.png'), fullPage: false });

  // The firewall view of the wave: the container and the NAT'd flows.
  await page.waitForFunction(() => [...document.querySelectorAll('#firewall tr.fw-rule')]
    .some((r) => r.dataset.to === 'vc01'), null, { timeout: STEP_MS });
  result.firewall = await page.$$eval('#firewall tr.fw-rule', (rows) => rows.map((r) => ({
    from: r.dataset.from, to: r.dataset.to, text: r.textContent,
  })));
  // The plan the page made, and the scenario it made it from.
  await page.waitForSelector('#download-plan-json');
  await download(page, '#download-scenario', 'scenario.json');
  await download(page, '#download-plan-json', 'plan.json');
  await page.waitForFunction(() => (document.querySelector('#share-link') || {}).value);
  result.share_link = await page.inputValue('#share-link');

  // Phone: the wizard's rows are cards, nothing wider than the screen or clipped.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300);
  result.phone_scroll_width = await page.evaluate(() => document.documentElement.scrollWidth);
  result.clipped_390 = await clipped(page);
  await page.$eval('#f-workloads-0-name', (e) => e.scrollIntoView());
  await page.screenshot({ path: path.join(out, 'wizard-390.png'), fullPage: false });
  await page.$eval('form.wizard', (e) => e.scrollIntoView());
  await page.screenshot({ path: path.join(out, 'deployment-390.png'), fullPage: false });
  await page.setViewportSize({ width: 1440, height: 900 });

  // The share link round trip: the reopened page's scenario, downloaded again.
  const again = await context.newPage();
  record(again, result.console);
  again.setDefaultTimeout(STEP_MS);
  await again.goto(result.share_link);
  await again.waitForSelector('#review');
  await again.waitForSelector('#download-scenario');
  await download(again, '#download-scenario', 'scenario-from-link.json');
  await again.close();

  // Careless input, each on a fresh page.
  const fresh = async () => {
    const p = await context.newPage();
    record(p, result.console);
    p.setDefaultTimeout(STEP_MS);
    await p.goto(url);
    await p.waitForSelector('#f-workloads-0-name');
    return p;
  };
  // An unknown OS is a problem of its row, never Windows.
  let p = await fresh();
  result.solaris_preview = await paste(p, 'name,address,os\nsol01,10.0.1.50,solaris', 'replace');
  await p.waitForSelector('#problems li.problem');
  result.solaris = {
    problems: await texts(p, '#problems li.problem'),
    os: await p.$eval('#f-workloads-0-os', (s) => s.selectedOptions[0].text),
    plan_title: await p.$$eval('#stale-note', (e) => e.map((x) => x.textContent)),
  };
  await p.selectOption('#f-workloads-0-os', 'linux');
  await p.waitForSelector('#problems', { state: 'detached' });
  result.solaris_fixed = await p.$eval('#f-workloads-0-os', (s) => s.value);
  await p.close();
  // Every problem of a row at once.
  p = await fresh();
  await put(p, '#f-workloads-0-address', '10.0.1');
  await put(p, '#f-workloads-0-windows', '2007');
  await put(p, '#f-workloads-0-drives', 'C 1');
  await put(p, '#f-workloads-0-target-name', 'bad name');
  await p.waitForFunction(() => document.querySelectorAll('#problems li.problem').length >= 4);
  result.row_problems = await texts(p, '#problems li.problem');
  result.row_field_errors = await p.$$eval('tr.workload:first-child .field-error', (e) => e.length);
  await p.close();
  // `C:\` in the Drives field, as the paste reads it.
  p = await fresh();
  await page.waitForTimeout(100);
  await put(p, '#f-workloads-0-drives', 'C:\\, d:, E');
  await p.waitForTimeout(500);
  result.drives = {
    problems: await p.$$eval('#problems', (e) => e.length),
    field_errors: await p.$$eval('#f-workloads-0-drives-err', (e) => e.length),
  };
  await download(p, '#download-scenario', 'drives.json');
  await p.close();
  // A damaged link: its error and no plan.
  for (const [name, hash] of [['packed', '#s=AAAA-not-a-plan'], ['plain', '#scenario=e30']]) {
    p = await context.newPage();
    record(p, result.console);
    p.setDefaultTimeout(STEP_MS);
    await p.goto(url + hash);
    await p.waitForSelector('#link-error');
    await p.waitForTimeout(800);
    result['damaged_' + name] = {
      error: await p.textContent('#link-error'),
      review: await p.$$eval('#review', (e) => e.length),
      results: await p.$$eval('#results', (e) => e.length),
      wizard: await p.$$eval('form.wizard', (e) => e.length),
      broken: await p.$$eval('#link-broken', (e) => e.length),
      share_link: await p.$$eval('#share-link', (e) => e.length),
    };
    if (name === 'packed') {
      await p.screenshot({ path: path.join(out, 'damaged-link-1440.png'), fullPage: false });
      await p.click('#start-new');
      await p.waitForSelector('form.wizard');
      result.damaged_after_start = await p.$$eval('#link-error', (e) => e.length);
    }
    await p.close();
  }
});
