// The chaos soak in CI (a 30 s version of `npm run soak`), and the engine bugs it found, each pinned by a
// deterministic test against the emulator: client and emulator share a ManualClock, so "61 s later" is one
// call and both sides agree on it.
import type { Emulator } from '@osu-chat/emulator';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatReport } from '../../../../soak/report.js';
import { runSoak } from '../../../../soak/soak.js';
import type { ChatEvent } from '../events.js';
import type { ChatClient, ChatClientOptions } from '../index.js';
import {
  addPublicChannel,
  type ConnectedClient,
  clientMessages,
  connectClient,
  type ManualClock,
  serverMessages,
  type TestUser,
  twoUserScene,
} from './helpers.js';

describe('the chaos soak', () => {
  it('loses, duplicates and double-posts nothing in 30 s of drops, 5xx, 429, timeouts, a lapse and a restart', async () => {
    const report = await runSoak({ durationMs: 30_000, settleTimeoutMs: 60_000, sampleMs: 1000 });
    // The whole table on failure: the seed replays the chaos (`npm run soak -- --minutes 0.5 --seed N`).
    expect(report.failures, formatReport(report)).toEqual([]);
    expect(report.faults.socketDrops).toBeGreaterThan(0);
    expect(report.faults.restarts).toBe(1);
    expect(report.faults.keepaliveLapses).toBe(1);
    expect(report.messages.checked).toBeGreaterThan(100);
    expect(report.sends.delivered).toBeGreaterThan(10);
  }, 180_000);
});

const ACK = '/api/v2/chat/ack';

let clock: ManualClock;
let emu: Emulator;
let alice: TestUser;
let bob: TestUser;
let osu: number;
let clients: ConnectedClient[];

/** `random` picks the ack interval: 20 s + random × 10 s. */
async function connect(token: string, options: Partial<ChatClientOptions> = {}): Promise<ConnectedClient> {
  const connected = await connectClient(
    emu,
    { ...alice, token },
    { clock, backoff: { initialMs: 1000, jitter: 0 }, ...options },
  );
  clients.push(connected);
  connected.client.messages(osu).subscribe(() => {});
  await vi.waitFor(() => expect(connected.client.messages(osu).getSnapshot().loaded).toBe(true));
  return connected;
}

function post(prefix: string, count = 2): void {
  for (let i = 1; i <= count; i += 1) emu.postMessage(osu, { sender_id: bob.id, content: `${prefix} ${i}` });
}

const acks = (events: ChatEvent[], status: number) =>
  events.filter((e) => e.type === 'http' && e.path === '/chat/ack' && e.status === status).length;

const arrived = (events: ChatEvent[], text: string) =>
  events.some((e) => e.type === 'message' && e.message.content === text);

async function expectHealed(client: ChatClient): Promise<void> {
  await vi.waitFor(() => {
    expect(client.messages(osu).getSnapshot().continuity).toBe('live');
    expect(clientMessages(client, osu)).toEqual(serverMessages(emu, osu));
  });
}

describe('regressions the soak found', () => {
  beforeEach(async () => {
    ({ clock, emu, alice, bob, channelId: osu } = await twoUserScene());
    clients = [];
  });

  afterEach(async () => {
    for (const { client } of clients) client.dispose();
    await emu.close();
  });

  it('heals a lapse when another session of the user acked first and delivery resumed before its own ack', async () => {
    // Acks every 29 s (first) and every 21 s (second): the second session acks first after the lapse.
    const first = await connect(alice.token, { random: () => 0.9 });
    const second = await connect(emu.createToken({ user_id: alice.id, scopes: ['*'] }).token, {
      random: () => 0.1,
    });
    post('before');
    await expectHealed(first.client);
    // Good acks at 0 (connect), 21 s (second) and 29 s (first); then every ack fails (42, 58, 63, 84, 87 s):
    // osu! stops delivering #osu to alice at 89 s, 60 s after the last good one.
    await clock.advance(29_000);
    await vi.waitFor(() => expect(acks(first.events, 200) + acks(second.events, 200)).toBe(4));
    emu.setFaults([{ method: 'POST', path: ACK, status: 500 }]);
    await clock.advance(90_000 - 29_000);
    await vi.waitFor(() => expect(acks(first.events, 500) + acks(second.events, 500)).toBe(5));
    post('withheld');

    // The second session's ack (105 s) resumes delivery to alice; the first one receives new messages again,
    // so its newest loaded message is past the hole, before its own late ack (116 s).
    emu.clearFaults();
    await clock.advance(105_000 - 90_000);
    await vi.waitFor(() => expect(acks(second.events, 200)).toBe(3));
    await expectHealed(second.client);
    post('resumed', 1);
    await vi.waitFor(() => expect(arrived(first.events, 'resumed 1')).toBe(true));
    expect(arrived(first.events, 'withheld 1')).toBe(false);
    await clock.advance(116_000 - 105_000);
    await vi.waitFor(() => expect(acks(first.events, 200)).toBe(3));
    await expectHealed(first.client);
    expect(clientMessages(first.client, osu).map(([, text]) => text)).toContain('withheld 2');
  });

  it('measures the keepalive window across reconnects: a lapse the reconnect’s failed ack left is healed', async () => {
    const { client, events } = await connect(alice.token, { random: () => 0.5 });
    await clock.advance(25_000);
    await vi.waitFor(() => expect(acks(events, 200)).toBe(2));
    // Acks fail from here; 61 s after the good one osu! stops delivering #osu to alice.
    emu.setFaults([{ method: 'POST', path: ACK, status: 500 }]);
    await clock.advance(61_000);
    post('withheld before the drop');
    emu.dropSockets({ user_id: alice.id });
    await vi.waitFor(() => expect(client.connection.getSnapshot().status).toBe('reconnecting'));
    // The reconnect's ack fails too; its backfill heals what was missed so far.
    await clock.advance(1000);
    await vi.waitFor(() => expect(client.connection.getSnapshot().status).toBe('live'));
    await expectHealed(client);
    // Still lapsed: this one is withheld as well, and only a late ack can tell.
    post('withheld after the reconnect');
    emu.clearFaults();
    const good = acks(events, 200);
    await clock.advance(25_000);
    await vi.waitFor(() => expect(acks(events, 200)).toBe(good + 1));
    await expectHealed(client);
    expect(clientMessages(client, osu).map(([, text]) => text)).toContain('withheld after the reconnect 2');
  });

  it('retries a backfill that failed on a 503 once the network is back, without waiting for a reconnect', async () => {
    const { client } = await connect(alice.token, { random: () => 0.5 });
    emu.dropSockets({ user_id: alice.id });
    await vi.waitFor(() => expect(client.connection.getSnapshot().status).toBe('reconnecting'));
    post('missed');
    emu.setFaults([{ method: 'GET', path: '/api/v2/chat/channels/*/messages', status: 503, times: 1 }]);
    await clock.advance(1000);
    await vi.waitFor(() => expect(client.messages(osu).getSnapshot().continuity).toBe('gap'));
    expect(client.connection.getSnapshot().status).toBe('live');
    await clock.advance(1000);
    await expectHealed(client);
  });

  it('retries a newest page that failed to load', async () => {
    const { client, events } = await connect(alice.token);
    const other = addPublicChannel(emu, '#help', [alice, bob]);
    emu.postMessage(other, { sender_id: bob.id, content: 'help!' });
    emu.setFaults([
      { method: 'GET', path: `/api/v2/chat/channels/${other}/messages`, status: 503, times: 1 },
    ]);
    client.messages(other).subscribe(() => {});
    await vi.waitFor(() =>
      expect(events.some((e) => e.type === 'error' && e.error.status === 503)).toBe(true),
    );
    expect(client.messages(other).getSnapshot().loaded).toBe(false);
    await clock.advance(1000);
    await vi.waitFor(() => expect(clientMessages(client, other)).toEqual(serverMessages(emu, other)));
    expect(client.messages(other).getSnapshot().loaded).toBe(true);
  });
});
