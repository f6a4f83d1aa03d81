// The reading hooks against the emulator, each in normal mode and under StrictMode: the provider's lifetime,
// connection state, the channel list and its order, one channel, history paging, unread state, selectors,
// and the error a hook gives outside a provider.
import { render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  useChannel,
  useChannels,
  useChatClient,
  useChatSelector,
  useConnection,
  useJoinChannel,
  useLeaveChannel,
  useMessages,
  useOpenPrivateChat,
  usePublicChannels,
  useSendMessage,
  useUnread,
  useUser,
} from '../index.js';
import {
  addUser,
  Counts,
  chatTree,
  eventually,
  MODES,
  newClient,
  type Rig,
  renderChat,
  startRig,
  stopRig,
  waitUntilLoaded,
} from './harness.js';

let rig: Rig;
beforeEach(async () => {
  rig = await startRig();
});
afterEach(stopRig);

const text = (testId: string) => screen.getByTestId(testId).textContent;

describe.each(MODES)('ChatProvider and useConnection (%s)', (_, Mode) => {
  it('goes idle → connecting → live, with one /me request, and disconnects after the last unmount', async () => {
    const { client, requests } = newClient(rig);
    const seen: string[] = [];
    const view = renderChat(client, <Status seen={seen} />, Mode);
    await eventually(() => expect(text('status')).toBe('live alice'));
    await waitUntilLoaded(client, []);

    expect(seen).toEqual(['idle', 'connecting', 'live']);
    // StrictMode runs the provider's effect, its cleanup and the effect again: still one session.
    expect(requests.filter((r) => r.path === '/api/v2/me')).toHaveLength(1);

    view.unmount();
    await rig.clock.advance(0);
    await eventually(() => expect(client.connection.getSnapshot().status).toBe('idle'));
  });
});

describe.each(MODES)('reading hooks (%s)', (_, Mode) => {
  it('useChannels lists public channels by name, then PMs by last message, and reorders live', async () => {
    const carol = addUser(rig.emu, 'carol');
    rig.emu.createChannel({ name: '#taiko', type: 'PUBLIC', members: [rig.alice.id] });
    const withBob = addPm(rig.alice.id, rig.bob.id);
    const withCarol = addPm(rig.alice.id, carol.id);
    rig.emu.postMessage(withBob, { sender_id: rig.bob.id, content: 'older' });
    rig.emu.postMessage(withCarol, { sender_id: carol.id, content: 'newer' });

    const { client } = newClient(rig);
    renderChat(client, <ChannelList />, Mode);
    const publics = 'PUBLIC:#mapping PUBLIC:#osu PUBLIC:#taiko';
    await eventually(() => expect(text('list')).toBe(`${publics} PM:carol PM:bob`));

    rig.emu.postMessage(withBob, { sender_id: rig.bob.id, content: 'newest' });
    await eventually(() => expect(text('list')).toBe(`${publics} PM:bob PM:carol`));
  });

  it('useChannel and useUser give one channel and the users in it', async () => {
    const pm = addPm(rig.alice.id, rig.bob.id);
    rig.emu.postMessage(pm, { sender_id: rig.bob.id, content: 'hi' });
    const { client } = newClient(rig);
    renderChat(
      client,
      <>
        <Header id={rig.a} />
        <Header id={pm} />
      </>,
      Mode,
    );
    await eventually(() => expect(text(`header-${rig.a}`)).toBe('PUBLIC #osu -'));
    await eventually(() => expect(text(`header-${pm}`)).toBe('PM bob bob'));
  });

  it('useMessages pages back with loadOlder until hasMore is false, ascending and without gaps', async () => {
    for (let i = 1; i <= 120; i += 1) rig.emu.postMessage(rig.a, { sender_id: rig.bob.id, content: `m${i}` });
    const { client } = newClient(rig);
    renderChat(client, <History />, Mode);
    await eventually(() => expect(text('history')).toBe('50 m71..m120 more live'));

    screen.getByText('older').click();
    await eventually(() => expect(text('history')).toBe('100 m21..m120 more live'));
    screen.getByText('older').click();
    await eventually(() => expect(text('history')).toBe('120 m1..m120 more live'));
    // osu! has no "start of channel" flag: the next, empty page is what says there is nothing more.
    screen.getByText('older').click();
    await eventually(() => expect(text('history')).toBe('120 m1..m120 all live'));

    const { messages } = client.messages(rig.a).getSnapshot();
    expect(messages.map((m) => m.content)).toEqual(Array.from({ length: 120 }, (_, i) => `m${i + 1}`));
  });

  it('useMessages keeps the older pages it loaded past the cap while mounted, and lets them go after', async () => {
    for (let i = 1; i <= 60; i += 1) rig.emu.postMessage(rig.a, { sender_id: rig.bob.id, content: `m${i}` });
    const { client } = newClient(rig, { messageCap: 60 });
    const view = renderChat(client, <History />, Mode);
    await eventually(() => expect(text('history')).toBe('50 m11..m60 more live'));
    screen.getByText('older').click();
    await eventually(() => expect(text('history')).toBe('60 m1..m60 more live'));

    // Past the cap, but what the user scrolled back to stays while the component shows it.
    for (let i = 61; i <= 70; i += 1) rig.emu.postMessage(rig.a, { sender_id: rig.bob.id, content: `m${i}` });
    await eventually(() => expect(text('history')).toBe('70 m1..m70 more live'));
    expect(client.messages(rig.a).getSnapshot().keepsOlder).toBe(true);

    // The provider stays (the session too); the list goes: the cap applies again at the next message.
    view.rerender(chatTree(client, <p>elsewhere</p>, Mode));
    expect(client.messages(rig.a).getSnapshot().keepsOlder).toBe(false);
    rig.emu.postMessage(rig.a, { sender_id: rig.bob.id, content: 'm71' });
    await eventually(() => {
      const { messages } = client.messages(rig.a).getSnapshot();
      expect([messages.length, messages[0]?.content, messages.at(-1)?.content]).toEqual([60, 'm12', 'm71']);
    });
  });

  it('useUnread(id) counts one channel, useUnread() sums every channel, and reading clears them', async () => {
    const { client } = newClient(rig);
    renderChat(
      client,
      <>
        <Badge id={rig.a} />
        <Badge id={rig.b} />
        <Summary />
      </>,
      Mode,
    );
    await waitUntilLoaded(client, [rig.a, rig.b]);
    expect(text('summary')).toBe('0 0');

    rig.emu.postMessage(rig.a, { sender_id: rig.bob.id, content: 'hello' });
    rig.emu.postMessage(rig.a, { sender_id: rig.bob.id, content: 'are you there, alice?' });
    rig.emu.postMessage(rig.b, { sender_id: rig.bob.id, content: 'new map' });
    await eventually(() => expect(text(`unread-${rig.a}`)).toBe('2 1'));
    await eventually(() => expect(text(`unread-${rig.b}`)).toBe('1 0'));
    expect(text('summary')).toBe('2 1');

    client.markAsRead(rig.a);
    await eventually(() => expect(text(`unread-${rig.a}`)).toBe('0 0'));
    expect(text('summary')).toBe('1 0');
  });

  it('useChatSelector re-renders only when its selection changes, and follows a selector over new props', async () => {
    const { client } = newClient(rig);
    const counts = new Counts(Mode);
    const { Counted } = counts;
    const tree = (word: string) => (
      <>
        <Counted id="last">
          <LastLine counts={counts} />
        </Counted>
        <Counted id="names">
          <Names counts={counts} />
        </Counted>
        <Matching word={word} />
      </>
    );
    const view = render(chatTree(client, tree('cat'), Mode));
    await waitUntilLoaded(client, [rig.a]);
    await eventually(() => expect(text('names')).toBe('#mapping #osu'));
    counts.reset();

    rig.emu.postMessage(rig.a, { sender_id: rig.bob.id, content: 'a dog' });
    await eventually(() => expect(text('last')).toBe('a dog'));
    await waitUntilLoaded(client, [rig.a]);
    expect(counts.of('last')).toEqual({ renders: counts.perRender, commits: 1 });
    // Channel #osu changed (its last message id), so the channel list did; the names did not.
    expect(counts.of('names')).toEqual({ renders: 0, commits: 0 });
    expect(text('matching')).toBe('cat 0');

    view.rerender(chatTree(client, tree('dog'), Mode));
    expect(text('matching')).toBe('dog 1');
  });
});

describe.each(MODES)('outside a ChatProvider (%s)', (_, Mode) => {
  it('every hook that needs the client throws an error that says how to fix it', () => {
    const hooks: [string, () => unknown][] = [
      ['useChatClient', useChatClient],
      ['useConnection', useConnection],
      ['useChannels', useChannels],
      ['useChannel', () => useChannel(1)],
      ['useMessages', () => useMessages(1)],
      ['useSendMessage', () => useSendMessage(1)],
      ['useUnread(id)', () => useUnread(1)],
      ['useUnread()', () => useUnread()],
      ['usePublicChannels', usePublicChannels],
      ['useJoinChannel', useJoinChannel],
      ['useLeaveChannel', useLeaveChannel],
      ['useOpenPrivateChat', useOpenPrivateChat],
      ['useUser', () => useUser(1)],
    ];
    // React and jsdom report the render error on the console too.
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
    for (const [name, hook] of hooks) {
      expect(
        () =>
          render(
            <Mode>
              <Orphan hook={hook} />
            </Mode>,
          ),
        name,
      ).toThrow(/must be used inside <ChatProvider client=\{…\}>.*createChatClient\(\)/);
    }
    consoleError.mockRestore();
  });
});

function addPm(userId: number, otherId: number): number {
  return rig.emu.createChannel({ type: 'PM', members: [userId, otherId] }).channel.channel_id;
}

/** Records each status it renders with. */
function Status({ seen }: { seen: string[] }) {
  const { status, user } = useConnection();
  if (seen.at(-1) !== status) seen.push(status);
  return (
    <p data-testid="status">
      {status} {user?.username}
    </p>
  );
}

function ChannelList() {
  const channels = useChannels();
  return <p data-testid="list">{channels.map((c) => `${c.type}:${c.name}`).join(' ')}</p>;
}

/** A channel's type and name, and the user in it who is not alice. */
function Header({ id }: { id: number }) {
  const channel = useChannel(id);
  const other = useUser(channel?.userIds.find((userId) => userId !== rig.alice.id) ?? 0);
  return (
    <p data-testid={`header-${id}`}>
      {channel?.type} {channel?.name} {other?.username ?? '-'}
    </p>
  );
}

/** #osu's loaded range, `more`/`all`, continuity, and a button that loads the page before it. */
function History() {
  const { messages, hasMore, continuity, loadOlder } = useMessages(rig.a);
  const range = `${messages[0]?.content}..${messages.at(-1)?.content}`;
  return (
    <>
      <p data-testid="history">{`${messages.length} ${range} ${hasMore ? 'more' : 'all'} ${continuity}`}</p>
      <button type="button" onClick={() => void loadOlder()}>
        older
      </button>
    </>
  );
}

/** A channel's unread count and mentions; observing its messages too, which loads them (exact counts). */
function Badge({ id }: { id: number }) {
  useMessages(id);
  const unread = useUnread(id);
  return <p data-testid={`unread-${id}`}>{`${unread?.count} ${unread?.mentions}`}</p>;
}

function Summary() {
  const { unreadChannels, mentions } = useUnread();
  return <p data-testid="summary">{`${unreadChannels} ${mentions}`}</p>;
}

function LastLine({ counts }: { counts: Counts }) {
  counts.rendered('last');
  const line = useChatSelector(useChatClient().messages(rig.a), (s) => s.messages.at(-1)?.content ?? '');
  return <p data-testid="last">{line}</p>;
}

const sameNames = (x: string[], y: string[]) => x.length === y.length && x.every((name, i) => name === y[i]);

function Names({ counts }: { counts: Counts }) {
  counts.rendered('names');
  const names = useChatSelector(useChatClient().channels, (list) => list.map((c) => c.name), sameNames);
  return <p data-testid="names">{names.join(' ')}</p>;
}

/** How many of #osu's messages contain `word`: a selector that closes over a prop. */
function Matching({ word }: { word: string }) {
  const n = useChatSelector(useChatClient().messages(rig.a), (s) =>
    s.messages.reduce((sum, m) => sum + (m.content.includes(word) ? 1 : 0), 0),
  );
  return <p data-testid="matching">{`${word} ${n}`}</p>;
}

function Orphan({ hook }: { hook: () => unknown }) {
  hook();
  return null;
}
