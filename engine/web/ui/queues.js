// Queues & agents: the queues (a queue's waiting interactions on demand) and the
// logged-in agents with their time in state (ticking here) and current interactions.
import { api, duration, el, live, queueTable, rows, say, start, when } from './app.js';

await start();
const message = document.getElementById('message');
const detail = document.getElementById('queue-detail');
const cellsOf = (i) => [String(i.id), i.external_id || '—', i.media, String(i.priority), when(i.submitted)]
  .map((text, n) => el(n ? 'td' : 'th', n ? { textContent: text, className: n === 3 ? 'num' : '' } : { textContent: text, scope: 'row' }));

async function openQueue(name) {
  try {
    const q = await api('GET', `/api/v1/queues/${encodeURIComponent(name)}`);
    document.getElementById('detail-name').textContent = q.name;
    const items = q.waiting_interactions.items;
    document.querySelector('#waiting tbody').replaceChildren(...items.map((i) => el('tr', {}, ...cellsOf(i))));
    document.getElementById('waiting-none').hidden = items.length > 0;
    detail.hidden = false;
    document.getElementById('detail-h').focus();
  } catch (e) {
    say(message, e.message, true);
  }
}
document.getElementById('detail-close').addEventListener('click', () => {
  detail.hidden = true;
  document.querySelector(`#queues tr[data-queue="${CSS.escape(document.getElementById('detail-name').textContent)}"] button`)?.focus();
});

const queues = queueTable(document.getElementById('queues'), openQueue);

// Agents: since = when the agent entered its state.
const since = new Map();
const work = new Map(); // id -> the current interactions' text, read when the state changes
const pending = new Set(); // a burst of changes costs one read per agent every half second
function interactions(id) {
  if (pending.has(id)) return;
  pending.add(id);
  setTimeout(async () => {
    pending.delete(id);
    try {
      const a = await api('GET', `/api/v1/agents/${encodeURIComponent(id)}`);
      const used = Object.entries(a.used).filter(([, n]) => n > 0).map(([m, n]) => `${m} ${n}/${a.capacity[m]}`);
      work.set(id, a.interactions.length ? `${a.interactions.length} (${used.join(', ')})` : 'none');
    } catch (e) {
      if (e.status !== 404) say(message, `Agent ${id}: ${e.message}`, true);
      return;
    }
    const cell = agents.find(id)?.querySelector('[data-field="interactions"]');
    if (cell) cell.textContent = work.get(id);
  }, 500);
}
const agents = rows(document.getElementById('agents'), 'agent', (tr, a) => {
  const changed = tr.dataset.since !== a.since; // a new state, or the same one again
  tr.dataset.since = a.since;
  // in_state_s (GET /agents) or since (the stream), by this browser's clock
  since.set(a.id, a.in_state_s != null ? Date.now() - a.in_state_s * 1000 : Date.parse(a.since));
  return [
    ['id', a.id], ['tenant', a.tenant],
    ['state', (c) => { c.dataset.state = a.state; c.textContent = a.state.replaceAll('_', ' '); }],
    ['reason', a.reason || '—'],
    ['in_state', duration((Date.now() - since.get(a.id)) / 1000), true],
    ['interactions', (c) => { if (changed) interactions(a.id); c.textContent = work.get(a.id) ?? '…'; }],
  ];
}, 'No agent is logged in.', (a) => a.id);

const putAgent = (a) => {
  if (a.state !== 'logged_out') return agents.put(a);
  agents.remove(a.id);
  since.delete(a.id);
  work.delete(a.id);
};
const replaceAgents = (list) => {
  for (const id of [...since.keys()]) if (!list.some((a) => a.id === id)) { since.delete(id); work.delete(id); }
  agents.replace(list);
};
setInterval(() => {
  for (const [id, t] of since) {
    const cell = agents.find(id)?.querySelector('[data-field="in_state"]');
    if (cell) cell.textContent = duration((Date.now() - t) / 1000);
  }
}, 1000);

live({
  snapshot: (s) => { queues.replace(s.queues); replaceAgents(s.agents ?? []); },
  queue: queues.put,
  agent: putAgent,
});
