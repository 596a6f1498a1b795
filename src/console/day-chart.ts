// One series per UTC day as an inline SVG of bars with a y axis and a few date labels; each bar
// carries a <title> with its date and value. Colours come from the stylesheet (a class per
// series), so the page's CSP needs no inline style.
import { svg } from './dom.js';
import { niceMax } from './buckets.js';

const W = 460;
const H = 170;
const PAD = { left: 44, right: 8, top: 10, bottom: 26 };

const short = (n: number) => (Number.isInteger(n) ? n.toLocaleString('en-US') : n.toFixed(1));

function axis(y: (v: number) => number, max: number): SVGElement[] {
  return [0, max / 2, max]
    .filter(Number.isInteger)
    .flatMap((v) => [
      svg('line', { class: 'grid', x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v) }),
      svg('text', { class: 'axis', x: PAD.left - 6, y: y(v) + 4, 'text-anchor': 'end' }, short(v)),
    ]);
}

export function dayChart(
  seriesId: string,
  label: string,
  points: readonly { date: string; value: number }[],
): SVGElement {
  const max = niceMax(Math.max(0, ...points.map((p) => p.value)));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const step = plotW / Math.max(1, points.length);
  const barW = Math.max(1, step * 0.75);
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const parts = axis(y, max);
  const every = Math.max(1, Math.ceil(points.length / 5));
  points.forEach((p, i) => {
    const x = PAD.left + i * step;
    const group = svg(
      'g',
      { class: 'day', 'data-date': p.date, 'data-value': p.value },
      svg('title', {}, `${p.date}: ${p.value.toLocaleString('en-US')} ${label.toLowerCase()}`),
    );
    if (p.value > 0)
      group.appendChild(
        svg('rect', {
          class: `bar bar-${seriesId}`,
          x: x + (step - barW) / 2,
          width: barW,
          y: y(p.value),
          height: y(0) - y(p.value),
        }),
      );
    // An invisible full-height target, so the tooltip shows over empty days too.
    group.appendChild(svg('rect', { class: 'hit', x, width: step, y: PAD.top, height: plotH }));
    parts.push(group);
    if (i % every === 0 || i === points.length - 1)
      parts.push(
        svg(
          'text',
          { class: 'axis', x: x + step / 2, y: H - PAD.bottom + 16, 'text-anchor': 'middle' },
          p.date.slice(5),
        ),
      );
  });
  parts.push(svg('line', { class: 'baseline', x1: PAD.left, x2: W - PAD.right, y1: y(0), y2: y(0) }));
  return svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': `${label} per day` }, parts);
}
