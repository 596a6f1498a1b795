// The web console's entry: the login screen or the shell (navigation, the current page), routed
// by the address's hash (#/triggers, #/messages?trigger_id=96 …). Every datum comes from the
// public API through the client.
import type { HeraldClient } from '../client/index.js';
import { chartsPage } from './charts-page.js';
import { databasesPage, resourcesPage, sendersPage } from './settings-pages.js';
import { messagePage } from './message-page.js';
import { templatesPage } from './templates-page.js';
import { fill, h } from './dom.js';
import { loginPage } from './login-page.js';
import { messagesPage } from './messages-page.js';
import { stopListsPage } from './stop-lists-page.js';
import { errorText, isAuthError, type Page, type PageContext } from './page.js';
import { profilesPage } from './profiles-page.js';
import { clientFor, forgetToken, savedToken } from './session.js';
import { tasksPage } from './tasks-page.js';
import { triggersPage } from './triggers-page.js';

/** The pages; those without a place in the navigation are reached by links (a message's detail). */
const PAGES: { id: string; title: string; page: Page; nav?: false }[] = [
  { id: 'triggers', title: 'Triggers', page: triggersPage },
  { id: 'messages', title: 'Messages', page: messagesPage },
  { id: 'message', title: 'Message', page: messagePage, nav: false },
  { id: 'profiles', title: 'Profiles', page: profilesPage },
  { id: 'templates', title: 'Templates', page: templatesPage },
  { id: 'databases', title: 'Databases', page: databasesPage },
  { id: 'resources', title: 'Resources', page: resourcesPage },
  { id: 'senders', title: 'Senders', page: sendersPage },
  { id: 'stoplists', title: 'Stop lists', page: stopListsPage },
  { id: 'tasks', title: 'Tasks', page: tasksPage },
  { id: 'charts', title: 'Charts', page: chartsPage },
];

const app = document.getElementById('app') as HTMLElement;
let dispose: (() => void) | undefined;
let loginNotice: string | undefined;
/** The signed-in account's name (account/get), read once per sign-in. */
let accountName: Promise<string> | undefined;

function route(): { id: string; params: URLSearchParams } {
  const hash = location.hash.replace(/^#\/?/, '');
  const [id, query] = hash.split('?', 2);
  return { id: PAGES.some((p) => p.id === id) ? id : 'triggers', params: new URLSearchParams(query ?? '') };
}

function navigate(page: string, params: Record<string, string | number | undefined> = {}): void {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const target = `#/${page}${q.toString() ? `?${q.toString()}` : ''}`;
  if (location.hash === target) render();
  else location.hash = target;
}

function logout(notice?: string): void {
  forgetToken();
  accountName = undefined;
  loginNotice = notice;
  render();
}

/** The navigation of the shell, the current page's link marked (a message's, that of the messages). */
function navigation(id: string): HTMLElement {
  return h(
    'nav',
    {},
    PAGES.filter((p) => p.nav !== false).map((p) =>
      h(
        'a',
        {
          href: `#/${p.id}`,
          class: p.id === id || (id === 'message' && p.id === 'messages') ? 'active' : '',
          'data-page': p.id,
        },
        p.title,
      ),
    ),
  );
}

/** Shows the signed-in account's name in `account`, read once per sign-in. */
function showAccount(client: HeraldClient, account: HTMLElement): void {
  accountName ??= client.call('account/get', {}).then((r) => r.data.name ?? `account ${r.data.id}`);
  accountName.then(
    (name) => (account.textContent = name),
    () => (accountName = undefined),
  );
}

/** What the page gets; its errors show in `errors`, and a refused token signs out. */
function pageContext(client: HeraldClient, params: URLSearchParams, errors: HTMLElement): PageContext {
  return {
    client,
    params,
    navigate,
    fail(err) {
      if (isAuthError(err)) return logout(`The token was refused: ${errorText(err)}`);
      fill(
        errors,
        h(
          'p',
          { class: 'error' },
          errorText(err),
          ' ',
          h('button', { type: 'button', class: 'link', onclick: () => fill(errors) }, 'dismiss'),
        ),
      );
    },
  };
}

function renderLogin(): void {
  document.title = 'Herald console — sign in';
  fill(
    app,
    loginPage(() => render(), loginNotice),
  );
  loginNotice = undefined;
}

function render(): void {
  dispose?.();
  dispose = undefined;
  const token = savedToken();
  if (!token) return renderLogin();
  const { id, params } = route();
  const current = PAGES.find((p) => p.id === id)!;
  document.title = `Herald console — ${current.title}`;
  const errors = h('div', { class: 'errors', role: 'alert' });
  const main = h('main', { id: `page-${id}` });
  const account = h('span', { class: 'account', id: 'account-name' });
  fill(
    app,
    h(
      'div',
      { class: 'topbar' },
      h('span', { class: 'brand' }, 'Herald'),
      account,
      navigation(id),
      h('button', { type: 'button', class: 'link', id: 'logout', onclick: () => logout() }, 'Sign out'),
    ),
    errors,
    main,
  );
  const client = clientFor(token);
  showAccount(client, account);
  dispose = current.page(main, pageContext(client, params, errors)) ?? undefined;
}

window.addEventListener('hashchange', render);
render();
