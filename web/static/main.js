// Loads the planner. A separate file (not an inline script) so the page's
// Content-Security-Policy can forbid inline scripts.
import init from './pkg/portplan_web.js';

// The second wasm module (diagram, PDF checklist, reports), imported on first use:
// a same-origin module, as the CSP's script-src 'self' allows. The planner calls this
// (see web/src/exports.rs); the module is loaded and initialised once.
let exportsModule;
globalThis.portplanExports = () => {
  exportsModule ??= import('./exports/portplan_web_exports.js')
    .then(async (m) => { await m.default(); return m; })
    .catch((e) => { exportsModule = undefined; throw e; });
  return exportsModule;
};

// The third wasm module, the XLSX change request (its workbook library is 280 KiB gz),
// imported only when its download is clicked (see web/src/exports.rs).
let xlsxModule;
globalThis.portplanXlsx = () => {
  xlsxModule ??= import('./xlsx/portplan_web_xlsx.js')
    .then(async (m) => { await m.default(); return m; })
    .catch((e) => { xlsxModule = undefined; throw e; });
  return xlsxModule;
};

init().catch((e) => {
  const app = document.getElementById('app');
  app.textContent = 'The planner could not start: ' + e;
});

// Print gives the results with every source and note expanded: details that are
// closed open for the printout and close again afterwards.
addEventListener('beforeprint', () => {
  for (const d of document.querySelectorAll('details:not([open])')) {
    d.open = true;
    d.dataset.printOpened = '1';
  }
});
addEventListener('afterprint', () => {
  for (const d of document.querySelectorAll('details[data-print-opened]')) {
    d.open = false;
    delete d.dataset.printOpened;
  }
});
