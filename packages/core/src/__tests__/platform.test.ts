// The two `#platform` builds (package.json `imports`): the same exports, with Node's answers in node.ts (what
// every test in Node runs) and the browser's in browser.ts. The browser build's behaviour through the engine is
// in platform.browser.test.ts.
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ChatError } from '../errors.js';
import * as browserPlatform from '../platform/browser.js';
import * as nodePlatform from '../platform/node.js';
import { ChatHttp, definitelyNotSent } from '../transport/http.js';

/** A port nothing listens on: bound, then closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('#platform', () => {
  it('has the same exports in both builds', () => {
    expect(Object.keys(browserPlatform).sort()).toEqual(Object.keys(nodePlatform).sort());
  });

  it('gives browsers query auth, no ping watchdog and no network error codes to read', () => {
    expect(browserPlatform.isNode).toBe(false);
    expect(browserPlatform.watchPing).toBeUndefined();
    expect(browserPlatform.causeProvesNotSent).toBeUndefined();
  });

  it('tells Node apart at run time, and has the watchdog and the code check there', () => {
    expect(nodePlatform.isNode).toBe(true);
    expect(nodePlatform.watchPing).toBeTypeOf('function');
    expect(nodePlatform.causeProvesNotSent).toBeTypeOf('function');
  });
});

describe('definitelyNotSent in Node', () => {
  const network = (cause: unknown) =>
    new ChatError('network', 'POST /chat/new could not reach the server', { cause });

  it('reads the codes of a refused connection or failed DNS lookup anywhere in the cause chain', () => {
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']) {
      const fetchFailed = Object.assign(new Error('fetch failed'), {
        cause: Object.assign(new Error(code), { code }),
      });
      expect(definitelyNotSent(network(fetchFailed)), code).toBe(true);
    }
  });

  it('answers false for an unknown fate: a reset, a timeout, no code', () => {
    expect(definitelyNotSent(network(Object.assign(new Error('reset'), { code: 'ECONNRESET' })))).toBe(false);
    expect(definitelyNotSent(new ChatError('network', 'POST /chat/new timed out'))).toBe(false);
  });

  it('reads six causes deep and no further', () => {
    const nested = (depth: number) => {
      let cause: unknown = { code: 'ECONNREFUSED' };
      for (let i = 0; i < depth; i += 1) cause = { cause };
      return network(cause);
    };
    expect(definitelyNotSent(nested(5))).toBe(true);
    expect(definitelyNotSent(nested(6))).toBe(false);
  });

  it('answers from the kind alone for answers and other failures', () => {
    expect(definitelyNotSent(new ChatError('rateLimit', 'rate limited', { status: 429 }))).toBe(true);
    expect(definitelyNotSent(new ChatError('auth', 'refused', { status: 401 }))).toBe(true);
    const refused = { code: 'ECONNREFUSED' };
    expect(definitelyNotSent(new ChatError('http', 'failed with 500', { status: 500, cause: refused }))).toBe(
      false,
    );
  });

  it('knows a real refused connection (Node fetch) was never sent', async () => {
    const http = new ChatHttp({
      apiUrl: `http://127.0.0.1:${await closedPort()}`,
      getToken: async () => 'token',
      refreshToken: async () => 'token',
      timeoutMs: 5_000,
    });
    const error = await http.request('POST', '/chat/new', { body: {} }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'network' });
    expect(definitelyNotSent(error as ChatError)).toBe(true);
  });
});
