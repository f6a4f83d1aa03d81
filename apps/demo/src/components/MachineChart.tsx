import { type SessionChart, sessionChart } from '@osu-chat/react';

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Where the session machine's states sit; any state not placed here gets a slot in extra rows below. */
const LAYOUT: Record<string, Box> = {
  idle: { x: 6, y: 8, w: 92, h: 30 },
  backoff: { x: 116, y: 8, w: 92, h: 30 },
  offline: { x: 6, y: 76, w: 92, h: 30 },
  resolving: { x: 116, y: 76, w: 92, h: 30 },
  socket: { x: 222, y: 4, w: 98, h: 128 },
  'socket.awaitingReady': { x: 228, y: 26, w: 86, h: 30 },
  'socket.live': { x: 228, y: 90, w: 86, h: 30 },
  unauthorized: { x: 6, y: 160, w: 92, h: 30 },
  authFailed: { x: 116, y: 160, w: 92, h: 30 },
  loggedOut: { x: 226, y: 160, w: 92, h: 30 },
};

const chart: SessionChart = sessionChart();
const layout = placeAll(chart);
const height = Math.max(...Object.values(layout).map((b) => b.y + b.h)) + 6;
const edges = uniqueEdges(chart);

function placeAll(source: SessionChart): Record<string, Box> {
  const boxes: Record<string, Box> = {};
  let slot = 0;
  for (const state of source.states) {
    const known = LAYOUT[state.path];
    if (known) boxes[state.path] = known;
    else {
      boxes[state.path] = { x: 6 + (slot % 3) * 108, y: 196 + Math.floor(slot / 3) * 40, w: 96, h: 30 };
      slot += 1;
    }
  }
  return boxes;
}

function uniqueEdges(source: SessionChart): { from: string; to: string }[] {
  const seen = new Set<string>();
  const result: { from: string; to: string }[] = [];
  for (const t of source.transitions) {
    if (t.to === null || t.from === '*' || t.from === t.to) continue;
    for (const to of t.to.split(', ')) {
      const key = `${t.from}>${to}`;
      if (seen.has(key) || !layout[t.from] || !layout[to] || to.startsWith(`${t.from}.`)) continue;
      seen.add(key);
      result.push({ from: t.from, to });
    }
  }
  return result;
}

type Point = [number, number];

const centre = (box: Box): Point => [box.x + box.w / 2, box.y + box.h / 2];
const inside = (box: Box, [x, y]: Point) => x > box.x && x < box.x + box.w && y > box.y && y < box.y + box.h;

/** Where the segment from a box's centre towards (tx, ty) leaves the box. */
function exitPoint(box: Box, [tx, ty]: Point): Point {
  const [cx, cy] = centre(box);
  const [dx, dy] = [tx - cx, ty - cy];
  const scale = 1 / Math.max(Math.abs(dx) / (box.w / 2), Math.abs(dy) / (box.h / 2), 1e-9);
  return [cx + dx * scale, cy + dy * scale];
}

function bezier([p0, c, p1]: [Point, Point, Point], t: number): Point {
  const u = 1 - t;
  return [u * u * p0[0] + 2 * u * t * c[0] + t * t * p1[0], u * u * p0[1] + 2 * u * t * c[1] + t * t * p1[1]];
}

/**
 * An arrow between two states: straight, shifted sideways so a transition and its reverse are two lines, or
 * bent around any state box the straight line would cross.
 */
function edgePath(from: string, to: string): string {
  const [a, b] = [layout[from] as Box, layout[to] as Box];
  const [fx, fy] = centre(a);
  const [tx, ty] = centre(b);
  const length = Math.hypot(tx - fx, ty - fy) || 1;
  const [nx, ny] = [-(ty - fy) / length, (tx - fx) / length];
  const related = (path: string) =>
    [from, to].some((end) => end === path || end.startsWith(`${path}.`) || path.startsWith(`${end}.`));
  const others = Object.entries(layout)
    .filter(([path]) => !related(path))
    .map(([, box]) => box);
  const shift = ([x, y]: Point): Point => [x + nx * 4, y + ny * 4];
  const p0 = shift(exitPoint(a, shift([tx, ty])));
  const p1 = shift(exitPoint(b, shift([fx, fy])));
  const straight: [Point, Point, Point] = [p0, [(p0[0] + p1[0]) / 2, (p0[1] + p1[1]) / 2], p1];
  const bent = (bend: number): [Point, Point, Point] => {
    const control: Point = [(fx + tx) / 2 + nx * bend, (fy + ty) / 2 + ny * bend];
    return [exitPoint(a, control), control, exitPoint(b, control)];
  };
  const candidates = [straight, ...[44, -44, 80, -80].map(bent)];
  const crosses = (curve: [Point, Point, Point]) =>
    Array.from({ length: 19 }, (_, i) => bezier(curve, (i + 1) / 20)).some((point) =>
      others.some((box) => inside(box, point)),
    );
  const [s, c, e] = candidates.find((curve) => !crosses(curve)) ?? straight;
  const f = (n: number) => n.toFixed(1);
  return `M${f(s[0])},${f(s[1])} Q${f(c[0])},${f(c[1])} ${f(e[0])},${f(e[1])}`;
}

/** The session machine drawn from `sessionChart()`: `current` (the connection's `detail`) is highlighted. */
export function MachineChart({ current }: { current: string }) {
  const active = (path: string) => current === path || current.startsWith(`${path}.`);
  return (
    <svg
      className="machine-chart"
      viewBox={`0 0 324 ${height}`}
      role="img"
      aria-label={`Session machine: ${current}`}
    >
      <title>Session machine, now in {current}</title>
      <defs>
        {['edge', 'edge-active'].map((id) => (
          <marker
            key={id}
            id={id}
            viewBox="0 0 8 8"
            refX="7"
            refY="4"
            markerWidth="7"
            markerHeight="7"
            orient="auto"
          >
            <path d="M0,0 L8,4 L0,8 z" className={`arrow ${id}`} />
          </marker>
        ))}
      </defs>
      {edges.map(({ from, to }) => {
        const hot = active(from);
        return (
          <path
            key={`${from}>${to}`}
            d={edgePath(from, to)}
            className={hot ? 'edge active' : 'edge'}
            markerEnd={`url(#${hot ? 'edge-active' : 'edge'})`}
          />
        );
      })}
      {chart.states.map((state) => {
        const box = layout[state.path] as Box;
        const compound = chart.states.some((s) => s.parent === state.path);
        const classes = [
          'state',
          compound && 'compound',
          state.transient && 'transient',
          active(state.path) && 'active',
        ];
        const label = state.path.split('.').at(-1) ?? state.path;
        return (
          <g key={state.path} className={classes.filter(Boolean).join(' ')} data-state={state.path}>
            <rect x={box.x} y={box.y} width={box.w} height={box.h} rx={compound ? 10 : 7} />
            <text x={box.x + box.w / 2} y={compound ? box.y + 14 : box.y + box.h / 2 + 4} textAnchor="middle">
              {label}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

/** Transitions leaving `current` (its own, its parents', and the machine-wide ones). */
export function outgoingTransitions(current: string): SessionChart['transitions'] {
  const parts = current.split('.');
  const scopes = new Set(['*', ...parts.map((_, i) => parts.slice(0, i + 1).join('.'))]);
  return chart.transitions.filter((t) => scopes.has(t.from));
}
