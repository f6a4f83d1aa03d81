import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChatError } from '../errors.js';
import type { ChatAction } from '../state/actions.js';
import { type ChatState, INITIAL_STATE, placeholderChannel } from '../state/chatState.js';
import { reduce } from '../state/reducer.js';
import { computeUnread, mentions, sortChannels } from '../state/selectors.js';
import type { Channel, Message, User } from '../types.js';
import { sentMessage as message } from './helpers.js';

const options = { messageCap: 20, leftIgnoreMs: 60_000 };
const me: User = {
  id: 1,
  username: 'Mio Chan',
  avatarUrl: null,
  countryCode: 'JP',
  isBot: false,
  isOnline: true,
  isSupporter: false,
  profileColour: null,
  pmFriendsOnly: false,
};

function channel(id: number, patch: Partial<Channel> = {}): Channel {
  return { ...placeholderChannel(id), name: `#c${id}`, loaded: true, ...patch };
}

function pending(localId: string, channelId = 10, content = 'hi'): Message {
  return {
    ...message(0, channelId),
    key: localId,
    id: null,
    senderId: me.id,
    content,
    status: 'pending',
    localId,
  };
}

function run(actions: ChatAction[], state: ChatState = INITIAL_STATE): ChatState {
  return reduce(state, actions, options);
}

const setup: ChatAction[] = [
  { type: 'me', user: me },
  { type: 'channel.upserted', channel: channel(10) },
  { type: 'channel.upserted', channel: channel(11) },
];

const received = (messages: Message[], at = 0): ChatAction => ({
  type: 'messages.received',
  messages,
  users: [],
  at,
});

describe('messages', () => {
  it('keeps messages ordered by id and drops duplicates from socket and history', () => {
    const state = run([
      ...setup,
      received([message(5), message(3)]),
      {
        type: 'history.loaded',
        channelId: 10,
        direction: 'newer',
        messages: [message(3), message(4)],
        users: [],
      },
      received([message(5)]),
    ]);
    expect(state.messages.get(10)?.messages.map((m) => m.id)).toEqual([3, 4, 5]);
  });

  it('merges the socket echo into the pending send by uuid and keeps its key', () => {
    let state = run([...setup, { type: 'send.pending', message: pending('u1') }]);
    state = run(
      [received([message(7, 10, { senderId: me.id, content: 'hi', localId: 'u1', key: 'u1' })])],
      state,
    );
    const list = state.messages.get(10)?.messages ?? [];
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: 7, key: 'u1', status: 'sent' });
    // The HTTP answer arriving second merges into the same message.
    state = run([{ type: 'send.sent', localId: 'u1', message: message(7, 10, { senderId: me.id }) }], state);
    expect(state.messages.get(10)?.messages).toHaveLength(1);
  });

  it('moves the read marker to an own send that merged into a copy already here', () => {
    // The copy here does not say whose it is (fast-check found this order): the confirmed send does.
    const state = run([
      ...setup,
      received([message(54)]),
      { type: 'send.pending', message: pending('l5') },
      { type: 'send.sent', localId: 'l5', message: message(54, 10, { senderId: me.id }) },
    ]);
    expect(state.channels.get(10)).toMatchObject({ lastMessageId: 54, lastReadId: 54 });
  });

  it('merges a pending send into its message when a history page brought that message first, without its uuid', () => {
    let state = run([...setup, { type: 'send.pending', message: pending('l1') }]);
    state = run(
      [
        {
          type: 'history.loaded',
          channelId: 10,
          direction: 'newer',
          messages: [message(16, 10, { senderId: me.id, content: 'hi' })],
          users: [],
        },
      ],
      state,
    );
    state = run(
      [
        {
          type: 'messages.received',
          messages: [message(16, 10, { senderId: me.id, content: 'hi', key: 'l1', localId: 'l1' })],
          users: [],
          at: 0,
        },
      ],
      state,
    );
    const list = state.messages.get(10)?.messages ?? [];
    expect(list.map((m) => [m.key, m.id, m.status])).toEqual([['l1', 16, 'sent']]);
  });

  it('moves the read marker for own messages and the last message id for all', () => {
    const state = run([...setup, received([message(8), message(9, 10, { senderId: me.id })])]);
    expect(state.channels.get(10)).toMatchObject({ lastMessageId: 9, lastReadId: 9 });
  });

  it('evicts the oldest sent messages past the cap but never pending or failed ones', () => {
    const many = Array.from({ length: 30 }, (_, i) => message(i + 1));
    const state = run([
      ...setup,
      { type: 'send.pending', message: pending('p1') },
      { type: 'send.pending', message: pending('f1') },
      { type: 'send.failed', localId: 'f1', error: new ChatError('http', 'no', { status: 422 }) },
      received(many),
    ]);
    const list = state.messages.get(10);
    expect(list?.messages.filter((m) => m.status === 'sent').map((m) => m.id)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 11),
    );
    expect(list?.messages.slice(-2).map((m) => m.status)).toEqual(['pending', 'failed']);
    expect(list?.hasMore).toBe(true);
  });

  it('an empty older page means there is nothing older', () => {
    const state = run([
      ...setup,
      received([message(5)]),
      { type: 'history.loaded', channelId: 10, direction: 'older', messages: [], users: [] },
    ]);
    expect(state.messages.get(10)?.hasMore).toBe(false);
  });

  it('keeps older pages past the cap until they are released, then evicts at the next live message', () => {
    const older = (ids: number[]): ChatAction => ({
      type: 'history.loaded',
      channelId: 10,
      direction: 'older',
      messages: ids.map((id) => message(id)),
      users: [],
    });
    const sentIds = (state: ChatState) => state.messages.get(10)?.messages.map((m) => m.id);
    const kept = run([
      ...setup,
      received(Array.from({ length: 20 }, (_, i) => message(i + 11))),
      older(Array.from({ length: 10 }, (_, i) => i + 1)),
      received([message(31)]),
    ]);
    expect(sentIds(kept)).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
    expect(kept.messages.get(10)?.keepsOlder).toBe(true);

    const released = reduce(kept, [{ type: 'older.released', channelId: 10 }], options);
    expect(released.messages.get(10)?.keepsOlder).toBe(false);
    expect(sentIds(released)).toEqual(sentIds(kept));
    const evicted = reduce(released, [received([message(32)])], options);
    expect(sentIds(evicted)).toEqual(Array.from({ length: 20 }, (_, i) => i + 13));
  });

  it('releasing older pages of a channel without messages changes nothing', () => {
    const state = run(setup);
    expect(reduce(state, [{ type: 'older.released', channelId: 10 }], options)).toBe(state);
  });

  it('removes silenced users’ messages from PUBLIC channels only', () => {
    const state = run([
      ...setup,
      { type: 'channel.upserted', channel: channel(12, { type: 'PM', userIds: [1, 2] }) },
      received([message(1, 10), message(2, 12), message(3, 10, { senderId: 3 })]),
      { type: 'users.silenced', userIds: [2] },
    ]);
    expect(state.messages.get(10)?.messages.map((m) => m.id)).toEqual([3]);
    expect(state.messages.get(12)?.messages.map((m) => m.id)).toEqual([2]);
  });
});

describe('channels', () => {
  it('keeps a channel object identical while nothing changed', () => {
    const first = run(setup);
    const second = run([{ type: 'channel.upserted', channel: channel(10) }], first);
    expect(second).toBe(first);
    expect(second.channels.get(10)).toBe(first.channels.get(10));
  });

  it('a message in one channel changes nothing of another', () => {
    const first = run([...setup, received([message(1, 11)])]);
    const second = run([received([message(2, 10)])], first);
    expect(second.channels.get(11)).toBe(first.channels.get(11));
    expect(second.messages.get(11)).toBe(first.messages.get(11));
    expect(second.messages.get(10)).not.toBe(first.messages.get(10));
  });

  it('a message for an unknown channel keeps the message under a placeholder', () => {
    const state = run([...setup, received([message(4, 99)])]);
    expect(state.channels.get(99)?.loaded).toBe(false);
    expect(state.messages.get(99)?.messages.map((m) => m.id)).toEqual([4]);
  });

  it('ignores stray messages for a PUBLIC channel just left, for 60 s', () => {
    let state = run([...setup, { type: 'channel.removed', channelId: 10, at: 1000 }]);
    state = run([received([message(4, 10)], 30_000)], state);
    expect(state.channels.has(10)).toBe(false);
    state = run([received([message(5, 10)], 61_001)], state);
    expect(state.channels.get(10)?.loaded).toBe(false);
  });

  it('promotes a draft PM: its pending message moves to the real channel, the draft id aliases it', () => {
    const draft = channel(-2, { type: 'PM', draft: true, userIds: [1, 2] });
    let state = run([
      ...setup,
      { type: 'draft.created', channel: draft },
      { type: 'send.pending', message: pending('u9', -2) },
    ]);
    state = run(
      [{ type: 'draft.promoted', draftId: -2, channel: channel(50, { type: 'PM', userIds: [1, 2] }) }],
      state,
    );
    expect(state.channels.has(-2)).toBe(false);
    expect(state.aliases.get(-2)).toBe(50);
    expect(state.messages.get(50)?.messages.map((m) => m.key)).toEqual(['u9']);
  });

  it('sorts like osu-web: public by name, PMs by last message, drafts first', () => {
    const sorted = sortChannels([
      channel(1, { name: '#osu' }),
      channel(2, { name: '#help' }),
      channel(3, { type: 'PM', name: 'A', lastMessageId: 5 }),
      channel(4, { type: 'PM', name: 'B', lastMessageId: 9 }),
      channel(-5, { type: 'PM', name: 'C', draft: true }),
    ]);
    expect(sorted.map((c) => c.id)).toEqual([2, 1, -5, 4, 3]);
  });
});

describe('unread', () => {
  it('counts unread messages when loaded back to the marker, and mentions of the user', () => {
    const state = run([
      ...setup,
      { type: 'channel.upserted', channel: channel(10, { lastReadId: 2 }) },
      received([message(2), message(3, 10, { content: 'hey mio_chan!' }), message(4)]),
    ]);
    const unread = computeUnread(state.channels.get(10) as Channel, state.messages.get(10), me);
    expect(unread).toMatchObject({ count: 2, hasUnread: true, mentions: 1 });
  });

  it('is a boolean when the loaded messages do not reach the marker', () => {
    const state = run([
      ...setup,
      { type: 'channel.upserted', channel: channel(10, { lastReadId: 2, lastMessageId: 40 }) },
      received([message(30)]),
    ]);
    expect(computeUnread(state.channels.get(10) as Channel, state.messages.get(10), me)).toMatchObject({
      count: null,
      hasUnread: true,
    });
  });

  it('detects mentions with spaces written as underscores, as whole words only', () => {
    expect(mentions('hi Mio_Chan', 'Mio Chan')).toBe(true);
    expect(mentions('@mio chan o/', 'Mio Chan')).toBe(true);
    expect(mentions('hi Mio Chance', 'Mio Chan')).toBe(false);
  });
});

describe('reducer invariants (property-based)', () => {
  const ids = fc.integer({ min: 1, max: 60 });
  const channelId = fc.constantFrom(10, 11, 99);
  const action: fc.Arbitrary<ChatAction> = fc.oneof(
    fc.record({ ids: fc.array(ids, { maxLength: 8 }), channelId }).map(({ ids, channelId }) =>
      received(
        ids.map((id) => message(id, channelId)),
        0,
      ),
    ),
    fc
      .record({
        ids: fc.array(ids, { maxLength: 8 }),
        channelId,
        direction: fc.constantFrom('latest', 'older', 'newer'),
      })
      .map(
        ({ ids, channelId, direction }): ChatAction => ({
          type: 'history.loaded',
          channelId,
          direction: direction as 'latest' | 'older' | 'newer',
          messages: [...new Set(ids)].sort((a, b) => a - b).map((id) => message(id, channelId)),
          users: [],
        }),
      ),
    // The outbox only sends to channels in the list.
    fc
      .record({ n: fc.integer({ min: 1, max: 6 }), channelId: fc.constantFrom(10, 11) })
      .map(({ n, channelId }) => ({
        type: 'send.pending' as const,
        message: pending(`l${n}`, channelId),
      })),
    fc.record({ n: fc.integer({ min: 1, max: 6 }), id: ids }).map(({ n, id }) => ({
      type: 'send.sent' as const,
      localId: `l${n}`,
      message: message(id, 10, { senderId: me.id }),
    })),
    fc.integer({ min: 1, max: 6 }).map((n) => ({
      type: 'send.failed' as const,
      localId: `l${n}`,
      error: new ChatError('network', 'x'),
    })),
    fc.integer({ min: 1, max: 6 }).map((n) => ({ type: 'send.discarded' as const, localId: `l${n}` })),
    fc
      .array(fc.integer({ min: 1, max: 4 }), { maxLength: 2 })
      .map((userIds) => ({ type: 'users.silenced' as const, userIds })),
  );

  it('keeps every channel sorted, unique, pending last, within the cap, and never loses an unsent message', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(action, { minLength: 1, maxLength: 5 }), { maxLength: 25 }),
        (batches) => {
          let state = run(setup);
          // The outbox makes a local id pending once, and reports it sent at most once after that.
          const made = new Set<string>();
          const done = new Set<string>();
          const unsent = new Set<string>();
          for (const generated of batches) {
            const batch = generated.filter((a) => {
              if (a.type === 'send.pending') {
                if (made.has(a.message.key)) return false;
                made.add(a.message.key);
                unsent.add(a.message.key);
              }
              if (a.type === 'send.sent' || a.type === 'send.discarded') {
                if (!made.has(a.localId) || done.has(a.localId)) return false;
                done.add(a.localId);
                unsent.delete(a.localId);
              }
              return true;
            });
            state = reduce(state, batch, options);
          }
          for (const list of state.messages.values()) {
            const sent = list.messages.filter((m) => m.status === 'sent');
            const firstUnsent = list.messages.findIndex((m) => m.status !== 'sent');
            if (firstUnsent >= 0)
              expect(list.messages.slice(firstUnsent).every((m) => m.status !== 'sent')).toBe(true);
            for (let i = 1; i < sent.length; i += 1) {
              expect((sent[i]?.id as number) > (sent[i - 1]?.id as number)).toBe(true);
            }
            const keys = list.messages.map((m) => m.key);
            expect(new Set(keys).size).toBe(keys.length);
          }
          const present = new Set(
            [...state.messages.values()].flatMap((l) =>
              l.messages.filter((m) => m.status !== 'sent').map((m) => m.key),
            ),
          );
          for (const key of unsent) expect(present.has(key)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives the same state whether a stream of actions comes in one batch or one by one', () => {
    // With the cap out of reach: eviction runs once per batch, so what it drops depends on batching.
    const uncapped = { ...options, messageCap: 10_000 };
    fc.assert(
      fc.property(fc.array(action, { maxLength: 40 }), (actions) => {
        const start = run(setup);
        const batched = reduce(start, actions, uncapped);
        const single = actions.reduce((state, a) => reduce(state, [a], uncapped), start);
        expect(batched).toEqual(single);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps each channel’s last message id at its newest message, and the read marker at the user’s own', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(action, { minLength: 1, maxLength: 5 }), { maxLength: 25 }),
        (batches) => {
          const state = batches.reduce((s, batch) => reduce(s, batch, options), run(setup));
          for (const [channelId, list] of state.messages) {
            const channel = state.channels.get(channelId);
            const sent = list.messages.filter((m) => m.status === 'sent');
            const newest = sent[sent.length - 1];
            if (!channel || !newest) continue;
            expect(channel.lastMessageId).toBeGreaterThanOrEqual(newest.id as number);
            const own = sent.filter((m) => m.senderId === me.id);
            const ownNewest = own[own.length - 1];
            if (ownNewest) expect(channel.lastReadId).toBeGreaterThanOrEqual(ownNewest.id as number);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
