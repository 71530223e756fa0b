// The diagram's zoom on a phone, in Debian's headless Chromium (playwright-core).
// Driven by tests/tests/browser_zoom.rs, which makes the assertions: at 390 px the
// diagram fits, the keyboard zooms it in (the figure then scrolls sideways, the page
// does not get wider), the arrow keys scroll it, and Fit brings it back.
//
// usage: node zoom.cjs <site-url> <artifact-dir>
'use strict';
const { record, session } = require('./chromium.cjs');
const fs = require('fs');
const path = require('path');

const [url, out] = process.argv.slice(2);
if (!url || !out) {
  console.error('usage: node zoom.cjs <site-url> <artifact-dir>');
  process.exit(2);
}

const measure = (page) => page.evaluate(() => {
  const fig = document.getElementById('diagram');
  const svg = fig.querySelector('svg');
  const text = [...svg.querySelectorAll('text')].map((t) => t.getBoundingClientRect().height).filter((h) => h > 0);
  return {
    figure: fig.clientWidth, svg: svg.getBoundingClientRect().width,
    scroll_width: fig.scrollWidth, scroll_left: fig.scrollLeft,
    page_width: document.documentElement.scrollWidth,
    label_px: text.length ? Math.min(...text) : 0,
    level: document.getElementById('diagram-zoom-level').textContent,
    zoom_out_disabled: document.getElementById('diagram-zoom-out').disabled,
    zoom_in_disabled: document.getElementById('diagram-zoom-in').disabled,
    focus: document.activeElement && document.activeElement.id,
  };
});

session(out, { console: [] }, async (browser, result) => {
    for (const width of [390, 1440]) {
      const context = await browser.newContext({ viewport: { width, height: 844 } });
      const page = await context.newPage();
      record(page, result.console);
      page.setDefaultTimeout(30000);
      await page.goto(url);
      await page.waitForSelector('#diagram svg');
      const r = {};
      r.fit = await measure(page);
      // Keyboard only: focus "+" and press Enter twice (150 %, 200 %).
      await page.focus('#diagram-zoom-in');
      await page.keyboard.press('Enter');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.getElementById('diagram').dataset.zoom === '200');
      r.zoomed = await measure(page);
      // Tab on to the figure and scroll it with the arrow keys.
      await page.focus('#diagram');
      for (let i = 0; i < 8; i++) await page.keyboard.press('ArrowRight');
      await page.waitForTimeout(300);
      r.scrolled = await measure(page);
      await page.$eval('#diagram-section', (e) => e.scrollIntoView());
      await page.screenshot({ path: path.join(out, `zoom-${width}.png`) });
      // An edit redraws the SVG; the zoom stays.
      await page.fill('#f-workloads-0-address', '10.0.1.99');
      await page.press('#f-workloads-0-address', 'Enter');
      await page.waitForFunction(() => document.querySelector('#diagram svg').outerHTML.includes('10.0.1.99'));
      r.after_edit = await measure(page);
      await page.click('#diagram-zoom-fit');
      r.back = await measure(page);
      result[`w${width}`] = r;
      await context.close();
    }
});
