// Test harness for the React bindings: the emulator and core's helpers, a client per test, a renderer that
// wraps the tree in a ChatProvider (inside StrictMode or not), and counters for renders and commits.
//
// React's act environment stays off (RTL only turns it on inside its own act calls), so store updates reach
// React exactly as in an app: scheduled by React itself, not flushed together at the end of an act scope.
// That is what render counts must measure.
import type { Emulator } from '@osu-chat/emulator';
import { cleanup, type RenderResult, render } from '@testing-library/react';
import { Fragment, Profiler, type ReactNode, StrictMode } from 'react';
import { expect, vi } from 'vitest';
import {
  addPublicChannel,
  addUser,
  ManualClock,
  type RecordedRequest,
  settle,
  startEmulator,
  type TestUser,
} from '../../../core/src/__tests__/helpers.js';
import { type ChatClient, type ChatClientOptions, ChatProvider, createChatClient } from '../index.js';

export { addPublicChannel, addUser, settle, type TestUser } from '../../../core/src/__tests__/helpers.js';

/** Every hook test runs in both modes: `describe.each(MODES)('… (%s)', (_, Mode) => …)`. */
export const MODES = [
  ['normal', Fragment],
  ['strict', StrictMode],
] as const;

export type Mode = (typeof MODES)[number][1];

/** One emulator with alice (a lazer user), bob and two PUBLIC channels they are both in. */
export interface Rig {
  emu: Emulator;
  /** Shared by the emulator and every client: no engine timer fires unless a test advances it. */
  clock: ManualClock;
  alice: TestUser;
  bob: TestUser;
  /** `#osu`. */
  a: number;
  /** `#mapping`. */
  b: number;
}

const clients: ChatClient[] = [];
let current: Rig | null = null;

export async function startRig(limits: Parameters<typeof startEmulator>[0] = {}): Promise<Rig> {
  const clock = new ManualClock();
  const emu = await startEmulator({ clock, ...limits });
  const alice = addUser(emu, 'alice');
  const bob = addUser(emu, 'bob');
  const a = addPublicChannel(emu, '#osu', [alice, bob]);
  const b = addPublicChannel(emu, '#mapping', [alice, bob]);
  current = { emu, clock, alice, bob, a, b };
  return current;
}

/** Unmounts every tree, disposes every client, closes the emulator. Use as `afterEach(stopRig)`. */
export async function stopRig(): Promise<void> {
  cleanup();
  for (const client of clients.splice(0)) client.dispose();
  await current?.emu.close();
  current = null;
}

export interface TestClient {
  client: ChatClient;
  /** Every HTTP request the client made. */
  requests: RecordedRequest[];
  /** HTTP requests not answered yet. */
  readonly inFlight: number;
}

/** A client for `user` (alice by default), not connected: the ChatProvider connects it. */
export function newClient(
  rig: Rig,
  options: Partial<ChatClientOptions> & { user?: TestUser } = {},
): TestClient {
  const { user = rig.alice, ...rest } = options;
  // Records every request (also those a test's own `fetch` option handles) and counts those in flight.
  const requests: RecordedRequest[] = [];
  const base = rest.fetch ?? globalThis.fetch;
  let inFlight = 0;
  const fetch: typeof globalThis.fetch = async (input, init) => {
    requests.push(describeRequest(input, init));
    inFlight += 1;
    try {
      return await base(input, init);
    } finally {
      inFlight -= 1;
    }
  };
  const client = createChatClient({
    apiUrl: rig.emu.apiUrl,
    socketUrl: rig.emu.socketUrl,
    token: user.token,
    clock: rig.clock,
    ...rest,
    fetch,
  });
  clients.push(client);
  const tracked: TestClient = {
    client,
    requests,
    get inFlight() {
      return inFlight;
    },
  };
  testClients.set(client, tracked);
  return tracked;
}

const testClients = new WeakMap<ChatClient, TestClient>();

function describeRequest(input: RequestInfo | URL, init?: RequestInit): RecordedRequest {
  const request = new Request(input, init);
  return { method: request.method, path: new URL(request.url).pathname, url: request.url };
}

/** `<Mode><ChatProvider client={client}>{ui}</ChatProvider></Mode>`, e.g. for `rerender`. */
export function chatTree(client: ChatClient, ui: ReactNode, Mode: Mode = Fragment) {
  return (
    <Mode>
      <ChatProvider client={client}>{ui}</ChatProvider>
    </Mode>
  );
}

/** Renders `ui` inside `<Mode><ChatProvider client>…</ChatProvider></Mode>`. */
export function renderChat(client: ChatClient, ui: ReactNode, Mode: Mode = Fragment): RenderResult {
  return render(chatTree(client, ui, Mode));
}

/**
 * Renders and commits per test component. `renders` counts calls of the component function (StrictMode calls
 * it twice per render, see `perRender`); `commits` counts React Profiler commits of its subtree, which
 * StrictMode does not double.
 */
export class Counts {
  readonly renders = new Map<string, number>();
  readonly commits = new Map<string, number>();

  constructor(readonly mode: Mode) {}

  /** Function calls per render: 2 in StrictMode (development builds), else 1. */
  get perRender(): number {
    return this.mode === StrictMode ? 2 : 1;
  }

  /** Call in a component's body. */
  rendered(id: string): void {
    this.renders.set(id, (this.renders.get(id) ?? 0) + 1);
  }

  reset(): void {
    this.renders.clear();
    this.commits.clear();
  }

  of(id: string): { renders: number; commits: number } {
    return { renders: this.renders.get(id) ?? 0, commits: this.commits.get(id) ?? 0 };
  }

  /** Wraps a component in a Profiler that counts its commits. */
  Counted = ({ id, children }: { id: string; children: ReactNode }) => (
    <Profiler id={id} onRender={() => this.commits.set(id, (this.commits.get(id) ?? 0) + 1)}>
      {children}
    </Profiler>
  );
}

/** `vi.waitFor` with the timeout and polling interval these tests use. */
export function eventually<T>(check: () => T, timeout = 5000): Promise<T> {
  return vi.waitFor(check, { timeout, interval: 5 });
}

/**
 * Waits until the client is live, the given channels have their details and newest page, and the client is
 * quiet: no request in flight and no state change across a settle (going live also backfills loaded
 * channels, which would otherwise land in the middle of a render count).
 */
export async function waitUntilLoaded(client: ChatClient, channelIds: number[]): Promise<void> {
  await eventually(() => {
    expect(client.connection.getSnapshot().status).toBe('live');
    for (const id of channelIds) {
      expect(client.channel(id).getSnapshot()?.loaded).toBe(true);
      expect(client.messages(id).getSnapshot().loaded).toBe(true);
    }
  });
  await waitUntilQuiet(client);
}

/** Waits until a client from `newClient` has no request in flight and its state stays put across a settle. */
export async function waitUntilQuiet(client: ChatClient): Promise<void> {
  const tracked = testClients.get(client);
  await eventually(async () => {
    expect(tracked?.inFlight ?? 0).toBe(0);
    const before = client.store.snapshot;
    await settle();
    expect(tracked?.inFlight ?? 0).toBe(0);
    expect(client.store.snapshot).toBe(before);
  });
}

/**
 * A fetch whose requests matching `match` wait before they are sent until `release()`: the send is still on
 * its way, nothing reached the server (unlike core's holdingFetch, which holds the answer).
 */
export function gatedFetch(match: (method: string, path: string) => boolean) {
  const waiting: (() => void)[] = [];
  let open = false;
  return {
    fetch: (async (input, init) => {
      const { method, path } = describeRequest(input, init);
      if (!open && match(method, path)) await new Promise<void>((resolve) => waiting.push(resolve));
      return globalThis.fetch(input, init);
    }) as typeof globalThis.fetch,
    get waiting(): number {
      return waiting.length;
    },
    release(): void {
      open = true;
      for (const resume of waiting.splice(0)) resume();
    },
  };
}
