// #/login: exchanges the signing key for an HttpOnly session cookie (docs/management-api.md §3.3).
// The key is sent once and never stored by the page.
import { api } from './api.js';
import { h, replace } from './dom.js';

export function mountLogin(root, ctx, onSignedIn) {
  const input = h('input', {
    id: 'signing-key', name: 'signingKey', type: 'password', autocomplete: 'current-password',
    spellcheck: 'false', autocapitalize: 'off', required: true, 'aria-describedby': 'login-help login-error',
  });
  const error = h('p', { id: 'login-error', class: 'form-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, 'Sign in');
  const form = h('form', { class: 'card login-card', novalidate: true, 'aria-labelledby': 'login-h' },
    h('h1', { id: 'login-h', tabindex: -1 }, 'Sign in'),
    h('p', { class: 'muted' }, 'This orchestrator requires its signing key. The key is exchanged for a session cookie and is not kept in the browser.'),
    h('label', { for: 'signing-key' }, 'Signing key'),
    input,
    h('p', { id: 'login-help', class: 'hint' }, 'The key the orchestrator was started with, such as ', h('code', { class: 'nowrap' }, 'signkey-prod-…'), '.'),
    error,
    submit);

  function showError(message) {
    error.textContent = message;
    input.setAttribute('aria-invalid', message ? 'true' : 'false');
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const key = input.value.trim();
    if (!key) {
      showError('Enter the signing key.');
      input.focus();
      return;
    }
    showError('');
    submit.disabled = true;
    submit.textContent = 'Signing in…';
    try {
      const res = await api('/login', { method: 'POST', body: { signingKey: key }, signal: ctx.signal });
      input.value = '';
      onSignedIn(res.data);
    } catch (err) {
      if (err.name === 'AbortError') return;
      if (err.status === 401) showError('That signing key is not valid.');
      else if (err.status === 429) showError(`Too many attempts. Try again in ${err.retryAfter || 60} seconds.`);
      else showError(err.message || 'Signing in failed.');
      input.focus();
      input.select();
    } finally {
      submit.disabled = false;
      submit.textContent = 'Sign in';
    }
  });

  replace(root, h('div', { class: 'login' }, form));
  input.focus();
  return () => {};
}
