// A small step chart in SVG (no chart library): a state holds until the next report, so each
// series is drawn as steps from its first point to now. Several series with one unit share a chart
// (a thermostat's temperature against its target).
export interface Series {
  label: string;
  points: Array<[number, number]>; // [at ms, value], oldest first
}

const W = 320;
const H = 120;
const PAD = { left: 34, right: 6, top: 8, bottom: 18 };
const COLOURS = ['#c2410c', '#1d4ed8', '#166534'];

export function Chart({
  title,
  unit,
  series,
  from,
  to,
  fromLabel,
}: {
  title: string;
  unit: string;
  series: Series[];
  from: number;
  to: number;
  fromLabel: string;
}) {
  const values = series.flatMap((s) => s.points.map((p) => p[1]));
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (lo === hi) {
    lo -= 1;
    hi += 1;
  }
  const x = (at: number) => PAD.left + ((at - from) / (to - from)) * (W - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + (1 - (v - lo) / (hi - lo)) * (H - PAD.top - PAD.bottom);
  const path = (s: Series) => {
    let d = '';
    let last: number | undefined;
    for (const [at, v] of s.points) {
      const px = x(Math.max(at, from)).toFixed(1);
      d += last === undefined ? `M${px},${y(v).toFixed(1)}` : `H${px}V${y(v).toFixed(1)}`;
      last = v;
    }
    return last === undefined ? '' : `${d}H${x(to).toFixed(1)}`;
  };
  const summary = series
    .map((s) => {
      const vs = s.points.map((p) => p[1]);
      return `${s.label}: from ${vs[0]} to ${vs[vs.length - 1]}${unit ? ` ${unit}` : ''}, lowest ${Math.min(...vs)}, highest ${Math.max(...vs)}`;
    })
    .join('; ');
  return (
    <figure class="chart">
      <figcaption>
        {title}
        {unit ? ` (${unit})` : ''}
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${title}. ${summary}`}>
        <line class="axis" x1={PAD.left} x2={W - PAD.right} y1={H - PAD.bottom} y2={H - PAD.bottom} />
        <text x={PAD.left - 4} y={PAD.top + 4} text-anchor="end">
          {hi}
        </text>
        <text x={PAD.left - 4} y={H - PAD.bottom} text-anchor="end">
          {lo}
        </text>
        <text x={PAD.left} y={H - 4}>
          {fromLabel}
        </text>
        <text x={W - PAD.right} y={H - 4} text-anchor="end">
          now
        </text>
        {series.map((s, i) => (
          <path class="series" d={path(s)} stroke={COLOURS[i % COLOURS.length]} />
        ))}
      </svg>
      {series.length > 1 ? (
        <ul class="legend">
          {series.map((s, i) => (
            <li>
              <span class="swatch" style={{ background: COLOURS[i % COLOURS.length] }} /> {s.label}
            </li>
          ))}
        </ul>
      ) : null}
    </figure>
  );
}
