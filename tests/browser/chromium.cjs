// One way for the browser tests to start Debian's headless Chromium (playwright-core)
// and to record what a page reports as errors, which every test then requires to be none.
'use strict';
const { chromium } = require('playwright-core');
const fs = require('fs');
const path = require('path');

// Headless Chromium with nothing of its own on the network: no QUIC, no background
// requests, no component updates, no sync (the page must make no foreign request).
exports.launch = () => chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

// Pushes each console error (and warning, with `warnings`) and uncaught error of `page`
// onto `into`.
exports.record = (page, into, { warnings = false } = {}) => {
  page.on('console', (m) => {
    if (m.type() === 'error' || (warnings && m.type() === 'warning')) into.push(m.text());
  });
  page.on('pageerror', (e) => into.push('pageerror: ' + e.message));
};

// Runs `body(browser, result)` in a fresh browser, then writes `result` (what the Rust
// side asserts on) to OUT/result.json and closes the browser, also when `body` throws;
// a throw ends the process with status 1.
exports.session = (out, result, body) => (async () => {
  const browser = await exports.launch();
  try {
    await body(browser, result);
  } finally {
    fs.writeFileSync(path.join(out, 'result.json'), JSON.stringify(result, null, 2));
    await browser.close();
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
