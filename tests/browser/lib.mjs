// What the browser test scripts share: Debian's chromium through playwright-core, a
// logged-in page, and requests to the C++ driver (tests/integration/browser_test.cpp) that
// owns parleyd: `await driver('submit acme sales')` prints "@@ submit acme sales" and waits
// for the driver's "ok" on stdin.
import { chromium } from 'playwright-core';
import { createInterface } from 'node:readline';

export const url = process.argv[2];
export const password = 'correct-horse-battery';  // web::pw in tests/integration/web_support.hpp

const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

export async function driver(request) {
  process.stdout.write(`@@ ${request}\n`);
  const { value, done } = await lines.next();
  if (done || !value.startsWith('ok'))
    throw new Error(`the driver refused "${request}": ${done ? 'no answer' : value}`);
  return value.slice(2).trim();
}

export function log(...what) {
  console.log(...what);
}

export function check(condition, what) {
  if (!condition)
    throw new Error(`check failed: ${what}`);
  log(`ok: ${what}`);
}

/// A new page in a fresh context (its own cookies). Script errors, failed requests to the
/// server and Content-Security-Policy violations fail the test (`problems`, checked by run).
const problems = [];
let browser;

export async function newPage(viewport = { width: 1366, height: 768 }) {
  browser ??= await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`script error on ${page.url()}: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text()))
      problems.push(`policy violation on ${page.url()}: ${m.text()}`);
  });
  return page;
}

/// Problems the pages had so far; `allow` drops the expected ones (e.g. while parleyd
/// restarts the browser reports the refused connections).
export function takeProblems() {
  return problems.splice(0);
}

export async function login(page, user, next = '/') {
  await page.goto(`${url}/login.html?next=${encodeURIComponent(next)}`);
  await page.fill('#user', user);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL((u) => !u.pathname.endsWith('/login.html')), page.press('#password', 'Enter')]);
  await page.waitForFunction(() => document.querySelector('#whoami')?.textContent.trim().length > 0);
}

export async function waitLive(page, timeout = 5000) {
  await page.waitForSelector('#live-status[data-state="live"]', { timeout });
}

/// The text of a cell: `row` a CSS selector of the row, `field` its data-field.
export async function cell(page, row, field) {
  return (await page.textContent(`${row} td[data-field="${field}"]`))?.trim();
}

/// An API request from inside `page`, with its session and CSRF token: {status, body}.
export function call(page, method, path, body) {
  return page.evaluate(async ([m, p, b]) => {
    const { csrf } = await (await fetch('/api/v1/session')).json();
    const r = await fetch(p, { method: m, headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: b && JSON.stringify(b) });
    const t = await r.text();
    return { status: r.status, body: t ? JSON.parse(t) : null };
  }, [method, path, body]);
}

/// Runs the test body, then fails on any problem the pages reported; exits 0 or 1.
export async function run(body, limitMs = 150000) {
  const timer = setTimeout(() => {
    console.error(`the script ran over ${limitMs} ms`);
    process.exit(1);
  }, limitMs);
  let code = 0;
  try {
    await body();
    const left = takeProblems();
    if (left.length)
      throw new Error(`the pages reported:\n${left.join('\n')}`);
  } catch (e) {
    console.error(e.stack ?? String(e));
    code = 1;
  }
  clearTimeout(timer);
  await browser?.close();
  process.exit(code);
}
