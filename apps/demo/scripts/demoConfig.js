// A tiny Vite plugin serving /demo-config.json: the emulator's URLs and seeded tokens for the app to sign in
// with. Used by scripts/start.js (dev server) and the e2e test (preview server). The servers bind 127.0.0.1
// only, and the tokens are the local emulator's, worthless anywhere else.

/**
 * @param {{ apiUrl: string, socketUrl: string, users: readonly { id: number, username: string, token: string, scopes: readonly string[] }[] }} config
 * @returns {import('vite').Plugin}
 */
export function demoConfigPlugin(config) {
  const body = JSON.stringify(config);
  /** @type {import('vite').Connect.NextHandleFunction} */
  const serve = (request, response, next) => {
    if (request.url?.split('?')[0] !== '/demo-config.json') return next();
    response.setHeader('Content-Type', 'application/json');
    response.setHeader('Cache-Control', 'no-store');
    response.end(body);
  };
  return {
    name: 'osu-chat-demo:config',
    configureServer: (server) => {
      server.middlewares.use(serve);
    },
    configurePreviewServer: (server) => {
      server.middlewares.use(serve);
    },
  };
}
