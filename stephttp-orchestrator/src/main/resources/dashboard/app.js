// stephttp dashboard: plain ES modules served by the orchestrator, no build step.
// It is one client of the management API (docs/management-api.md, /api/v2) and runs under a strict
// same-origin CSP: no inline scripts or styles, and all data enters the page as text (dom.js).
//
//   app.js        entry point: hash router (#/runs, #/runs/<id>, #/events, #/events/<id>,
//                 #/functions, #/login), session state and the header
//   api.js        fetch wrapper: envelope, error arrays, 401 -> sign-in
//   dom.js        element builder, local-time and duration formatting, code blocks
//   components.js badges, run table, empty/error states, dialog, toasts, polling
//   runs.js, run.js, events.js, functions.js, login.js   one module per page
import { api, onUnauthorized } from './api.js';
import { h, replace } from './dom.js';
import { toast, emptyState } from './components.js';
import { mountRuns } from './runs.js';
import { mountRun } from './run.js';
import { mountEvents, mountEvent } from './events.js';
import { mountFunctions } from './functions.js';
import { mountLogin } from './login.js';

const main = document.getElementById('main');
const sessionEl = document.getElementById('session');
const session = { mode: null, environment: null, expiresAt: null }; // mode: DEV, SESSION, SIGNING_KEY, UNKNOWN
let current = null;
let returnTo = '#/runs';
let firstRoute = true;

const ROUTES = [
  { re: /^\/runs\/([^/]+)$/, mount: mountRun, nav: 'runs', title: 'Run' },
  { re: /^\/runs$/, mount: mountRuns, nav: 'runs', title: 'Runs' },
  { re: /^\/events\/([^/]+)$/, mount: mountEvent, nav: 'events', title: 'Event' },
  { re: /^\/events$/, mount: mountEvents, nav: 'events', title: 'Events' },
  { re: /^\/functions$/, mount: mountFunctions, nav: 'functions', title: 'Functions' },
  { re: /^\/login$/, mount: (root, ctx) => mountLogin(root, ctx, signedIn), nav: null, title: 'Sign in' },
];

function parseHash() {
  const raw = window.location.hash.replace(/^#/, '');
  const i = raw.indexOf('?');
  return { path: i < 0 ? raw : raw.slice(0, i), query: new URLSearchParams(i < 0 ? '' : raw.slice(i + 1)) };
}

function route() {
  const { path, query } = parseHash();
  if (path === '' || path === '/') {
    window.location.replace('#/runs');
    return;
  }
  if (current) {
    current.controller.abort();
    if (current.cleanup) current.cleanup();
    current = null;
  }
  const controller = new AbortController();
  const match = ROUTES.map((r) => ({ r, m: path.match(r.re) })).find((x) => x.m);
  document.body.classList.toggle('on-login', !!match && match.r.nav === null);
  renderSession();
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (match && a.getAttribute('data-nav') === match.r.nav) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  main.replaceChildren();
  if (!match) {
    document.title = 'Not found · stephttp';
    replace(main, h('h1', { tabindex: -1 }, 'Page not found'),
      emptyState(`Nothing lives at #${path}.`, 'Use the navigation above.'));
  } else {
    document.title = `${match.r.title} · stephttp`;
    let params = {};
    if (match.m[1] !== undefined) {
      try { params = { id: decodeURIComponent(match.m[1]) }; } catch { params = { id: match.m[1] }; }
    }
    const cleanup = match.r.mount(main, { params, query, signal: controller.signal });
    current = { controller, cleanup };
  }
  // Move focus to the new content so keyboard and screen-reader users land on it.
  if (!firstRoute && !(match && match.r.nav === null)) main.focus({ preventScroll: true });
  firstRoute = false;
  window.scrollTo(0, 0);
}

function signedIn(data) {
  session.mode = data && data.authMode ? data.authMode : 'SESSION';
  session.expiresAt = data ? data.expiresAt : null;
  const target = returnTo && !returnTo.startsWith('#/login') ? returnTo : '#/runs';
  returnTo = '#/runs';
  loadSession();
  window.location.hash = target;
}

async function signOut() {
  try {
    await api('/logout', { method: 'POST' });
  } catch (err) {
    toast(`Signing out failed: ${err.message}`, 'error');
    return;
  }
  session.mode = null;
  session.environment = null;
  returnTo = '#/runs';
  window.location.hash = '#/login';
  toast('Signed out.');
}

function renderSession() {
  const onLogin = document.body.classList.contains('on-login');
  const parts = [];
  if (session.environment) {
    parts.push(h('span', { class: 'env', title: 'Environment' }, session.environment));
  }
  if (session.mode === 'DEV') {
    parts.push(h('span', { class: 'env env-dev', title: 'Dev mode: no authentication' }, 'dev mode'));
  } else if (!onLogin && session.mode !== null) {
    parts.push(h('button', { type: 'button', class: 'btn btn-quiet', onclick: signOut }, 'Sign out'));
  }
  replace(sessionEl, parts);
}

/**
 * Finds out whether the browser is signed in with one request, before any view loads: a
 * signed-out visitor then costs the server one 401 (each is charged to the per-IP failure
 * bucket, docs/management-api.md §4.4) instead of one per view request. /session is a SHOULD route;
 * when it is missing (404), a one-item app list answers the same question.
 */
async function loadSession() {
  try {
    const res = await api('/session');
    session.mode = res.data.authMode;
    session.environment = res.data.environment || null;
    session.expiresAt = res.data.expiresAt || null;
  } catch (err) {
    if (err.status === 401) {
      session.mode = null; // onUnauthorized has switched to #/login
    } else if (err.status === 404) {
      try {
        await api('/apps', { query: { limit: 1 } });
        session.mode = 'UNKNOWN'; // signed in, or dev mode: keep "Sign out" available
      } catch (probeErr) {
        if (probeErr.status !== 401) session.mode = 'UNKNOWN'; // let the view show the error
      }
    } else {
      session.mode = 'UNKNOWN';
    }
  }
  renderSession();
}

onUnauthorized(() => {
  session.mode = null;
  if (!window.location.hash.startsWith('#/login')) {
    returnTo = window.location.hash || '#/runs';
    window.location.hash = '#/login';
  }
});

document.getElementById('skip').addEventListener('click', (e) => {
  e.preventDefault();
  main.focus();
});
async function start() {
  if (!window.location.hash.startsWith('#/login')) await loadSession();
  window.addEventListener('hashchange', route);
  route();
}

start();
