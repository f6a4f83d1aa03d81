// Render counts: what a socket message costs in React. A message in one channel renders the components that
// read that channel once per store batch and nothing that reads another channel; a burst of 1,000 messages
// costs a bounded number of commits. Every count is taken in normal mode and under StrictMode.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ChatClient, useChannel, useChannels, useMessages, useUnread } from '../index.js';
import {
  Counts,
  eventually,
  MODES,
  newClient,
  type Rig,
  renderChat,
  settle,
  startRig,
  stopRig,
  waitUntilLoaded,
} from './harness.js';

/** A burst in one tick: 1,000 messages, each its own socket frame. */
const BURST = 1000;
/**
 * The commit bound for that burst. The store folds every frame of one microtask into one state change, and
 * `ws` hands over all the frames of one socket read in one go, so a commit costs at least one socket read (up
 * to 64 KiB, ~100 of these ~550-byte frames). Measured: 9–10 commits for the ~550 KB burst. 50 leaves 5× room
 * for smaller reads on a slow machine and is still 20× fewer than one commit per message.
 */
const BURST_COMMIT_BOUND = 50;

let rig: Rig;
beforeEach(async () => {
  rig = await startRig();
});
afterEach(stopRig);

describe.each(MODES)('render counts (%s)', (_, Mode) => {
  let counts: Counts;
  beforeEach(() => {
    counts = new Counts(Mode);
  });

  /** Reads everything about one channel: its details, its messages and its unread state. */
  function ChannelView({ id, label }: { id: number; label: string }) {
    counts.rendered(label);
    const channel = useChannel(id);
    const { messages } = useMessages(id);
    const unread = useUnread(id);
    return (
      <p data-testid={label}>
        {channel?.name} {messages.length} {unread?.count ?? '-'}
      </p>
    );
  }

  function ChannelList() {
    counts.rendered('list');
    return <p>{useChannels().length}</p>;
  }

  /** Renders a view of A and one of B, waits until both are loaded and quiet, then zeroes the counters. */
  async function renderBoth(client: ChatClient) {
    const { Counted } = counts;
    const view = renderChat(
      client,
      <>
        <Counted id="A">
          <ChannelView id={rig.a} label="A" />
        </Counted>
        <Counted id="B">
          <ChannelView id={rig.b} label="B" />
        </Counted>
        <Counted id="list">
          <ChannelList />
        </Counted>
      </>,
      Mode,
    );
    await waitUntilLoaded(client, [rig.a, rig.b]);
    await eventually(() => expect(view.getByTestId('B').textContent).toBe('#mapping 0 0'));
    await settle();
    counts.reset();
    return view;
  }

  /** Counts the state changes the client's `messages(A)` Readable announces: the store batches for A. */
  function countBatches(client: ChatClient): { readonly count: number } {
    const batches = { count: 0 };
    client.messages(rig.a).subscribe(() => {
      batches.count += 1;
    });
    return batches;
  }

  it('a message in A renders the A component once and nothing that reads B', async () => {
    const { client } = newClient(rig);
    const view = await renderBoth(client);
    const batches = countBatches(client);

    rig.emu.postMessage(rig.a, { sender_id: rig.bob.id, content: 'hello A' });
    await eventually(() => expect(view.getByTestId('A').textContent).toBe('#osu 1 1'));
    await settle();

    expect(batches.count).toBe(1);
    expect(counts.of('A')).toEqual({ renders: counts.perRender, commits: 1 });
    expect(counts.of('B')).toEqual({ renders: 0, commits: 0 });
    // The list's channel A changed (its last message id), so the list renders too, once.
    expect(counts.of('list').commits).toBeLessThanOrEqual(1);
  });

  it(`a burst of ${BURST} messages in A costs at most one commit per batch, at most ${BURST_COMMIT_BOUND}, and none in B`, async () => {
    const { client } = newClient(rig, { messageCap: 2 * BURST });
    const view = await renderBoth(client);
    const batches = countBatches(client);

    for (let i = 1; i <= BURST; i += 1) {
      rig.emu.postMessage(rig.a, { sender_id: rig.bob.id, content: `burst message number ${i}` });
    }
    await eventually(() => expect(view.getByTestId('A').textContent).toBe(`#osu ${BURST} ${BURST}`));
    await settle();

    const { renders, commits } = counts.of('A');
    expect(commits).toBeGreaterThanOrEqual(1);
    expect(commits).toBeLessThanOrEqual(batches.count);
    expect(commits).toBeLessThanOrEqual(BURST_COMMIT_BOUND);
    expect(renders).toBe(commits * counts.perRender);
    expect(counts.of('list').commits).toBeLessThanOrEqual(batches.count);
    expect(counts.of('B')).toEqual({ renders: 0, commits: 0 });
  });

  it('a message in B leaves the A component alone, and the A component still sees its own later messages', async () => {
    const { client } = newClient(rig);
    const view = await renderBoth(client);

    rig.emu.postMessage(rig.b, { sender_id: rig.bob.id, content: 'only B' });
    await eventually(() => expect(view.getByTestId('B').textContent).toBe('#mapping 1 1'));
    await settle();
    expect(counts.of('A')).toEqual({ renders: 0, commits: 0 });
    expect(counts.of('B').commits).toBe(1);

    rig.emu.postMessage(rig.a, { sender_id: rig.bob.id, content: 'now A' });
    await eventually(() => expect(view.getByTestId('A').textContent).toBe('#osu 1 1'));
    await settle();
    expect(counts.of('A').commits).toBe(1);
    expect(counts.of('B').commits).toBe(1);
  });
});
