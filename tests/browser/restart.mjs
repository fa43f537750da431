// parleyd stops and starts again on the same port: the open page notices, shows it is
// reconnecting, comes back live by itself (the session is in the database) and follows
// submits again — nobody reloads it.
import { cell, check, driver, login, newPage, run, takeProblems, waitLive } from './lib.mjs';

await run(async () => {
  const page = await newPage();
  await login(page, 'sup', '/');
  await waitLive(page);
  const row = 'table#queues tr[data-queue="sales"]';
  await page.waitForSelector(row);
  await driver('submit acme sales');
  await page.waitForFunction((sel) => document.querySelector(`${sel} td[data-field="waiting"]`)?.textContent.trim() === '1',
    row, { timeout: 2000 });

  await driver('restart');
  await page.waitForSelector('#live-status:not([data-state="live"])', { timeout: 10000 }).catch(() => {});
  await waitLive(page, 20000);
  check(true, 'the page is live again after the restart');
  takeProblems();  // the refused connections while parleyd was down are expected

  const was = Number(await cell(page, row, 'waiting'));
  await driver('submit acme sales');
  await page.waitForFunction(([sel, want]) => document.querySelector(`${sel} td[data-field="waiting"]`)?.textContent.trim() === want,
    [row, String(was + 1)], { timeout: 2000 });
  check(true, `a submit after the restart shows (${was} -> ${was + 1} waiting)`);
  check(new URL(page.url()).pathname === '/', 'still on the same page, never sent to the login');
});
