// The demo's Vite config. Workspace packages resolve to their sources (`@osu-chat/source`), so `npm start`
// runs on src/ without a build. The built app carries a Content-Security-Policy; the dev server does not,
// because React Refresh injects an inline script there.
import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig, type Plugin, type ProxyOptions } from 'vite';

/**
 * What the built app may load: its own files, the emulator on any local port, osu!'s API (direct) and
 * notification socket, and avatars over https. No inline scripts, no eval, no plugins, no framing by forms.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "connect-src 'self' http://127.0.0.1:* ws://127.0.0.1:* http://localhost:* ws://localhost:* https://osu.ppy.sh wss://notify.ppy.sh",
  "img-src 'self' data: http://127.0.0.1:* http://localhost:* https:",
  "style-src 'self' 'unsafe-inline'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

function contentSecurityPolicy(): Plugin {
  return {
    name: 'osu-chat-demo:csp',
    apply: 'build',
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY },
        injectTo: 'head-prepend',
      },
    ],
  };
}

/** osu! sends no CORS headers for other origins, so the browser reaches its API through this server. */
const osuProxy: Record<string, ProxyOptions> = {
  '/osu-api': {
    target: 'https://osu.ppy.sh',
    changeOrigin: true,
    rewrite: (path) => path.replace(/^\/osu-api/, ''),
    configure: (proxy) => {
      // The page's cookies and origin are this dev server's business, not osu!'s.
      proxy.on('proxyReq', (request) => {
        request.removeHeader('cookie');
        request.removeHeader('origin');
        request.removeHeader('referer');
      });
    },
  },
};

export default defineConfig({
  plugins: [react(), contentSecurityPolicy()],
  resolve: { conditions: ['@osu-chat/source', ...defaultClientConditions] },
  server: { host: '127.0.0.1', port: 5173, strictPort: false, proxy: osuProxy },
  preview: { host: '127.0.0.1', proxy: osuProxy },
  // One chunk is fine for a demo (React, Virtuoso, RxJS, XState and the engine: ~140 kB gzipped).
  build: { sourcemap: true, chunkSizeWarningLimit: 1024 },
});
