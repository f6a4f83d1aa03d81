// §4.2 the send path over the real HTTP API: which error wins when several apply, blank and too-long
// messages, content processing (trim, CR/LF folding, chat filters) and ANNOUNCE's exceptions to it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../index.js';
import { api, setupUsers, startEmulator, type TestUser } from './helpers.js';

const BLANK = { error: 'Cannot send blank message.' };
const TOO_LONG = { error: 'The message you are trying to send is too long.' };
const THROTTLED = { error: 'You are sending messages too quickly, please wait a bit before trying again.' };

let emu: Emulator;
let alice: TestUser;
let bob: TestUser;
/** A public channel alice and bob are members of. */
let osu: number;

beforeEach(async () => {
  // osu!'s default throttle (1 message per second per bucket), so the throttle's place in the order shows.
  emu = await startEmulator({ limits: { chat_public_limit: 1, chat_private_limit: 1 } });
  ({ alice, bob } = setupUsers(emu, ['alice', 'bob']));
  osu = emu.createChannel({ name: '#osu', type: 'PUBLIC', members: [alice.id, bob.id] }).channel.channel_id;
});
afterEach(() => emu.close());

function send(user: TestUser, channelId: number, body: Record<string, unknown>) {
  return api(emu, user.token, 'POST', `/chat/channels/${channelId}/messages`, body);
}

/** Sends in a fresh second, so earlier sends in the test cannot throttle this one. */
async function sendFresh(user: TestUser, channelId: number, body: Record<string, unknown>) {
  emu.clock.advance(1000);
  return send(user, channelId, body);
}

describe('§4.2 send error order: the earlier error wins', () => {
  it('§4.2 403 missing chat.write before 404 unknown channel', async () => {
    const { token } = emu.createToken({ user_id: alice.id, scopes: ['chat.read'] });
    const response = await api(emu, token, 'POST', '/chat/channels/999/messages', { message: '' });
    expect(response.status).toBe(403);
    expect(response.body).toEqual({ error: 'A required scope is missing.' });
  });

  it('§4.2 404 unknown channel (model text) before the sender being silenced and the message blank', async () => {
    emu.updateUser(alice.id, { silenced: true });
    const response = await send(alice, 999, { message: '' });
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ error: "Specified Chat\\Channel couldn't be found." });
  });

  it("§4.2 PM whose other user is restricted → 404 target user not found, before the sender's own 403", async () => {
    const pm = emu.createChannel({ type: 'PM', members: [alice.id, bob.id] }).channel.channel_id;
    emu.updateUser(bob.id, { restricted: true });
    emu.updateUser(alice.id, { silenced: true });
    const response = await send(alice, pm, { message: '' });
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ error: 'target user not found' });
  });

  it('§4.2 non-member → 403 no_access before the blank-message 422', async () => {
    const lobby = emu.createChannel({ name: '#lobby', type: 'PUBLIC' }).channel.channel_id;
    const response = await send(alice, lobby, { message: '   ' });
    expect(response.status).toBe(403);
    expect(response.body).toEqual({ error: 'You do not have access to that channel.' });
  });

  it('§4.2 silenced member → 403 before membership is even looked at, and before the 422', async () => {
    const lobby = emu.createChannel({ name: '#lobby', type: 'PUBLIC' }).channel.channel_id;
    emu.updateUser(alice.id, { silenced: true });
    for (const channel of [osu, lobby]) {
      const response = await send(alice, channel, { message: '' });
      expect(response.status).toBe(403);
      expect(response.body).toEqual({
        error: 'You cannot send messages while silenced, restricted or banned.',
      });
    }
  });

  it('§4.2 moderated channel → 403 before the blank-message 422', async () => {
    const lobby = emu.createChannel({ name: '#lobby', type: 'PUBLIC', moderated: true, members: [alice.id] })
      .channel.channel_id;
    const response = await send(alice, lobby, { message: '\n' });
    expect(response.status).toBe(403);
    expect(response.body).toEqual({ error: 'This channel is currently moderated.' });
  });

  it('§4.2 blank before a block filter, block filter before too long', async () => {
    emu.setFilters([{ match: 'spam', block: true }]);
    const blank = await send(alice, osu, { message: '  ' });
    expect(blank.status).toBe(422);
    expect(blank.body).toEqual(BLANK);
    const blocked = await send(alice, osu, { message: `spam ${'a'.repeat(500)}` });
    expect(blocked.status).toBe(422);
    expect(blocked.body).toEqual({ error: null });
  });

  it('§4.2 validation errors come before the throttle: 422s inside a throttled second, then 429', async () => {
    emu.setFilters([{ match: 'spam', block: true }]);
    expect((await send(alice, osu, { message: 'first' })).status).toBe(200);
    const blank = await send(alice, osu, { message: '' });
    const blocked = await send(alice, osu, { message: 'spam' });
    const long = await send(alice, osu, { message: 'a'.repeat(451) });
    expect([blank.status, blank.body]).toEqual([422, BLANK]);
    expect([blocked.status, blocked.body]).toEqual([422, { error: null }]);
    expect([long.status, long.body]).toEqual([422, TOO_LONG]);
    const throttled = await send(alice, osu, { message: 'second' });
    expect(throttled.status).toBe(429);
    expect(throttled.body).toEqual(THROTTLED);
  });

  it('§4.2 POST /chat/new: target lookup, then self, then privilege, then content', async () => {
    const missing = await api(emu, alice.token, 'POST', '/chat/new', { target_id: 999, message: '' });
    expect([missing.status, missing.body]).toEqual([422, { error: 'target user not found' }]);
    const self = await api(emu, alice.token, 'POST', '/chat/new', { target_id: alice.id, message: '' });
    expect([self.status, self.body]).toEqual([422, { error: "can't send message to same user" }]);
    emu.setBlock(bob.id, alice.id, true);
    const blocked = await api(emu, alice.token, 'POST', '/chat/new', { target_id: bob.id, message: '' });
    expect(blocked.status).toBe(403);
    emu.setBlock(bob.id, alice.id, false);
    const blank = await api(emu, alice.token, 'POST', '/chat/new', { target_id: bob.id, message: ' \r\n ' });
    expect([blank.status, blank.body]).toEqual([422, BLANK]);
    // One transaction: the failed message leaves no PM channel behind.
    expect(emu.state().channels.map((c) => c.type)).toEqual(['PUBLIC']);
  });
});

describe('§4.2 blank messages', () => {
  it.each([
    ['missing', {}],
    ['null', { message: null }],
    ['empty', { message: '' }],
    ['spaces', { message: '   ' }],
    ['tab and vertical tab', { message: '\t\u000b ' }],
    ['NUL', { message: '\u0000' }],
    ['LF only', { message: '\n' }],
    ['CR only', { message: '\r' }],
    ['CRLF and spaces', { message: ' \r\n \n\r ' }],
  ])('§4.2 %s → 422 "Cannot send blank message."', async (_name, body) => {
    const response = await send(alice, osu, body);
    expect(response.status).toBe(422);
    expect(response.body).toEqual(BLANK);
    expect(emu.state().messages).toEqual([]);
  });

  it.each([
    ['no-break space', '\u00a0'],
    ['ideographic space', '\u3000'],
    ['form feed', '\f'],
  ])('§4.2 PHP trim() keeps a %s, so it is not blank', async (_name, message) => {
    const response = await send(alice, osu, { message });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ content: message });
  });
});

describe('§4.2 message length: code points, measured after trimming and filters', () => {
  it('§4.2 450 characters are accepted, 451 → 422 too long', async () => {
    expect((await sendFresh(alice, osu, { message: 'a'.repeat(450) })).status).toBe(200);
    const long = await sendFresh(alice, osu, { message: 'a'.repeat(451) });
    expect(long.status).toBe(422);
    expect(long.body).toEqual(TOO_LONG);
  });

  it('§4.2 450 emoji (900 UTF-16 units) are accepted, 451 are not', async () => {
    const ok = await sendFresh(alice, osu, { message: '😀'.repeat(450) });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ content: '😀'.repeat(450) });
    const long = await sendFresh(alice, osu, { message: '😀'.repeat(451) });
    expect(long.status).toBe(422);
    expect(long.body).toEqual(TOO_LONG);
  });

  it('§4.2 surrounding whitespace does not count', async () => {
    const response = await send(alice, osu, { message: `  ${'a'.repeat(450)}\n` });
    expect(response.status).toBe(200);
  });

  it('§4.2 a replace filter that lengthens the text over the limit → 422 too long', async () => {
    emu.setFilters([{ match: 'x', replacement: 'xyz' }]);
    const response = await send(alice, osu, { message: 'x'.repeat(200) });
    expect(response.status).toBe(422);
    expect(response.body).toEqual(TOO_LONG);
  });

  it('§4.2 a replace filter that shortens an over-long text under the limit → accepted', async () => {
    emu.setFilters([{ match: 'verylongbadword', replacement: '*' }]);
    const message = `${'a'.repeat(440)} verylongbadword`;
    expect([...message].length).toBe(456);
    const response = await send(alice, osu, { message });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ content: `${'a'.repeat(440)} *` });
  });
});

describe('§4.2 content processing', () => {
  it.each([
    ['trims both ends', '  hello  ', 'hello'],
    ['trims line breaks before folding them', '\n\nhello\r\n', 'hello'],
    ['LF → one space', 'a\nb', 'a b'],
    ['CR → one space', 'a\rb', 'a b'],
    ['CRLF → one space per character', 'a\r\nb', 'a  b'],
    ['LF LF → two spaces', 'a\n\nb', 'a  b'],
    ['inner tabs and spaces are kept', 'a\t  b', 'a\t  b'],
  ])('§4.2 %s', async (_name, message, content) => {
    const response = await send(alice, osu, { message });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ content });
  });

  it('§4.2 replace filters are case-insensitive and also match inside words', async () => {
    emu.setFilters([{ match: 'darn', replacement: 'd**n' }]);
    const response = await send(alice, osu, { message: 'DARN Darn darn darned' });
    expect(response.body).toMatchObject({ content: 'd**n d**n d**n d**ned' });
  });

  it('§4.2 whitespace_delimited filters only match whole words', async () => {
    emu.setFilters([{ match: 'ass', replacement: '***', whitespace_delimited: true }]);
    const response = await send(alice, osu, { message: 'ass class Ass, assess' });
    expect(response.body).toMatchObject({ content: '*** class ***, assess' });
  });

  it('§4.2 block filters are case-insensitive; whole-word block filters ignore longer words', async () => {
    emu.setFilters([
      { match: 'forbidden', block: true },
      { match: 'no', block: true, whitespace_delimited: true },
    ]);
    const upper = await sendFresh(alice, osu, { message: 'ForBidden' });
    expect([upper.status, upper.body]).toEqual([422, { error: null }]);
    const word = await sendFresh(alice, osu, { message: 'no way' });
    expect([word.status, word.body]).toEqual([422, { error: null }]);
    const longer = await sendFresh(alice, osu, { message: 'nope' });
    expect(longer.status).toBe(200);
  });

  it('§4.2 block filters see the text before any replacement', async () => {
    emu.setFilters([
      { match: 'cat', replacement: 'dog' },
      { match: 'dog', block: true },
    ]);
    const response = await send(alice, osu, { message: 'cat' });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ content: 'dog' });
  });

  it('§4.2 replace filters apply in turn, and replacements are literal text', async () => {
    emu.setFilters([
      { match: 'a', replacement: 'b' },
      { match: 'b', replacement: 'c' },
      { match: 'x', replacement: '$&$1' },
    ]);
    const response = await send(alice, osu, { message: 'a b x' });
    expect(response.body).toMatchObject({ content: 'c c $&$1' });
  });

  it('§4.2 filters apply to PMs and to POST /chat/new', async () => {
    emu.setFilters([{ match: 'darn', replacement: 'd**n' }]);
    const response = await api(emu, alice.token, 'POST', '/chat/new', {
      target_id: bob.id,
      message: 'darn\nit',
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ message: { content: 'd**n it' } });
  });
});

describe('§4.2 ANNOUNCE skips trimming, folding and filters; its limit is 1024 (§4.4)', () => {
  let announcer: TestUser;
  let news: number;
  beforeEach(() => {
    ({ announcer } = setupUsers(emu, ['announcer']));
    emu.updateUser(announcer.id, { announcer: true });
    emu.setFilters([{ match: 'darn', replacement: 'd**n' }]);
    news = emu.createChannel({ name: '#news', type: 'ANNOUNCE', members: [alice.id, announcer.id] }).channel
      .channel_id;
  });

  it('§4.2 the create request keeps its message verbatim', async () => {
    const message = '  line one\r\nline two darn  ';
    const response = await api(emu, announcer.token, 'POST', '/chat/channels', {
      type: 'ANNOUNCE',
      target_ids: [alice.id],
      channel: { name: '#event', description: 'an event' },
      message,
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ recent_messages: [{ content: message, type: 'markdown' }] });
  });

  it('§4.2 sends keep multi-line content, whitespace-only content is not blank', async () => {
    const multi = await sendFresh(announcer, news, { message: '\n# title\n\n- darn\n' });
    expect(multi.status).toBe(200);
    expect(multi.body).toMatchObject({ content: '\n# title\n\n- darn\n', type: 'markdown' });
    const spaces = await sendFresh(announcer, news, { message: '   ' });
    expect(spaces.status).toBe(200);
    expect(spaces.body).toMatchObject({ content: '   ' });
    const empty = await sendFresh(announcer, news, { message: '' });
    expect(empty.status).toBe(422);
    expect(empty.body).toEqual(BLANK);
  });

  it('§4.4 1024 characters are accepted, 1025 → 422 too long', async () => {
    expect((await sendFresh(announcer, news, { message: 'a'.repeat(1024) })).status).toBe(200);
    const long = await sendFresh(announcer, news, { message: 'a'.repeat(1025) });
    expect(long.status).toBe(422);
    expect(long.body).toEqual(TOO_LONG);
  });
});
