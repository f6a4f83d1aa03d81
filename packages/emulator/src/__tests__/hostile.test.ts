// Hostile and malformed input: the emulator answers with the status osu! (Laravel) gives and keeps serving.
// Requests are raw `fetch` calls (or raw TCP where fetch cannot express the request) with explicit headers;
// after every test a normal request must still succeed (§1.5, §1.6, §4.2).
import { connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../index.js';
import { setupUsers, startEmulator, type TestUser } from './helpers.js';

const BLANK = { error: 'Cannot send blank message.' };
const NO_CHANNEL = { error: "Specified Chat\\Channel couldn't be found." };

let emu: Emulator;
let alice: TestUser;
let bob: TestUser;
let osu: number;

beforeEach(async () => {
  emu = await startEmulator();
  ({ alice, bob } = setupUsers(emu, ['alice', 'bob']));
  osu = emu.createChannel({ name: '#osu', type: 'PUBLIC', members: [alice.id, bob.id] }).channel.channel_id;
});

afterEach(async () => {
  // Whatever the test threw at it, the server still answers a normal request.
  const response = await fetch(`${emu.apiUrl}/api/v2/chat/channels`, {
    headers: { Authorization: `Bearer ${alice.token}`, Accept: 'application/json' },
  });
  expect(response.status).toBe(200);
  expect(await response.json()).toHaveLength(1);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  await emu.close();
});

/** A raw request: `body` is sent exactly as given, with exactly the given headers plus alice's token. */
async function raw(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${emu.apiUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${alice.token}`, Accept: 'application/json', ...headers },
    body,
  });
  const text = await response.text();
  return { status: response.status, text, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

const JSON_TYPE = { 'Content-Type': 'application/json' };
const FORM_TYPE = { 'Content-Type': 'application/x-www-form-urlencoded' };

function sendJson(body: string, path = `/api/v2/chat/channels/${osu}/messages`) {
  return raw('POST', path, body, JSON_TYPE);
}

/** Writes `request` on a fresh TCP connection and resolves with the status line of the reply. */
function rawTcp(request: string): Promise<string> {
  const url = new URL(emu.apiUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.write(request));
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (received.includes('\r\n')) {
        resolve(received.slice(0, received.indexOf('\r\n')));
        socket.destroy();
      }
    });
    socket.on('error', reject);
  });
}

describe('hostile bodies on POST /chat/channels/{id}/messages', () => {
  it.each([
    ['truncated JSON', '{"message": "hi"'],
    ['not JSON at all', 'message=hi'],
    ['a trailing comma', '{"message": "hi",}'],
    ['a JSON array', '["hi"]'],
    ['a JSON string', '"hi"'],
    ['JSON null', 'null'],
    ['a JSON number', '42'],
  ])('§4.2 %s is read as an empty body → 422 blank message', async (_name, body) => {
    const response = await sendJson(body);
    expect(response.status).toBe(422);
    expect(response.body).toEqual(BLANK);
  });

  it('§1.6 a JSON body nested deeper than json_decode allows (512) is no body at all', async () => {
    const deep = `{"message":"hi","x":${'['.repeat(600)}${']'.repeat(600)}}`;
    const response = await sendJson(deep);
    expect(response.status).toBe(422);
    expect(response.body).toEqual(BLANK);
    const shallow = await sendJson(`{"message":"hi","x":${'['.repeat(500)}${']'.repeat(500)}}`);
    expect(shallow.status).toBe(200);
  });

  it('§1.6 a JSON body sent without a JSON Content-Type is ignored (Laravel reads JSON only when told)', async () => {
    const response = await raw('POST', `/api/v2/chat/channels/${osu}/messages`, '{"message":"hi"}', {
      'Content-Type': 'text/plain',
    });
    expect(response.status).toBe(422);
    expect(response.body).toEqual(BLANK);
  });

  it('§1.6 an undecodable body leaves the query string in charge', async () => {
    const response = await sendJson('{oops', `/api/v2/chat/channels/${osu}/messages?message=from%20query`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ content: 'from query' });
  });

  it.each([
    ['an object', '{"message": {"a": 1}}'],
    ['an array', '{"message": ["hi"]}'],
    ['false', '{"message": false}'],
  ])('§1.6 message as %s is not a string → 422 blank message', async (_name, body) => {
    const response = await sendJson(body);
    expect(response.status).toBe(422);
    expect(response.body).toEqual(BLANK);
  });

  it.each([
    ['123', '{"message": 123}', '123'],
    ['1.5', '{"message": 1.5}', '1.5'],
    ['true', '{"message": true}', '1'],
  ])('§1.6 message %s (a scalar) is sent as the string %j', async (_name, body, content) => {
    const response = await sendJson(body);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ content });
  });

  it('§4.2 a 100 kB message inside the body limit → 422 too long', async () => {
    const response = await sendJson(JSON.stringify({ message: 'a'.repeat(100_000) }));
    expect(response.status).toBe(422);
    expect(response.body).toEqual({ error: 'The message you are trying to send is too long.' });
  });

  it('a 2 MiB body → 413, and the server keeps serving', async () => {
    const response = await sendJson(JSON.stringify({ message: 'a'.repeat(2 * 1024 * 1024) }));
    expect(response.status).toBe(413);
    expect(response.body).toEqual({ error: null });
  });

  it('a 2 MiB chunked body (no Content-Length) → 413', async () => {
    const size = 2 * 1024 * 1024;
    const status = await rawTcp(
      `POST /api/v2/chat/channels/${osu}/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${alice.token}\r\n` +
        `Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${size.toString(16)}\r\n${'a'.repeat(size)}\r\n0\r\n\r\n`,
    );
    expect(status).toBe('HTTP/1.1 413 Payload Too Large');
  });

  it('a body cut short by the client does not take the server down', async () => {
    const url = new URL(emu.apiUrl);
    await new Promise<void>((resolve) => {
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.write(
          `POST /api/v2/chat/channels/${osu}/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
            `Content-Length: 1000\r\n\r\n{"message":`,
          () => {
            socket.destroy();
            resolve();
          },
        );
      });
    });
  });
});

describe('hostile parameters on other routes', () => {
  it.each([
    ['"abc"', '"abc"'],
    ['an array', '[1]'],
    ['an object', '{"id": 3}'],
  ])('§2.2 POST /chat/new with target_id %s → 422 target user not found', async (_name, value) => {
    const response = await sendJson(`{"target_id": ${value}, "message": "hi"}`, '/api/v2/chat/new');
    expect(response.status).toBe(422);
    expect(response.body).toEqual({ error: 'target user not found' });
  });

  describe('POST /chat/channels as an announcer', () => {
    beforeEach(() => {
      emu.updateUser(alice.id, { announcer: true });
    });
    const channel = '{"name": "#event", "description": "d"}';

    it.each([
      [
        'target_ids "x"',
        `{"type":"ANNOUNCE","target_ids":"x","channel":${channel},"message":"hi"}`,
        'missing target_ids parameter',
      ],
      [
        'channel "x"',
        '{"type":"ANNOUNCE","target_ids":[3],"channel":"x","message":"hi"}',
        'missing channel parameter',
      ],
      [
        'target_ids ["abc"]',
        `{"type":"ANNOUNCE","target_ids":["abc"],"channel":${channel},"message":"hi"}`,
        'Nobody to broadcast to!',
      ],
      [
        'type ["ANNOUNCE"]',
        `{"type":["ANNOUNCE"],"target_ids":[3],"channel":${channel},"message":"hi"}`,
        'unknown or missing type parameter',
      ],
      [
        'channel.name {"a":1}',
        '{"type":"ANNOUNCE","target_ids":[3],"channel":{"name":{"a":1}},"message":"hi"}',
        'name is required.',
      ],
    ])('§2.6 %s → 422', async (_name, body, error) => {
      const response = await sendJson(body, '/api/v2/chat/channels');
      expect(response.status).toBe(422);
      expect(response.body).toEqual({ error });
      expect(emu.state().channels).toHaveLength(1);
    });
  });

  it('§2.11 limit[]=1 is not an int → the default page', async () => {
    for (let i = 0; i < 3; i++) emu.postMessage(osu, { sender_id: bob.id, content: `m${i}` });
    const response = await raw('GET', `/api/v2/chat/channels/${osu}/messages?limit[]=1`);
    expect(response.status).toBe(200);
    expect(response.body).toHaveLength(3);
  });

  it('§1.6 form fields nested deeper than PHP allows (64) are dropped, without a stack overflow', async () => {
    const deep = `x${'[a]'.repeat(100_000)}=1&message=hi`;
    const response = await raw('POST', `/api/v2/chat/channels/${osu}/messages`, deep, FORM_TYPE);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ content: 'hi' });
    const query = await raw('POST', `/api/v2/chat/channels/${osu}/messages?message${'[]'.repeat(4000)}=1`);
    expect(query.status).toBe(422);
    expect(query.body).toEqual(BLANK);
  });
});

describe('prototype pollution', () => {
  it('__proto__ and constructor keys in a JSON body are plain keys, nothing is polluted', async () => {
    const body =
      '{"message":"hi","__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}';
    const response = await sendJson(body);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ content: 'hi' });
  });

  it('a message hidden under __proto__ is not a message', async () => {
    const response = await sendJson('{"__proto__":{"message":"sneaky"}}');
    expect(response.status).toBe(422);
    expect(response.body).toEqual(BLANK);
  });

  it('__proto__, constructor and prototype in form and query keys are ignored', async () => {
    const form =
      '__proto__[polluted]=yes&constructor[prototype][polluted]=yes&a[__proto__][polluted]=yes&message=hi';
    const response = await raw(
      'POST',
      `/api/v2/chat/channels/${osu}/messages?__proto__[polluted]=yes&toString=1&hasOwnProperty=1`,
      form,
      FORM_TYPE,
    );
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ content: 'hi' });
  });

  it('the control API does not take flags from __proto__', async () => {
    const response = await raw(
      'POST',
      '/_emulator/users',
      '{"username":"mallory","__proto__":{"moderator":true,"scopes":["*"]}}',
      JSON_TYPE,
    );
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ user: { username: 'mallory', moderator: false } });
  });
});

describe('hostile paths', () => {
  it.each([
    ['GET', '/api/v2/nope'],
    ['POST', '/api/v2/chat/nope'],
    ['GET', '/api/v2/chat/channels/1/messages/extra'],
    ['GET', '/api/v2'],
    ['GET', '/'],
    ['GET', '/nope'],
    ['GET', '/_emulator/nope'],
    ['GET', '/_emulator/users'],
  ])('unknown route %s %s → 404 {"error":null}', async (method, path) => {
    const response = await raw(method, path);
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ error: null });
  });

  it.each([
    '/api/v2/chat/channels/abc',
    '/api/v2/chat/channels/%E0%A4%A',
    '/api/v2/chat/channels/%00',
    '/api/v2/chat/channels/__proto__',
    '/api/v2/chat/channels/-1',
    '/api/v2/chat/channels/99999999999999999999999',
  ])('GET %s → 404 with the model text', async (path) => {
    const response = await raw('GET', path);
    expect(response.status).toBe(404);
    expect(response.body).toEqual(NO_CHANNEL);
  });

  it('a non-numeric channel id on the send route → 404 with the model text', async () => {
    const response = await sendJson('{"message":"hi"}', '/api/v2/chat/channels/abc/messages');
    expect(response.status).toBe(404);
    expect(response.body).toEqual(NO_CHANNEL);
  });

  it('request targets fetch cannot send: "//" and an invalid escape without a token', async () => {
    expect(await rawTcp('GET // HTTP/1.1\r\nHost: x\r\n\r\n')).toBe('HTTP/1.1 404 Not Found');
    expect(await rawTcp('GET /api/v2/chat/channels/%E0%A4%A HTTP/1.1\r\nHost: x\r\n\r\n')).toBe(
      'HTTP/1.1 401 Unauthorized',
    );
  });

  it('HEAD on a GET route answers like GET, without a body (Laravel routes GET as GET|HEAD)', async () => {
    const response = await raw('HEAD', '/api/v2/chat/channels');
    expect(response.status).toBe(200);
    expect(response.text).toBe('');
  });
});

describe('hostile headers', () => {
  it('a 10,000-character Authorization header → 401 {"authentication":"basic"}', async () => {
    const response = await raw('GET', '/api/v2/chat/channels', undefined, {
      Authorization: `Bearer ${'x'.repeat(10_000 - 7)}`,
    });
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ authentication: 'basic' });
  });

  it('a valid token followed by junk → 401', async () => {
    const response = await raw('GET', '/api/v2/chat/channels', undefined, {
      Authorization: `Bearer ${alice.token} junk`,
    });
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ authentication: 'basic' });
  });
});

describe('hostile control API input', () => {
  it.each([
    ['POST', '/_emulator/users', '{}', 'username must be a string'],
    ['POST', '/_emulator/users', '{oops', 'malformed JSON body'],
    ['POST', '/_emulator/users', '["alice"]', 'body must be a JSON object'],
    ['POST', '/_emulator/users', '{"username":"eve","scopes":"*"}', 'scopes must be an array of scope names'],
    ['POST', '/_emulator/users', '{"username":"eve","moderator":"yes"}', 'moderator must be a boolean'],
    ['PATCH', '/_emulator/users/abc', '{}', 'abc is not an id'],
    ['PUT', '/_emulator/filters', '{}', 'filters must be an array'],
    ['PATCH', '/_emulator/config', '{"nope":1}', 'unknown config key nope'],
    ['PATCH', '/_emulator/config', '{"chat_public_limit":-1}', 'chat_public_limit must be a number ≥ 0'],
    ['POST', '/_emulator/clock', '{}', 'give advance_ms or now'],
  ])('%s %s %s → 400 with a reason', async (method, path, body, error) => {
    const response = await raw(method, path, body, JSON_TYPE);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error });
  });

  it('unknown ids in the control API → 404 with a reason', async () => {
    const response = await raw(
      'POST',
      '/_emulator/channels/999/messages',
      '{"sender_id":2,"content":"x"}',
      JSON_TYPE,
    );
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ error: 'unknown channel 999' });
  });
});
