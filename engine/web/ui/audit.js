// Audit: the newest 200 entries of the audit log, newest first (operator or higher).
import { api, atLeast, el, live, say, start, when } from './app.js';

const session = await start();
live({});
const message = document.getElementById('message');
const table = document.getElementById('audit');

if (!atLeast(session, 'operator')) {
  say(message, `The audit log needs the operator role; you are ${session.role}.`);
} else {
  try {
    const { entries } = await api('GET', '/api/v1/audit?limit=200');
    table.tBodies[0].replaceChildren(...entries.reverse().map((e) => {
      const failed = e.result !== 'ok';
      return el('tr', { className: failed ? 'failed' : '' },
        el('td', { textContent: when(e.time), className: 'nowrap' }), el('td', { textContent: e.user ?? '—' }),
        el('td', { textContent: e.level }), el('td', { textContent: e.command, className: 'mono' }),
        el('td', {}, el('span', { className: 'tag', textContent: failed ? 'Failed' : 'OK' }), ' ', failed ? e.result : ''),
        el('td', { textContent: e.peer, className: 'mono' }));
    }));
    table.hidden = false;
    if (!entries.length) say(message, 'The audit log is empty.');
  } catch (e) {
    say(message, e.status === 403 ? `The audit log needs the operator role: ${e.message}` : e.message, true);
  }
}
