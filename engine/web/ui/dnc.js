// Do-not-call: check a phone number or a customer id; an operator also adds and removes.
import { api, atLeast, el, live, say, start } from './app.js';

const session = await start();
live({});
const $ = (id) => document.getElementById(id);
const result = $('dnc-result');
const path = () => `/api/v1/dnc/${$('dnc-kind').value}/${encodeURIComponent($('dnc-value').value.trim())}`;
const what = () => `${$('dnc-kind').value === 'phone' ? 'Phone number' : 'Customer'} ${$('dnc-value').value.trim()}`;

async function run(method, done) {
  if (!$('dnc-form').reportValidity()) return;
  try {
    say(result, `${what()} ${done(await api(method, path()))}`);
  } catch (e) {
    say(result, e.message, true);
  }
}

$('dnc-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  run('GET', (r) => (r.listed ? 'is on the do-not-call list: do not call.' : 'is not on the do-not-call list.'));
});

if (atLeast(session, 'operator')) {
  const add = el('button', { type: 'button', id: 'dnc-add', textContent: 'Add to the list' });
  const remove = el('button', { type: 'button', id: 'dnc-remove', textContent: 'Remove from the list' });
  add.addEventListener('click', () => run('PUT', (r) => (r.added ? 'was added to the do-not-call list.' : 'was on the list already.')));
  remove.addEventListener('click', () => run('DELETE', (r) => (r.removed ? 'was removed from the do-not-call list.' : 'was not on the list.')));
  document.querySelector('#dnc-form .buttons').append(add, remove);
}
