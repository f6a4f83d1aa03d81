// The backfill's heal point, with the HTTP side stubbed (one held page): a socket that drops again while a
// backfill runs must leave the next backfill starting where this one got to, not after newer messages.
import { describe, expect, it } from 'vitest';
import { placeholderChannel } from '../state/chatState.js';
import { HistoryLoader } from '../state/history.js';
import { ChatStore } from '../state/store.js';
import type { ChatHttp } from '../transport/http.js';
import { sentMessage } from './helpers.js';

function wireMessage(id: number) {
  return {
    message_id: id,
    channel_id: 12,
    sender_id: 2,
    content: `message ${id}`,
    is_action: false,
    timestamp: '2025-01-01T12:00:00Z',
    type: 'plain',
  };
}

function setup() {
  const store = new ChatStore({ messageCap: 500, leftIgnoreMs: 60_000 });
  store.dispatch({
    type: 'channel.upserted',
    channel: { ...placeholderChannel(12), name: '#c', loaded: true },
  });
  store.dispatch({
    type: 'history.loaded',
    channelId: 12,
    direction: 'latest',
    messages: [sentMessage(4, 12)],
    users: [],
  });
  let answer: (page: unknown) => void = () => {};
  const queries: unknown[] = [];
  const http = {
    request: (_method: string, _path: string, options: { query?: unknown }) => {
      queries.push(options.query);
      return new Promise((resolve) => {
        answer = resolve;
      });
    },
  } as unknown as ChatHttp;
  const history = new HistoryLoader({ store, http, onError: () => {}, maxBackfillPages: 20 });
  /** The user's own send (29) comes back over HTTP, newer than anything the backfill saw. */
  const ownSendAnswered = (): void => {
    store.dispatch({
      type: 'history.loaded',
      channelId: 12,
      direction: 'newer',
      messages: [sentMessage(29, 12)],
      users: [],
    });
  };
  return { history, queries, ownSendAnswered, answer: (page: unknown) => answer(page) };
}

describe('HistoryLoader heal point', () => {
  it('keeps healing from where a backfill got to when delivery was at risk again while it ran', async () => {
    const { history, answer, ownSendAnswered } = setup();
    history.markRisk();
    const backfill = history.backfill(12, 21);
    history.markRisk(); // the socket drops while the page is on its way
    answer({ messages: [wireMessage(21)], users: [] });
    await backfill;
    // Message 26 is posted while the socket is down; the user's own send (29) comes back over HTTP.
    ownSendAnswered();
    expect(history.cursor(12)).toBe(21);
  });

  it('keeps the heal point when the socket dropped after the reconnect that asked for the backfill', async () => {
    const { history, answer, ownSendAnswered } = setup();
    history.markRisk();
    const askedAt = history.risks; // live again: the client asks for a heal
    history.markRisk(); // the socket drops before the backfill starts
    const backfill = history.backfill(12, 21, askedAt);
    answer({ messages: [wireMessage(21)], users: [] });
    await backfill;
    ownSendAnswered();
    expect(history.cursor(12)).toBe(21);
  });

  it('forgets the heal point once a backfill with no new risk reached its target', async () => {
    const { history, answer, ownSendAnswered } = setup();
    history.markRisk();
    const backfill = history.backfill(12, 21);
    answer({ messages: [wireMessage(21)], users: [] });
    expect(await backfill).toBe('live');
    ownSendAnswered();
    expect(history.cursor(12)).toBe(29);
  });
});
