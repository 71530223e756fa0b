// What the product supports, in Debian's headless Chromium (playwright-core): the
// version picker from the core's release table, free text with the core's warning,
// and options a release does not have disabled with the reason shown.
// Driven by tests/tests/browser_support.rs, which makes the assertions.
//
// usage: node support.cjs <site-url> <artifact-dir>
'use strict';
const { record, session } = require('./chromium.cjs');
const fs = require('fs');
const path = require('path');

const [url, out] = process.argv.slice(2);
if (!url || !out) {
  console.error('usage: node support.cjs <site-url> <artifact-dir>');
  process.exit(2);
}

async function put(page, selector, value) {
  await page.fill(selector, value);
  await page.press(selector, 'Enter');
}

// Every option of a select: value, whether it is disabled, its title (the reason).
const options = (page, sel) => page.$$eval(sel + ' option', (os) =>
  os.map((o) => ({ value: o.value, disabled: o.disabled, title: o.title || '' })));
const text = async (page, sel) => (await page.$(sel)) ? (await page.textContent(sel)).trim() : null;

async function snapshot(page) {
  return {
    picks: await options(page, '#f-version-pick'),
    version_field: !!(await page.$('#f-version')),
    warning: await text(page, '#version-warning'),
    transfer: await options(page, '#f-workloads-0-transfer'),
    replication: await options(page, '#f-replication'),
    agent_disabled: await page.$eval('#f-workloads-0-agent', (e) => e.disabled),
    agent_title: await page.$eval('#f-workloads-0-agent', (e) => e.title),
    not_offered: await text(page, '#not-offered'),
    connector_disabled: await page.$eval('#add-connector', (e) => e.disabled),
    connector_note: await text(page, '#connector-note'),
    flows: await page.$$eval('#plan tr.flow', (r) => r.length),
    problems: await page.$$eval('#problems', (p) => p.length),
  };
}

session(out, { console: [] }, async (browser, result) => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    record(page, result.console);
    page.setDefaultTimeout(30000);
    await page.goto(url);
    await page.waitForSelector('#plan tr.flow');
    result.start = await snapshot(page);

    await page.selectOption('#f-product', 'portability-suite');
    await page.waitForSelector('#f-version');
    await page.selectOption('#f-version-pick', '8.1.3');
    await page.waitForSelector('#f-version', { state: 'detached' });
    await page.waitForSelector('#plan tr.flow');
    result.ps813 = await snapshot(page);

    await page.selectOption('#f-product', 'migrate');
    await page.selectOption('#f-version-pick', '12.2');
    await page.waitForSelector('#f-version', { state: 'detached' });
    result.m122 = await snapshot(page);

    // Free text: a version the table does not name is planned, with the core's warning.
    await page.selectOption('#f-version-pick', 'other');
    await page.waitForSelector('#f-version');
    await put(page, '#f-version', '2019.6');
    await page.waitForSelector('#version-warning');
    await page.waitForSelector('#plan tr.flow');
    result.m2019_6 = await snapshot(page);

    await page.selectOption('#f-version-pick', '2019.5');
    await page.waitForSelector('#version-warning', { state: 'detached' });
    result.m2019_5 = await snapshot(page);

    // OS-specific: a Linux row has no VSS and no Windows version.
    await page.selectOption('#f-workloads-0-os', 'linux');
    await page.waitForFunction(() => document.querySelector('#f-workloads-0-windows').disabled);
    result.linux = await snapshot(page);
    await page.screenshot({ path: path.join(out, 'support-1440.png'), fullPage: false });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(out, 'support-390.png'), fullPage: false });
    result.width_390 = await page.evaluate(() => document.documentElement.scrollWidth);
    await page.setViewportSize({ width: 1440, height: 900 });

    // Imports that explain: worded parse errors, plans and reports recognised, undo.
    const drop = async (name, text) => {
      const before = (await page.textContent('#import-message')).trim();
      await page.setInputFiles('#import-file', { name, mimeType: 'application/json', buffer: Buffer.from(text) });
      await page.waitForFunction((b) => {
        const t = document.getElementById('import-message').textContent.trim();
        return t !== '' && t !== b;
      }, before);
      return (await page.textContent('#import-message')).trim();
    };
    result.import_cut = await drop('cut.json', '{\n  "format": 1,\n  "product": "migrate",\n');
    result.import_plan = await drop('plan.json', JSON.stringify({ format: 1, product: 'migrate', version: '2019.5', catalog: 'x', hosts: [{ name: 'ps01', role: 'server' }], flows: [] }));
    result.import_report = await drop('report.json', JSON.stringify({ format: 1, plan_digest: 'x', probed_from: 'web01', host: 'web01', started: '', finished: '', flows: [] }));
    result.report_message = await text(page, '#report-message');
    result.undo_before = !!(await page.$('#import-undo'));
    result.import_ok = await drop('legacy-block.json', fs.readFileSync(process.env.SCENARIO_FILE, 'utf8'));
    await page.waitForSelector('#import-undo');
    await page.waitForFunction(() => document.getElementById('f-product').value === 'portability-suite');
    result.after_import = { product: await page.inputValue('#f-product'), rows: await page.$$eval('tr.workload', (r) => r.length) };
    await page.click('#import-undo');
    await page.waitForSelector('#import-undo', { state: 'detached' });
    await page.waitForFunction(() => document.getElementById('f-product').value === 'migrate');
    result.after_undo = {
      product: await page.inputValue('#f-product'),
      version: await page.inputValue('#f-version-pick'),
      rows: await page.$$eval('tr.workload', (r) => r.length),
      os: await page.inputValue('#f-workloads-0-os'),
      message: (await page.textContent('#import-message')).trim(),
    };

    // Print: the results (summary, firewall view, plan with every detail open, the
    // share link), not the wizard.
    await page.evaluate(() => dispatchEvent(new Event('beforeprint')));
    await page.emulateMedia({ media: 'print' });
    result.print = {
      wizard: await page.isVisible('form.wizard'),
      link: await text(page, '#print-link'),
      link_visible: await page.isVisible('#print-link'),
      summary: await text(page, '#print-summary'),
      summary_visible: await page.isVisible('#print-summary'),
      firewall: await page.isVisible('#firewall'),
      plan: await page.isVisible('#plan'),
      details: await page.$$eval('details', (ds) => ds.length),
      closed: await page.$$eval('details:not([open])', (ds) => ds.length),
    };
    await page.evaluate(() => scrollTo(0, 0));
    await page.screenshot({ path: path.join(out, 'print-1440.png'), fullPage: false });
    await page.emulateMedia({ media: 'screen' });
    await page.evaluate(() => dispatchEvent(new Event('afterprint')));
    result.print.closed_after = await page.$$eval('details:not([open])', (ds) => ds.length);

    // Skip links: the first two tab stops, to the results and to the downloads.
    const skip = async (tabs) => {
      await page.goto(url);
      await page.waitForSelector('#plan tr.flow');
      for (let i = 0; i < tabs; i++) await page.keyboard.press('Tab');
      const on = await page.evaluate(() => document.activeElement.id);
      await page.keyboard.press('Enter');
      return [on, await page.evaluate(() => document.activeElement.id)];
    };
    result.skip_results = await skip(1);
    result.skip_downloads = await skip(2);

    // axe-core in the page (a context that lets the test inject it past the CSP).
    const axeContext = await browser.newContext({ bypassCSP: true, viewport: { width: 1440, height: 900 } });
    const a = await axeContext.newPage();
    a.setDefaultTimeout(30000);
    await a.goto(url);
    await a.waitForSelector('#plan tr.flow');
    await a.waitForSelector('#firewall-view table');
    await a.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
    const run = async () => a.evaluate(async () => {
      const r = await axe.run(document, { resultTypes: ['violations'] });
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
    });
    result.axe_1440 = await run();
    await a.setViewportSize({ width: 390, height: 844 });
    await a.waitForTimeout(300);
    result.axe_390 = await run();
    await axeContext.close();

    // Verification: flows no report covers name the check to run.
    await drop('legacy-block.json', fs.readFileSync(process.env.SCENARIO_FILE, 'utf8'));
    await page.waitForFunction(() => document.getElementById('f-product').value === 'portability-suite');
    await page.waitForFunction(() => /Portability Suite 8\.1\.3/.test(document.querySelector('#plan-title').textContent));
    await page.waitForTimeout(1500);
    await page.setInputFiles('#report-file', process.env.REPORT_FILE);
    await page.waitForFunction(() => document.querySelector('#verification .not-checked')
      || document.querySelector('#report-message .field-error, #verification p.field-error'));
    result.report_loaded = await text(page, '#report-message');
    result.not_checked = await page.$$eval('#verification tr.verdict-flow', (rows) => rows.map((r) => ({
      status: r.dataset.status, rule: r.dataset.rule, dir: r.dataset.dir,
      hint: (r.querySelector('.not-checked') || { textContent: '' }).textContent.trim(),
    })));

    // The address bar follows imports and pastes (issue 14): a reload gives what is
    // on screen, and a draft with problems has no link at all.
    const s = await context.newPage();
    s.on('pageerror', (e) => result.console.push('pageerror: ' + e.message));
    s.setDefaultTimeout(30000);
    await s.goto(url);
    await s.waitForSelector('#plan tr.flow');
    await put(s, '#f-server-name', 'ps77');
    await s.waitForFunction(() => location.hash.startsWith('#s='));
    await s.waitForTimeout(600);
    const hash = () => s.evaluate(() => location.hash);
    const settled = async () => { await s.waitForTimeout(1000); return hash(); };
    result.link = { edited: await hash() };
    // A paste that makes the same plan (drives of a file-based workload) is still
    // another scenario.
    await s.fill('#paste', 'Hostname\tIP\tOS\tDrives\tTarget name\tTarget IP\nweb01\t10.0.1.10\tWindows Server 2016\tC, D\tweb01-t\t10.0.2.10');
    await s.click('#paste-add');
    await s.waitForSelector('#paste-preview');
    await s.click('#paste-replace');
    await s.waitForFunction(() => document.getElementById('f-workloads-0-drives').value === 'C, D');
    result.link.pasted = await settled();
    result.link.pasted_box = await s.inputValue('#share-link');
    await s.reload();
    await s.waitForSelector('#edit-plan');
    await s.click('#edit-plan');
    await s.waitForSelector('form.wizard');
    result.link.pasted_reloaded = {
      server: await s.inputValue('#f-server-name'),
      drives: await s.inputValue('#f-workloads-0-drives'),
    };
    // An imported scenario that breaks a rule: loaded to be fixed, and no link.
    const bad = fs.readFileSync(process.env.SCENARIO_FILE, 'utf8').replace('8.1.3', '12.3');
    await s.setInputFiles('#import-file', { name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(bad) });
    await s.waitForSelector('#problems');
    result.link.invalid = await settled();
    result.link.invalid_box = await s.inputValue('#share-link');
    // A good import: its own link, and a reload shows it.
    await s.setInputFiles('#import-file', process.env.SCENARIO_FILE);
    await s.waitForSelector('#problems', { state: 'detached' });
    result.link.imported = await settled();
    result.link.imported_box = await s.inputValue('#share-link');
    await s.reload();
    await s.waitForSelector('#plan tr.flow');
    result.link.imported_reloaded = await text(s, '#plan-title');
    await s.close();
});
