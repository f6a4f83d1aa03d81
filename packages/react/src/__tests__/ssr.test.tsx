// Server rendering and hydration: a tree using every hook renders on the "server" with a client that never
// connects (a stable "not connected" picture, no request made), hydrates in jsdom without a mismatch or any
// console error, and then shows the live data. Once with a fresh browser client (the usual case) and once
// with a browser client that is already live when hydration starts.
import { render } from '@testing-library/react';
import { renderToString } from 'react-dom/server';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import {
  type ChatClient,
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
  chatTree,
  eventually,
  MODES,
  type Mode,
  newClient,
  type Rig,
  startRig,
  stopRig,
  waitUntilLoaded,
} from './harness.js';

let rig: Rig;
let consoleError: MockInstance<typeof console.error>;
beforeEach(async () => {
  rig = await startRig();
  rig.emu.postMessage(rig.a, { sender_id: rig.bob.id, content: 'hello alice' });
  consoleError = vi.spyOn(console, 'error');
});
afterEach(async () => {
  consoleError.mockRestore();
  await stopRig();
  document.body.replaceChildren();
});

/** Every hook, with what each renders joined into one line per hook. */
function App({ id, selectorServerValue }: { id: number; selectorServerValue: boolean }) {
  const client = useChatClient();
  const connection = useConnection();
  const channels = useChannels();
  const channel = useChannel(id);
  const { messages, hasMore } = useMessages(id);
  const { pending, failed } = useSendMessage(id);
  const unread = useUnread(id);
  const summary = useUnread();
  const directory = usePublicChannels();
  const join = useJoinChannel();
  const leave = useLeaveChannel();
  const openPm = useOpenPrivateChat();
  const sender = useUser(messages.at(-1)?.senderId ?? 0);
  const count = useChatSelector(
    client.messages(id),
    (s) => s.messages.length,
    selectorServerValue ? { serverValue: 0 } : undefined,
  );
  const lines = [
    `status ${connection.status}`,
    `channels ${channels.map((c) => c.name).join(',')}`,
    `channel ${channel?.name ?? '…'}`,
    `messages ${messages.map((m) => m.content).join(',')} more=${hasMore}`,
    `outbox ${pending.length}/${failed.length}`,
    `unread ${unread?.hasUnread ?? '-'} ${unread?.mentions ?? '-'} summary ${summary.unreadChannels}/${summary.mentions}`,
    `directory ${directory.channels?.length ?? 'none'}`,
    `actions ${join.pending} ${leave.pending} ${openPm.pending}`,
    `sender ${sender?.username ?? '-'}`,
    `selected ${count}`,
  ];
  return (
    <ul>
      {lines.map((line) => (
        <li key={line.split(' ')[0]}>{line}</li>
      ))}
    </ul>
  );
}

const NOT_CONNECTED = [
  'status idle',
  'channels ',
  'channel …',
  'messages  more=true',
  'outbox 0/0',
  'unread - - summary 0/0',
  'directory none',
  'actions false false false',
  'sender -',
  'selected 0',
];

const LIVE = [
  'status live',
  'channels #mapping,#osu',
  'channel #osu',
  'messages hello alice more=true',
  'outbox 0/0',
  'unread true 1 summary 1/1',
  'directory 2',
  'actions false false false',
  'sender bob',
  'selected 1',
];

/** Renders on the "server" with a client that is created but never connected. */
function serverRender(Mode: Mode, selectorServerValue: boolean): string {
  const { client, requests } = newClient(rig);
  const html = renderToString(
    chatTree(client, <App id={rig.a} selectorServerValue={selectorServerValue} />, Mode),
  );
  expect(requests).toEqual([]);
  expect(client.connection.getSnapshot().status).toBe('idle');
  return html;
}

/** Hydrates `html` with `client`; returns the recoverable errors React reported. */
function hydrate(html: string, client: ChatClient, Mode: Mode, selectorServerValue: boolean): unknown[] {
  const container = document.createElement('div');
  container.innerHTML = html;
  document.body.append(container);
  const recoverable: unknown[] = [];
  render(chatTree(client, <App id={rig.a} selectorServerValue={selectorServerValue} />, Mode), {
    container,
    hydrate: true,
    onRecoverableError: (error) => recoverable.push(error),
  });
  return recoverable;
}

const items = () => Array.from(document.querySelectorAll('li'), (li) => li.textContent);

describe.each(MODES)('server rendering and hydration (%s)', (_, Mode) => {
  it('hydrates the "not connected" picture into a fresh client, then shows the live data', async () => {
    const html = serverRender(Mode, false);
    expect(new DOMParser().parseFromString(html, 'text/html').body.textContent).toBe(NOT_CONNECTED.join(''));

    const { client } = newClient(rig);
    const recoverable = hydrate(html, client, Mode, false);

    await eventually(() => expect(items()).toEqual(LIVE));
    expect(recoverable).toEqual([]);
    expect(consoleError).not.toHaveBeenCalled();
  });

  it('hydrates without a mismatch into a client that is already live, then shows its data', async () => {
    const html = serverRender(Mode, true);
    const { client } = newClient(rig);
    client.connect();
    client.messages(rig.a).subscribe(() => {});
    await waitUntilLoaded(client, [rig.a]);

    const recoverable = hydrate(html, client, Mode, true);
    await eventually(() => expect(items()).toEqual(LIVE));
    expect(recoverable).toEqual([]);
    expect(consoleError).not.toHaveBeenCalled();
  });
});
