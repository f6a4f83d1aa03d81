// Random frames, hostile ones among them, through the decoder and the reducer, as the socket would deliver
// them: every frame is either a typed frame or a ChatError of kind `protocol` (never a TypeError from deep
// inside), and whatever got through leaves every channel sorted by id, each message once, unsent ones last
// and every send still there (pending, failed, or merged with its echo). Nothing reaches Object.prototype.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChatError, isChatError } from '../index.js';
import type { ChatAction } from '../state/actions.js';
import { type ChatState, INITIAL_STATE, placeholderChannel } from '../state/chatState.js';
import { reduce } from '../state/reducer.js';
import { parseFrame } from '../transport/frames.js';
import type { Message } from '../types.js';

/** A cap no generated run reaches: eviction is the reducer tests' subject, not this one's. */
const OPTIONS = { messageCap: 1000, leftIgnoreMs: 60_000 };

describe('any frame (property-based)', () => {
  const goodId = fc.integer({ min: 1, max: 300 });
  const badId = fc.oneof(
    fc.integer({ min: -5, max: 0 }),
    fc.double(),
    fc.constant(2 ** 53),
    fc.string({ maxLength: 3 }),
  );
  const id = fc.oneof({ arbitrary: goodId, weight: 8 }, { arbitrary: badId, weight: 1 });
  const channel = fc.oneof(
    { arbitrary: fc.constantFrom(10, 11, 12), weight: 8 },
    { arbitrary: fc.constantFrom(-1, 1.5, '10', null), weight: 1 },
  );
  const messageJson = fc.record(
    {
      message_id: id,
      channel_id: channel,
      sender_id: fc.constantFrom(1, 2, 3, 0),
      content: fc.oneof(
        { arbitrary: fc.string({ maxLength: 8 }), weight: 8 },
        { arbitrary: fc.integer(), weight: 1 },
      ),
      timestamp: fc.oneof(
        { arbitrary: fc.constant('2025-01-01T12:00:00Z'), weight: 8 },
        { arbitrary: fc.string(), weight: 1 },
      ),
      is_action: fc.boolean(),
      // Echoes of the user's own sends.
      uuid: fc.constantFrom('l1', 'l2', 'l3', null),
    },
    { requiredKeys: ['message_id', 'channel_id', 'sender_id', 'content', 'timestamp'] },
  );
  const user = fc.record({
    id: fc.oneof(fc.constantFrom(1, 2, 3), badId),
    username: fc.oneof(fc.string(), fc.nat()),
  });
  const withHostileKeys = (json: string, on: boolean) =>
    on
      ? json.replaceAll(
          '{"',
          '{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 1}}, "',
        )
      : json;
  const frame = fc.oneof(
    {
      arbitrary: fc
        .tuple(fc.array(messageJson, { maxLength: 4 }), fc.array(user, { maxLength: 2 }), fc.boolean())
        .map(([messages, users, hostile]) =>
          withHostileKeys(JSON.stringify({ event: 'chat.message.new', data: { messages, users } }), hostile),
        ),
      weight: 6,
    },
    fc
      .record({
        channel_id: fc.oneof(channel, goodId),
        name: fc.oneof(fc.string(), fc.nat()),
        type: fc.constantFrom('PUBLIC', 'PM', 'BOGUS'),
      })
      .map((data) => JSON.stringify({ event: 'chat.channel.join', data })),
    // Never the channel holding the sends: leaving it drops them, rightly.
    fc
      .constantFrom(11, 12, 99, -1, 1.5, '10')
      .map((id) => JSON.stringify({ event: 'chat.channel.part', data: { channel_id: id } })),
    fc.json(),
    fc.string(),
  );

  function start(): ChatState {
    const me = {
      id: 1,
      username: 'me',
      avatarUrl: null,
      countryCode: '',
      isBot: false,
      isOnline: true,
      isSupporter: false,
      profileColour: null,
      pmFriendsOnly: false,
    };
    const pending = (localId: string): Message => ({
      key: localId,
      id: null,
      channelId: 10,
      senderId: 1,
      content: localId,
      isAction: false,
      timestamp: 0,
      type: 'plain',
      status: 'pending',
      localId,
      error: null,
    });
    return reduce(
      INITIAL_STATE,
      [
        { type: 'me', user: me },
        { type: 'channel.upserted', channel: { ...placeholderChannel(10), name: '#a', loaded: true } },
        { type: 'channel.upserted', channel: { ...placeholderChannel(11), name: '#b', loaded: true } },
        { type: 'send.pending', message: pending('l1') },
        { type: 'send.pending', message: pending('l2') },
        { type: 'send.pending', message: pending('l3') },
        { type: 'send.failed', localId: 'l3', error: new ChatError('network', 'offline') },
      ],
      OPTIONS,
    );
  }

  it('decodes to a typed frame or a `protocol` error; the state stays sorted and unique and keeps every send', () => {
    fc.assert(
      fc.property(fc.array(fc.array(frame, { maxLength: 8 }), { maxLength: 8 }), (batches) => {
        let state = start();
        for (const batch of batches) {
          const actions: ChatAction[] = [];
          for (const raw of batch) {
            let parsed: ReturnType<typeof parseFrame>;
            try {
              parsed = parseFrame(raw);
            } catch (error) {
              expect(isChatError(error) && error.kind === 'protocol').toBe(true);
              continue;
            }
            if (parsed.type === 'messages')
              actions.push({
                type: 'messages.received',
                messages: parsed.messages,
                users: parsed.users,
                at: 0,
              });
            if (parsed.type === 'channelJoin')
              actions.push({ type: 'channel.upserted', channel: parsed.channel });
            if (parsed.type === 'channelPart')
              actions.push({ type: 'channel.removed', channelId: parsed.channelId, at: 0 });
          }
          state = reduce(state, actions, OPTIONS);
        }
        for (const list of state.messages.values()) {
          const firstUnsent = list.messages.findIndex((m) => m.status !== 'sent');
          const sent = firstUnsent < 0 ? list.messages : list.messages.slice(0, firstUnsent);
          expect(list.messages.slice(sent.length).every((m) => m.status !== 'sent')).toBe(true);
          for (let i = 1; i < sent.length; i += 1)
            expect((sent[i] as Message).id).toBeGreaterThan((sent[i - 1] as Message).id as number);
          expect(new Set(list.messages.map((m) => m.key)).size).toBe(list.messages.length);
        }
        // Every send is still there: pending, failed, or merged with its echo.
        const keys = new Set(state.messages.get(10)?.messages.map((m) => m.key));
        for (const localId of ['l1', 'l2', 'l3']) expect(keys.has(localId)).toBe(true);
        expect(Object.prototype).not.toHaveProperty('polluted');
      }),
      { numRuns: 300 },
    );
  });
});
