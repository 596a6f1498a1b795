// A few DOM helpers for the console: elements are built with textContent and properties only,
// never from HTML strings, so API data cannot inject markup (and the CSP forbids inline code).

type Child = Node | string | number | null | undefined | false | Child[];
type Attrs = Record<string, string | number | boolean | EventListener | null | undefined>;

function append(parent: Node, child: Child): void {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) child.forEach((c) => append(parent, c));
  else parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
}

function setAttrs(el: Element, attrs: Attrs): void {
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(key.slice(2).toLowerCase(), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
}

/** `h('td', {class: 'num'}, 42)`: an HTML element; `on…` attributes are event listeners. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An SVG element (charts). */
export function svg(tag: string, attrs: Attrs = {}, ...children: Child[]): SVGElement {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

/** Replaces an element's children. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** An ISO time as local `YYYY-MM-DD HH:MM:SS`; empty for null. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** A status word as a coloured badge (the colour comes from the stylesheet, by class). */
export const badge = (word: string): HTMLElement =>
  h('span', { class: `badge badge-${word.replace(/[^a-z_]/g, '')}` }, word);

/** A labelled form control. */
export const field = (label: string, control: HTMLElement): HTMLElement =>
  h('label', { class: 'field' }, h('span', {}, label), control);

/** A table with a header row; `rows` are arrays of cells. */
export function table(headers: string[], rows: Child[][], empty = 'Nothing to show.'): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'empty' }, empty);
  const body = rows.map((cells) =>
    cells.map((c) =>
      c instanceof HTMLTableCellElement ? c : h('td', { class: typeof c === 'number' ? 'num' : null }, c),
    ),
  );
  // A column of numbers is right-aligned, its heading too.
  const numeric = headers.map((_, i) => body.every((cells) => cells[i]?.classList.contains('num')));
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          headers.map((t, i) => h('th', { class: numeric[i] ? 'num' : null }, t)),
        ),
      ),
      h(
        'tbody',
        {},
        body.map((cells) => h('tr', {}, cells)),
      ),
    ),
  );
}

/** A progress bar; the width is set through the CSSOM, which the style CSP allows. */
export function progressBar(percent: number): HTMLElement {
  const inner = h('div', { class: 'bar-fill' });
  inner.style.width = `${Math.max(0, Math.min(100, percent))}%`;
  return h(
    'div',
    { class: 'bar', role: 'progressbar', 'aria-valuenow': percent, 'aria-valuemin': 0, 'aria-valuemax': 100 },
    inner,
  );
}

/** A count with thousands separators (1,234,567), the same in every locale. */
export const num = (n: number): string => n.toLocaleString('en-US');

/** Asks before a destructive action; true when the person confirmed. */
export const confirmed = (question: string): boolean => window.confirm(question);

/** A two-column table of names and values (settings, headers, fields). */
export const pairs = (rows: [string, Child][], empty = 'Nothing to show.'): HTMLElement =>
  table(
    ['name', 'value'],
    rows.map(([k, v]) => [h('span', { class: 'mono' }, k), v]),
    empty,
  );
