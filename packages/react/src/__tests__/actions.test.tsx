// The acting hooks against the emulator, each in normal mode and under StrictMode: sending (pending, sent,
// failed, retry, discard), the public channel directory, joining, leaving, and opening a PM.
import { screen } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type Channel,
  useChannel,
  useChannels,
  useJoinChannel,
  useLeaveChannel,
  useMessages,
  useOpenPrivateChat,
  usePublicChannels,
  useSendMessage,
} from '../index.js';
import {
  addUser,
  eventually,
  gatedFetch,
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
const click = (label: string) => screen.getByText(label).click();

/** A channel's messages as `content:status`, and its pending and failed lists from useSendMessage. */
function Composer({ id, say }: { id: number; say: string }) {
  const { messages } = useMessages(id);
  const { send, pending, failed, retry, discard } = useSendMessage(id);
  return (
    <>
      <p data-testid="messages">{messages.map((m) => `${m.content}:${m.status}`).join(' ')}</p>
      <p data-testid="outbox">{`pending ${pending.length} failed ${failed.map((m) => m.error?.status).join(',')}`}</p>
      <button type="button" onClick={() => void send(say).catch(() => {})}>
        send
      </button>
      {failed.map((m) => (
        <span key={m.key}>
          <button type="button" onClick={() => void retry(m.localId as string).catch(() => {})}>
            {`retry ${m.content}`}
          </button>
          <button type="button" onClick={() => discard(m.localId as string)}>
            {`discard ${m.content}`}
          </button>
        </span>
      ))}
    </>
  );
}

/** The directory comes in the server's order; the test compares names sorted. */
const names = (channels: readonly Channel[]) =>
  channels
    .map((c) => c.name)
    .sort()
    .join(' ');

function ChannelNames() {
  return (
    <p data-testid="channels">
      {useChannels()
        .map((c) => `${c.name}${c.draft ? '(draft)' : ''}`)
        .join(' ')}
    </p>
  );
}

describe.each(MODES)('useSendMessage (%s)', (_, Mode) => {
  it('shows a send as pending until the server has it, then as sent', async () => {
    const gate = gatedFetch((method, path) => method === 'POST' && path.endsWith('/messages'));
    const { client } = newClient(rig, { fetch: gate.fetch });
    renderChat(client, <Composer id={rig.a} say="hello" />, Mode);
    await waitUntilLoaded(client, [rig.a]);

    click('send');
    await eventually(() => expect(gate.waiting).toBe(1));
    expect(text('messages')).toBe('hello:pending');
    expect(text('outbox')).toBe('pending 1 failed ');

    gate.release();
    await eventually(() => expect(text('messages')).toBe('hello:sent'));
    expect(text('outbox')).toBe('pending 0 failed ');
    expect(rig.emu.state().messages.map((m) => m.content)).toEqual(['hello']);
  });

  it('lists a refused send (422) in failed; retry sends it, discard drops it', async () => {
    const { client } = newClient(rig);
    renderChat(client, <Composer id={rig.a} say="too long" />, Mode);
    await waitUntilLoaded(client, [rig.a]);
    rig.emu.updateConfig({ message_length_limit: 3 });

    click('send');
    await eventually(() => expect(text('outbox')).toBe('pending 0 failed 422'));
    expect(text('messages')).toBe('too long:failed');
    click('send');
    // osu!'s throttle: the client spaces sends a second apart (on the shared test clock).
    await rig.clock.advance(1000);
    await eventually(() => expect(text('outbox')).toBe('pending 0 failed 422,422'));

    screen.getAllByText('discard too long')[1]?.click();
    await eventually(() => expect(text('outbox')).toBe('pending 0 failed 422'));
    expect(text('messages')).toBe('too long:failed');

    rig.emu.updateConfig({ message_length_limit: 450 });
    click('retry too long');
    await eventually(() => expect(text('outbox')).toBe('pending 1 failed '));
    await rig.clock.advance(1000);
    await eventually(() => expect(text('messages')).toBe('too long:sent'));
    expect(text('outbox')).toBe('pending 0 failed ');
    expect(rig.emu.state().messages.map((m) => m.content)).toEqual(['too long']);
  });
});

describe.each(MODES)('directory, join and leave (%s)', (_, Mode) => {
  it('usePublicChannels loads the directory once; useJoinChannel joins one of it into useChannels', async () => {
    const lobby = rig.emu.createChannel({ name: '#lobby', type: 'PUBLIC' }).channel.channel_id;
    // The join request waits until the test has seen `pending`.
    const gate = gatedFetch((method, path) => method === 'PUT' && path.includes('/users/'));
    const { client, requests } = newClient(rig, { fetch: gate.fetch });
    const joined: Channel[] = [];
    renderChat(
      client,
      <>
        <Directory join={lobby} joined={joined} />
        <ChannelNames />
      </>,
      Mode,
    );
    await eventually(() => expect(text('directory')).toBe('#lobby #mapping #osu'));
    await eventually(() => expect(text('channels')).toBe('#mapping #osu'));
    expect(requests.filter((r) => r.method === 'GET' && r.path === '/api/v2/chat/channels')).toHaveLength(1);

    click('join');
    await eventually(() => expect(text('join')).toBe('joining'));
    await eventually(() => expect(gate.waiting).toBe(1));
    gate.release();
    await eventually(() => expect(text('channels')).toBe('#lobby #mapping #osu'));
    await eventually(() => expect(text('join')).toBe('idle'));
    expect(joined.map((c) => c.id)).toEqual([lobby]);
  });

  it('useLeaveChannel removes the channel from useChannels and records nothing as an error', async () => {
    const { client } = newClient(rig);
    renderChat(
      client,
      <>
        <Leave id={rig.b} />
        <ChannelNames />
      </>,
      Mode,
    );
    await eventually(() => expect(text('channels')).toBe('#mapping #osu'));
    click('leave');
    await eventually(() => expect(text('channels')).toBe('#osu'));
    await eventually(() => expect(text('leave')).toBe('false ok'));
  });
});

describe.each(MODES)('useOpenPrivateChat (%s)', (_, Mode) => {
  it('opens a draft PM that the first message turns into a real channel', async () => {
    // Alice has seen carol in #osu: the usual way to open a PM (the server tells nothing about the user).
    const carol = addUser(rig.emu, 'carol');
    rig.emu.setMember(rig.a, carol.id);
    rig.emu.postMessage(rig.a, { sender_id: carol.id, content: 'anyone up for multi?' });
    const { client } = newClient(rig);
    renderChat(
      client,
      <>
        <Pm userId={carol.id} />
        <ChannelNames />
      </>,
      Mode,
    );
    await waitUntilLoaded(client, [rig.a]);

    click('open');
    await eventually(() => expect(text('pm')).toBe('carol true false'));
    expect(text('channels')).toBe('#mapping #osu carol(draft)');

    click('send');
    await eventually(() => expect(text('pm')).toBe('carol false true'));
    await eventually(() => expect(text('messages')).toBe('hi carol:sent'));
    expect(text('channels')).toBe('#mapping #osu carol');
    const pm = rig.emu.state().channels.find((c) => c.type === 'PM');
    expect(
      rig.emu
        .state()
        .messages.filter((m) => m.channel_id === pm?.channel_id)
        .map((m) => m.content),
    ).toEqual(['hi carol']);
  });
});

/** The directory's names, a join button for channel `join`, and the join's pending flag. */
function Directory({ join: id, joined }: { join: number; joined: Channel[] }) {
  const { channels, loading } = usePublicChannels();
  const join = useJoinChannel();
  return (
    <>
      <p data-testid="directory">{channels ? names(channels) : `none ${loading}`}</p>
      <p data-testid="join">{join.pending ? 'joining' : 'idle'}</p>
      <button type="button" onClick={() => void join.run(id).then((c) => joined.push(c))}>
        join
      </button>
    </>
  );
}

function Leave({ id }: { id: number }) {
  const leave = useLeaveChannel();
  return (
    <>
      <p data-testid="leave">{`${leave.pending} ${leave.error?.kind ?? 'ok'}`}</p>
      <button type="button" onClick={() => void leave.run(id)}>
        leave
      </button>
    </>
  );
}

/** Opens a PM with `userId`, then shows that channel and a composer for it. */
function Pm({ userId }: { userId: number }) {
  useMessages(rig.a);
  const open = useOpenPrivateChat();
  const [id, setId] = useState<number | null>(null);
  const channel = useChannel(id ?? 0);
  return (
    <>
      <p data-testid="pm">
        {id === null ? 'none' : `${channel?.name} ${channel?.draft} ${(channel?.id ?? 0) > 0}`}
      </p>
      <button type="button" onClick={() => void open.run(userId).then((c) => setId(c.id))}>
        open
      </button>
      {id !== null && <Composer id={id} say="hi carol" />}
    </>
  );
}
