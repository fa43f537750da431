// Campaigns: every campaign of the user's tenants, live; start/stop/pause/resume for a
// supervisor or higher (the buttons are not rendered for a viewer).
import { api, atLeast, campaignCells, el, live, num, rows, say, start } from './app.js';

const session = await start();
const control = atLeast(session, 'supervisor');
const message = document.getElementById('message');
// What each action needs (the engine's states: loaded, running, paused, stopped).
const ACTIONS = {
  start: (s) => s === 'loaded' || s === 'stopped',
  pause: (s) => s === 'running',
  resume: (s) => s === 'paused',
  stop: (s) => s === 'running' || s === 'paused',
};
const LABEL = { start: 'Start', pause: 'Pause', resume: 'Resume', stop: 'Stop' };

if (!control) document.getElementById('actions-h').remove();

async function act(name, action, button) {
  const row = button.closest('tr');
  try {
    const r = await api('POST', `/api/v1/campaigns/${encodeURIComponent(name)}/${action}`);
    say(message, `${LABEL[action]} ${name}: the campaign is ${r.state}.`);
    campaigns.put(await api('GET', `/api/v1/campaigns/${encodeURIComponent(name)}`));
  } catch (e) {
    say(message, `${LABEL[action]} ${name}: ${e.message}`, true);
  }
  // Keep the keyboard in the row when the pressed button turned disabled.
  if (button.disabled) row.querySelector('button:not(:disabled)')?.focus();
}

const buttons = (c) => (cell) => {
  if (!cell.firstChild) {
    cell.className = 'actions';
    cell.append(...Object.keys(ACTIONS).map((a) => {
      const b = el('button', { type: 'button', textContent: LABEL[a], 'aria-label': `${LABEL[a]} ${c.name}`, 'data-action': a });
      b.addEventListener('click', () => act(c.name, a, b));
      return b;
    }));
  }
  for (const b of cell.children) b.disabled = !ACTIONS[b.dataset.action](c.state);
};

const campaigns = rows(document.getElementById('campaigns'), 'campaign', (tr, c) => [
  ...campaignCells(c),
  ['queue', c.queue],
  ['in_flight', num(c.in_flight), true],
  ...(control ? [['actions', buttons(c)]] : []),
], 'No campaigns in your tenants.');

live({
  snapshot: (s) => campaigns.replace(s.campaigns),
  campaign: campaigns.put,
});
