// The sign-in form: a token is accepted when a read call succeeds with it; it is then kept in
// sessionStorage for this tab only.
import { clientFor, saveToken } from './session.js';
import { field, h } from './dom.js';
import { errorText } from './page.js';

export function loginPage(done: () => void, notice?: string): HTMLElement {
  const input = h('input', {
    type: 'password',
    name: 'token',
    id: 'token',
    autocomplete: 'off',
    required: true,
    placeholder: 'API token',
  });
  const message = h('p', { class: 'error', role: 'alert' }, notice ?? '');
  const button = h('button', { type: 'submit' }, 'Sign in');
  const form = h(
    'form',
    {
      class: 'login',
      onsubmit: (e: Event) => {
        e.preventDefault();
        const token = input.value.trim();
        if (!token) return;
        button.disabled = true;
        message.textContent = '';
        clientFor(token)
          .call('campaigns/triggers/list', { limit: 1 })
          .then(() => {
            saveToken(token);
            done();
          })
          .catch((err: unknown) => {
            message.textContent = errorText(err);
            button.disabled = false;
          });
      },
    },
    h('h1', {}, 'Herald console'),
    h('p', { class: 'muted' }, 'Sign in with an API token of your account. It is kept in this tab only.'),
    field('Token', input),
    button,
    message,
  );
  queueMicrotask(() => input.focus());
  return h('div', { class: 'login-wrap' }, form);
}
