// The sends-over-time chart: an inline SVG of stacked bars (sent, failed) per bucket with a y
// axis and a few time labels; each bar carries a <title> with its counts. Colours come from
// the stylesheet (classes), so the page's CSP needs no inline style.
import { svg } from './dom.js';
import { niceMax, type Bucket } from './buckets.js';

const W = 920;
const H = 280;
const PAD = { left: 48, right: 12, top: 12, bottom: 34 };

function label(ms: number, bucketMs: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  const time = `${p(d.getHours())}:${p(d.getMinutes())}`;
  return bucketMs >= 3_600_000 * 6 ? `${p(d.getMonth() + 1)}-${p(d.getDate())} ${time}` : time;
}

export function sendChart(buckets: readonly Bucket[], bucketMs: number): SVGElement {
  const max = niceMax(Math.max(0, ...buckets.map((b) => b.sent + b.failed)));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const step = plotW / Math.max(1, buckets.length);
  const barW = Math.max(1, step * 0.8);
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const parts: SVGElement[] = [];
  for (const v of [0, max / 2, max]) {
    parts.push(svg('line', { class: 'grid', x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v) }));
    parts.push(
      svg(
        'text',
        { class: 'axis', x: PAD.left - 6, y: y(v) + 4, 'text-anchor': 'end' },
        Number.isInteger(v) ? v : v.toFixed(1),
      ),
    );
  }
  const every = Math.max(1, Math.ceil(buckets.length / 8));
  buckets.forEach((b, i) => {
    const x = PAD.left + i * step + (step - barW) / 2;
    const title = svg('title', {}, `${label(b.start, bucketMs)}: ${b.sent} sent, ${b.failed} failed`);
    const group = svg('g', { class: 'bucket', 'data-sent': b.sent, 'data-failed': b.failed }, title);
    if (b.sent > 0)
      group.appendChild(svg('rect', { class: 'bar-sent', x, width: barW, y: y(b.sent), height: y(0) - y(b.sent) }));
    if (b.failed > 0)
      group.appendChild(
        svg('rect', {
          class: 'bar-failed',
          x,
          width: barW,
          y: y(b.sent + b.failed),
          height: y(b.sent) - y(b.sent + b.failed),
        }),
      );
    // An invisible full-height target, so the tooltip shows over empty buckets too.
    group.appendChild(svg('rect', { class: 'hit', x: PAD.left + i * step, width: step, y: PAD.top, height: plotH }));
    parts.push(group);
    if (i % every === 0)
      parts.push(
        svg(
          'text',
          { class: 'axis', x: PAD.left + i * step + step / 2, y: H - PAD.bottom + 16, 'text-anchor': 'middle' },
          label(b.start, bucketMs),
        ),
      );
  });
  parts.push(svg('line', { class: 'baseline', x1: PAD.left, x2: W - PAD.right, y1: y(0), y2: y(0) }));
  return svg(
    'svg',
    { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': 'messages sent and failed over time' },
    parts,
  );
}
