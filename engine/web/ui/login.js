// Log in: POST /api/v1/session, then back to the page that sent us here (same origin only).
const form = document.getElementById('login-form');
const error = document.getElementById('login-error');

function next() {
  const to = new URLSearchParams(location.search).get('next') ?? '/';
  if (!to.startsWith('/') || to.startsWith('//') || to.startsWith('/\\')) return '/';
  const url = new URL(to, location.origin);
  return url.origin === location.origin ? url.pathname + url.search + url.hash : '/';
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  error.textContent = '';
  const button = form.querySelector('button');
  button.disabled = true;
  try {
    const res = await fetch('/api/v1/session', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user: form.user.value.trim(), password: form.password.value }),
      credentials: 'same-origin',
    });
    if (res.ok) return location.replace(next());
    let message = `The engine answered ${res.status}.`;
    if (res.status === 429) message = 'Too many failed logins: try again in a minute.';
    else if (res.status === 401) message = 'Wrong user name or password.';
    else try { message = (await res.json()).error.message; } catch { /* not JSON */ }
    error.textContent = message;
    form.password.select();
  } catch {
    error.textContent = 'The engine cannot be reached: try again in a moment.';
  } finally {
    button.disabled = false;
  }
});
