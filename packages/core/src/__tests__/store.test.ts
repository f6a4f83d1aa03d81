// The store's batching of socket frames, with fake timers: a lone frame is applied on the next turn of the
// event loop, and a burst is applied at most once per BURST_INTERVAL_MS.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChatAction } from '../state/actions.js';
import { placeholderChannel } from '../state/chatState.js';
import { BURST_INTERVAL_MS, ChatStore } from '../state/store.js';
import { sentMessage } from './helpers.js';

function received(id: number): ChatAction {
  return { type: 'messages.received', messages: [sentMessage(id)], users: [], at: 0 };
}

describe('ChatStore batching', () => {
  let store: ChatStore;
  let changes: number;
  const ids = () => store.snapshot.messages.get(10)?.messages.map((m) => m.id) ?? [];

  beforeEach(() => {
    vi.useFakeTimers();
    store = new ChatStore({ messageCap: 500, leftIgnoreMs: 60_000 });
    store.dispatch({
      type: 'channel.upserted',
      channel: { ...placeholderChannel(10), name: '#c', loaded: true },
    });
    vi.advanceTimersByTime(BURST_INTERVAL_MS);
    changes = 0;
    store.state.subscribe(() => {
      changes += 1;
    });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('applies the frames of one turn together, on the next turn', () => {
    store.enqueue(received(1));
    store.enqueue(received(2));
    expect(ids()).toEqual([]);
    vi.advanceTimersToNextTimer();
    expect(ids()).toEqual([1, 2]);
    expect(changes).toBe(1);
  });

  it('in a burst, waits out the interval since the last state change, then applies everything at once', () => {
    store.enqueue(received(1));
    vi.advanceTimersToNextTimer();
    expect(changes).toBe(1);
    for (let id = 2; id <= 50; id += 1) {
      store.enqueue(received(id));
      vi.advanceTimersByTime(BURST_INTERVAL_MS / 8);
    }
    // 49 frames over 6 turns of the interval: at most one more state change per interval.
    expect(changes).toBeLessThanOrEqual(1 + Math.ceil((49 * BURST_INTERVAL_MS) / 8 / BURST_INTERVAL_MS));
    vi.advanceTimersByTime(BURST_INTERVAL_MS);
    expect(ids()).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('applies a local action at once, after anything queued', () => {
    store.enqueue(received(1));
    store.dispatch({ type: 'read.marked', channelId: 10, messageId: 1 });
    expect(ids()).toEqual([1]);
    expect(store.snapshot.channels.get(10)?.lastReadId).toBe(1);
  });
});
