// A queue's waiting count changes on the page within a second of a submit over 7120, and
// an agent going ready shows in the agents table — both from the live stream.
import { cell, check, driver, log, login, newPage, run, waitLive } from './lib.mjs';

await run(async () => {
  const page = await newPage();
  await login(page, 'sup', '/queues.html');
  await waitLive(page);
  const row = 'table#queues tr[data-queue="sales"]';
  await page.waitForSelector(row);
  check(await cell(page, row, 'waiting') === '0', 'sales shows 0 waiting');
  check(await page.$('table#queues tr[data-queue="claims"]') === null, "another tenant's queue is not shown");

  for (const expected of ['1', '2']) {
    await driver('submit acme sales');
    const t0 = Date.now();
    await page.waitForFunction(
      ([sel, want]) => document.querySelector(`${sel} td[data-field="waiting"]`)?.textContent.trim() === want,
      [row, expected], { timeout: 1000 });
    log(`waiting ${expected} shown ${Date.now() - t0} ms after the submit was acknowledged`);
  }
  check(true, 'each submit shows within a second');

  await driver('agent a1 ready');
  const agent = 'table#agents tr[data-agent="a1"]';
  await page.waitForSelector(agent, { timeout: 2000 });
  // The agent takes a waiting call at once: one fewer waiting.
  await page.waitForFunction(
    (sel) => document.querySelector(`${sel} td[data-field="waiting"]`)?.textContent.trim() === '1', row,
    { timeout: 2000 });
  check(true, 'a ready agent appears and takes a call');
  await driver('agent a1 logout');
  await page.waitForSelector(agent, { state: 'detached', timeout: 3000 });
  check(true, 'a logged-out agent leaves the table');
});
