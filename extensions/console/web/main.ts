// The web console's shell: session check (nothing is shown without one), navigation by hash
// (#/host, #/pipelines, …), light/dark theme, keyboard shortcuts.
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { logout, setAuthLost, startSession, type SessionInfo } from './api.js';
import { h } from './dom.js';
import { Scope } from './live.js';
import type { Page } from './page.js';
import { alertsPage } from './pages/alerts.js';
import { checksPage } from './pages/checks.js';
import { hostPage } from './pages/host.js';
import { logsPage } from './pages/logs.js';
import { pipelinesPage } from './pages/pipelines.js';
import { queryPage } from './pages/query.js';

const PAGES: Page[] = [hostPage, pipelinesPage, alertsPage, checksPage, logsPage, queryPage];

type Theme = 'auto' | 'light' | 'dark';
function applyTheme(t: Theme): void {
  const dark = t === 'dark' || (t === 'auto' && matchMedia('(prefers-color-scheme: dark)').matches);
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
}
let theme: Theme = (localStorage.getItem('telemd.theme') as Theme | null) ?? 'auto';
applyTheme(theme);

const main = h('main', { id: 'main', tabindex: '-1' });
let scope: Scope | undefined;
let current: Page | undefined;

function route(): void {
  const [path, query] = location.hash.replace(/^#\/?/, '').split('?');
  const page = PAGES.find((p) => p.id === path) ?? PAGES[0]!;
  scope?.close();
  main.replaceChildren();
  scope = new Scope();
  current = page;
  document.title = `${page.title} · telemd`;
  for (const a of document.querySelectorAll<HTMLAnchorElement>('nav a[data-page]')) {
    if (a.dataset.page === page.id) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  main.dataset.page = page.id;
  page.mount(main, scope, new URLSearchParams(query ?? ''));
}

function help(): void {
  const existing = document.getElementById('help');
  if (existing) return void existing.remove();
  const rows: [string, string][] = [
    ...PAGES.map((p, i) => [`${i + 1} or g ${p.key}`, p.title] as [string, string]),
    ['[ ]', 'narrower / wider time range'],
    ['← →', 'earlier / later'],
    ['Esc', 'back to live; close panels'],
    ['drag on a chart', 'zoom into that span'],
    ['/', 'focus the query box'],
    ['t', 'theme: auto, light, dark'],
    ['?', 'this help'],
  ];
  const dlg = h('div', { id: 'help', class: 'modal', role: 'dialog', 'aria-label': 'keyboard shortcuts' }, h('div', { class: 'card' }, h('h3', {}, 'Keyboard'), h('table', {}, ...rows.map(([k, v]) => h('tr', {}, h('td', {}, h('kbd', {}, k)), h('td', {}, v)))), h('button', { class: 'btn', onclick: () => dlg.remove() }, 'Close')));
  document.body.append(dlg);
  dlg.querySelector('button')?.focus();
}

let pendingG = false;
function onKey(e: KeyboardEvent): void {
  const t = e.target as HTMLElement;
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  if (t.closest('input, textarea, select, [contenteditable]')) {
    if (e.key === 'Escape') t.blur();
    return;
  }
  if (e.key === 'Escape' && document.getElementById('help')) return void document.getElementById('help')!.remove();
  if (pendingG) {
    pendingG = false;
    const p = PAGES.find((x) => x.key === e.key);
    if (p) {
      location.hash = `#/${p.id}`;
      e.preventDefault();
      return;
    }
  }
  if (e.key === 'g') return void (pendingG = true);
  if (/^[1-9]$/.test(e.key) && PAGES[Number(e.key) - 1]) {
    location.hash = `#/${PAGES[Number(e.key) - 1]!.id}`;
    return;
  }
  if (e.key === '?') return help();
  if (e.key === 't') {
    theme = theme === 'auto' ? 'light' : theme === 'light' ? 'dark' : 'auto';
    localStorage.setItem('telemd.theme', theme);
    applyTheme(theme);
    themeBtn.textContent = themeLabel();
    route(); // charts take their colours from the theme
    return;
  }
  if (e.key === '/') {
    location.hash = '#/query';
    e.preventDefault();
    return;
  }
  if (current?.onKey?.(e)) e.preventDefault();
}

const themeLabel = () => `◐ ${theme}`;
const themeBtn = h('button', { class: 'btn ghost', title: 'theme (t)', onclick: () => onKey(new KeyboardEvent('keydown', { key: 't' })) }, themeLabel());

function shell(s: SessionInfo): void {
  const nav = h(
    'nav',
    { 'aria-label': 'pages' },
    ...PAGES.map((p, i) => h('a', { href: `#/${p.id}`, 'data-page': p.id, title: `${p.title} (${i + 1})` }, p.title)),
  );
  const header = h(
    'header',
    { class: 'top' },
    h('a', { class: 'skip', href: '#main', onclick: (e: Event) => (e.preventDefault(), main.focus()) }, 'Skip to content'),
    h('span', { class: 'brand' }, 'telemd'),
    nav,
    h('span', { class: 'spacer' }),
    themeBtn,
    h('button', { class: 'btn ghost', title: 'keyboard shortcuts (?)', onclick: help }, '?'),
    h('span', { class: 'user', title: s.expires ? `session until ${s.expires}` : '' }, s.user),
    h('button', { class: 'btn ghost', onclick: () => void logout() }, 'Log out'),
  );
  document.body.replaceChildren(header, main);
  addEventListener('hashchange', route);
  addEventListener('keydown', onKey);
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => theme === 'auto' && (applyTheme(theme), route()));
  route();
}

function loggedOut(): void {
  scope?.close();
  document.body.replaceChildren(
    h('div', { class: 'login card', role: 'alert' }, h('h1', {}, 'Log in to the telemd console'), h('p', {}, 'Run ', h('code', {}, 'telemd console'), ' on this host and open the link it prints (', h('code', {}, 'telemd console --open'), ' opens it). The link works once.')),
  );
}

setAuthLost(loggedOut);
startSession().then(shell, loggedOut);
