// Avatars and covers drawn locally, so a browser UI on a closed network shows something for every user.
import type { Reply } from './request.js';

const COLOURS = ['#ff66aa', '#66ccff', '#b3d944', '#ffcc22', '#aa88ff', '#ff8866', '#44ddaa', '#8899aa'];

/** An SVG for `/_emulator/avatars/:id.svg` (a coloured square) or `/_emulator/covers/:id.svg` (a banner). */
export function avatarSvg(file: string, cover = false): Reply {
  const id = Number.parseInt(file, 10) || 0;
  const colour = COLOURS[id % COLOURS.length];
  const [w, h] = cover ? [400, 100] : [128, 128];
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><rect width="100%" height="100%" fill="${colour}"/><text x="50%" y="55%" font-family="sans-serif" font-size="${h / 3}" text-anchor="middle" fill="#fff">${id}</text></svg>`;
  return {
    status: 200,
    body: svg,
    headers: { 'Content-Type': 'image/svg+xml', 'Cache-Control': 'max-age=3600' },
  };
}
