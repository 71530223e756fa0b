// Loads the planner. A separate file (not an inline script) so the page's
// Content-Security-Policy can forbid inline scripts.
import init from './pkg/portplan_web.js';

init().catch((e) => {
  const app = document.getElementById('app');
  app.textContent = 'The planner could not start: ' + e;
});
