// A supervisor starts and stops a campaign of their tenant with the page's buttons; the
// state comes back through the live stream.
import { cell, check, login, newPage, run, waitLive } from './lib.mjs';

await run(async () => {
  const page = await newPage();
  await login(page, 'sup', '/campaigns.html');
  await waitLive(page);
  const row = 'table#campaigns tr[data-campaign="spring"]';
  await page.waitForSelector(row);
  check(await page.$('table#campaigns tr[data-campaign="renewals"]') === null, "another tenant's campaign is not shown");
  const before = await cell(page, row, 'state');
  check(await page.isEnabled(`${row} button[data-action="start"]`), `start is offered (state ${before})`);
  check(await page.isDisabled(`${row} button[data-action="stop"]`), 'stop is not offered while stopped');

  await page.click(`${row} button[data-action="start"]`);
  await page.waitForFunction((sel) => document.querySelector(`${sel} td[data-field="state"]`)?.textContent.trim() === 'running',
    row, { timeout: 5000 });
  check(true, 'start: the campaign shows running');
  check(await page.isDisabled(`${row} button[data-action="start"]`), 'start is not offered while running');

  await page.click(`${row} button[data-action="stop"]`);
  await page.waitForFunction(([sel, want]) => document.querySelector(`${sel} td[data-field="state"]`)?.textContent.trim() === want,
    [row, 'stopped'], { timeout: 5000 });
  check(true, 'stop: the campaign shows stopped');
  check(await page.isEnabled(`${row} button[data-action="start"]`), 'start is offered again');

  const audit = await page.evaluate(async () => (await fetch('/api/v1/audit?limit=10')).status);
  check(audit === 403, 'a supervisor may not read the audit log (operator)');
});
