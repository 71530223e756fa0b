// Reference mode in Debian's headless Chromium (playwright-core): the catalog by
// product and release with its search, and the diff of two releases, read off the
// page as shown. Driven by tests/tests/browser_reference.rs, which compares what is
// read here with `portplan rules` and makes the assertions.
//
// usage: node reference.cjs <site-url> <artifact-dir>
'use strict';
const { launch, record } = require('./chromium.cjs');
const fs = require('fs');
const path = require('path');

const [url, out] = process.argv.slice(2);
if (!url || !out) {
  console.error('usage: node reference.cjs <site-url> <artifact-dir>');
  process.exit(2);
}

// Every rule card shown, field by field, as its text on the page.
const cards = (page) => page.$$eval('#ref-rules li.ref-rule', (lis) => lis.map((li) => {
  const t = (sel) => { const e = li.querySelector(sel); return e ? e.textContent : null; };
  const a = li.querySelector('a.page');
  return {
    rule: li.dataset.rule, id: t('code.id'), phase: t('.phase'), dir: t('.dir'),
    proto: t('.proto'), ports: t('.ports'), purpose: t('.purpose'), when: t('.cond'),
    source: t('.src'), page: t('.page'), href: a ? a.getAttribute('href') : null,
    optional: !!li.querySelector('.optional'),
    notes: [...li.querySelectorAll('.note')].map((n) => n.textContent),
  };
}));

const diff = (page) => page.evaluate(() => {
  const v = document.getElementById('ref-diff-view');
  return {
    title: v.querySelector('#ref-diff-title').textContent,
    notes: [...v.querySelectorAll('p.warning')].map((p) => p.textContent),
    sections: [...v.querySelectorAll('section.diff-section')].map((s) => ({
      key: s.dataset.section,
      title: s.querySelector('h4').textContent,
      rows: [...s.querySelectorAll('li.diff-rule')].map((li) => ({
        id: li.querySelector('code.id').textContent,
        dir: li.querySelector('.dir').textContent,
        proto: li.querySelector('.proto').textContent,
        ports: li.querySelector('.ports').textContent,
        note: li.querySelector('.doc-note') ? li.querySelector('.doc-note').textContent : null,
      })),
    })),
  };
});

const options = (page, sel) => page.$$eval(sel + ' option', (os) => os.map((o) => o.value));
const count = (page) => page.textContent('#ref-count');

// Types `text` in the search box and waits for the list to follow it.
async function search(page, text) {
  await page.fill('#ref-search', text);
  await page.waitForFunction((q) => {
    const c = document.getElementById('ref-count');
    return c && (q === '' ? !c.textContent.includes('match') : c.textContent.includes('“' + q + '”'));
  }, text);
}

async function release(page, sel, v) {
  await page.selectOption(sel, v);
}

(async () => {
  const browser = await launch();
  const result = { console: [], requests: [] };
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    record(page, result.console);
    page.setDefaultTimeout(30000);
    await page.goto(url);
    await page.waitForSelector('#plan tr.flow');
    result.reference_hidden_at_start = await page.$eval('#reference', (e) => e.hidden);
    // Every request from here on is the page's own (reference mode makes none).
    page.on('request', (r) => result.requests.push(r.url()));

    // Open the mode with the keyboard: the toggle is a button.
    await page.focus('#reference-toggle');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#ref-rules li.ref-rule');
    result.toggle_pressed = await page.getAttribute('#reference-toggle', 'aria-pressed');
    result.planner_hidden = await page.$eval('#planner', (e) => e.hidden && e.offsetParent === null);
    result.focus_after_open = await page.evaluate(() => document.activeElement.id);
    // The tab order from the heading: the controls, each with a label.
    const tabs = [];
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press('Tab');
      tabs.push(await page.evaluate(() => document.activeElement.id));
    }
    result.tabs = tabs;
    result.labels = await page.$$eval('#reference-view select, #reference-view input', (es) =>
      es.map((e) => ({ id: e.id, label: (document.querySelector('label[for="' + e.id + '"]') || {}).textContent || null })));
    result.products = await options(page, '#ref-product');
    result.migrate_versions = await options(page, '#ref-version');
    result.default = { version: await page.inputValue('#ref-version'), from: await page.inputValue('#ref-from'), to: await page.inputValue('#ref-to') };

    // Migrate 2020.2: the whole list, then searches.
    await release(page, '#ref-version', '2020.2');
    await page.waitForFunction(() => document.getElementById('ref-rules-title').textContent.endsWith('2020.2'));
    result.m2020_2 = { count: await count(page), cards: await cards(page) };
    await search(page, '3725');
    result.m2020_2_3725 = { count: await count(page), cards: await cards(page) };
    await search(page, 'replication');
    result.m2020_2_replication = { count: await count(page), cards: await cards(page) };
    // Another release keeps the search.
    await release(page, '#ref-version', '2018.11');
    await page.waitForFunction(() => document.getElementById('ref-rules-title').textContent.endsWith('2018.11'));
    result.m2018_11_replication = { count: await count(page), cards: await cards(page) };

    // Compare two releases.
    await release(page, '#ref-from', '2018.11');
    await release(page, '#ref-to', '2020.2');
    await page.waitForFunction(() => document.getElementById('ref-diff-title').textContent === 'Migrate 2018.11 -> 2020.2');
    result.diff_2018_11_2020_2 = await diff(page);
    await release(page, '#ref-from', '12.2');
    await release(page, '#ref-to', '2019.5');
    await page.waitForFunction(() => document.getElementById('ref-diff-title').textContent === 'Migrate 12.2 -> 2019.5');
    result.diff_12_2_2019_5 = await diff(page);

    // Screenshots: the search and the diff, wide and on a phone.
    await search(page, 'replication');
    await page.screenshot({ path: path.join(out, 'reference-1440.png'), fullPage: false });
    await page.$eval('#ref-diff-heading', (e) => e.scrollIntoView());
    await page.screenshot({ path: path.join(out, 'reference-diff-1440.png'), fullPage: false });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(300);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(out, 'reference-390.png'), fullPage: false });
    await page.$eval('#ref-rules li.ref-rule:nth-child(2)', (e) => e.scrollIntoView());
    await page.screenshot({ path: path.join(out, 'reference-cards-390.png'), fullPage: false });
    await page.$eval('#ref-diff-heading', (e) => e.scrollIntoView());
    await page.screenshot({ path: path.join(out, 'reference-diff-390.png'), fullPage: false });
    result.width_390 = await page.evaluate(() => document.documentElement.scrollWidth);
    await page.setViewportSize({ width: 1440, height: 900 });

    // Another product: its releases in every picker.
    await page.selectOption('#ref-product', 'protect');
    await page.waitForFunction(() => document.getElementById('ref-rules-title').textContent.includes('Protect'));
    result.protect_versions = { version: await options(page, '#ref-version'), from: await options(page, '#ref-from'), to: await options(page, '#ref-to') };
    await search(page, '');
    result.protect = { title: await page.textContent('#ref-rules-title'), version: await page.inputValue('#ref-version'), count: await count(page), cards: await cards(page) };

    // Another version, typed: listed by version order under the core's warning.
    await page.selectOption('#ref-product', 'migrate');
    await page.waitForFunction(() => document.getElementById('ref-rules-title').textContent.includes('Migrate'));
    await page.selectOption('#ref-version', 'other');
    await page.waitForSelector('#ref-version-text', { state: 'visible' });
    // The text field comes next in the tab order (the focus stays on the picker).
    await page.focus('#ref-version');
    await page.keyboard.press('Tab');
    result.other_focus = await page.evaluate(() => document.activeElement.id);
    result.other_empty = await page.textContent('#ref-version-warning');
    await page.fill('#ref-version-text', '2030.1');
    await page.waitForFunction(() => (document.getElementById('ref-rules-title') || {}).textContent === 'Rules of PlateSpin Migrate 2030.1');
    result.other_2030_1 = { warning: await page.textContent('#ref-version-warning'), count: await count(page), cards: await cards(page) };
    await page.fill('#ref-version-text', '2019.x');
    await page.waitForFunction(() => /not a version/.test(document.getElementById('ref-version-warning').textContent));
    result.other_bad = await page.textContent('#ref-version-warning');
    await page.fill('#ref-version-text', '2019.6');
    await page.waitForFunction(() => (document.getElementById('ref-rules-title') || {}).textContent === 'Rules of PlateSpin Migrate 2019.6');
    await page.screenshot({ path: path.join(out, 'reference-other-1440.png'), fullPage: false });
    await page.selectOption('#ref-version', '2020.2');
    await page.waitForSelector('#ref-version-text', { state: 'hidden' });
    result.other_hidden_again = !(await page.isVisible('#ref-version-text'));

    // Direct addresses: #reference opens the mode; #reference=product/version picks them.
    for (const [key, hash, width] of [['hash_plain', '#reference', 1440], ['hash_known', '#reference=protect/11.2.1', 1440], ['hash_typed', '#reference=migrate/2019.6', 390]]) {
      const p = await context.newPage();
      p.on('console', (m) => { if (m.type() === 'error') result.console.push(m.text()); });
      p.on('pageerror', (e) => result.console.push('pageerror: ' + e.message));
      p.setDefaultTimeout(30000);
      await p.setViewportSize({ width, height: 844 });
      await p.goto(url + hash);
      await p.waitForSelector('#ref-rules li.ref-rule');
      result[key] = {
        open: !(await p.$eval('#reference', (e) => e.hidden)),
        planner_hidden: await p.$eval('#planner', (e) => e.hidden),
        product: await p.inputValue('#ref-product'),
        version: await p.inputValue('#ref-version'),
        typed: await p.isVisible('#ref-version-text') ? await p.inputValue('#ref-version-text') : null,
        title: await p.textContent('#ref-rules-title'),
        warning: await p.$eval('#ref-version-warning', (e) => e.textContent).catch(() => null),
        count: await count(p), cards: await cards(p),
        width: await p.evaluate(() => document.documentElement.scrollWidth),
      };
      if (key === 'hash_typed') await p.screenshot({ path: path.join(out, 'reference-hash-390.png'), fullPage: false });
      await p.close();
    }

    // axe-core on reference mode (a context that lets the test inject it past the CSP).
    const axeContext = await browser.newContext({ bypassCSP: true, viewport: { width: 1440, height: 900 } });
    const a = await axeContext.newPage();
    a.setDefaultTimeout(30000);
    await a.goto(url);
    await a.waitForSelector('#plan tr.flow');
    await a.click('#reference-toggle');
    await a.waitForSelector('#ref-rules li.ref-rule');
    await a.waitForSelector('#ref-diff-view section.diff-section');
    await a.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
    const axeRun = async () => a.evaluate(async () => {
      const r = await axe.run(document.getElementById('reference'), { resultTypes: ['violations'] });
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
    });
    result.axe_1440 = await axeRun();
    await a.setViewportSize({ width: 390, height: 844 });
    await a.waitForTimeout(300);
    result.axe_390 = await axeRun();
    await axeContext.close();

    // Back to the planner: the plan is still there.
    await page.click('#reference-toggle');
    await page.waitForSelector('#reference', { state: 'hidden' });
    result.back = {
      flows: await page.$$eval('#plan tr.flow', (r) => r.length),
      visible: await page.isVisible('#plan'),
      pressed: await page.getAttribute('#reference-toggle', 'aria-pressed'),
    };
  } catch (e) {
    result.error = String(e && e.stack || e);
  } finally {
    await browser.close();
  }
  fs.writeFileSync(path.join(out, 'result.json'), JSON.stringify(result, null, 2));
  if (result.error) {
    console.error(result.error);
    process.exit(1);
  }
})();
