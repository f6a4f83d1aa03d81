// The demo in real headless Chromium against the emulator: two users chat in a public channel and a PM, the
// sockets drop and the app recovers without losing or repeating a message, and hostile message content stays
// text. The app is the production build (with its Content-Security-Policy) served by Vite's preview server.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEmulator, type Emulator } from '@osu-chat/emulator';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { build, type PreviewServer, preview } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoConfigPlugin } from '../../scripts/demoConfig.js';

const appRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const screenshots = join(appRoot, '..', '..', 'docs', 'screenshots');
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let emu: Emulator;
let server: PreviewServer;
const browsers: BrowserContext[] = [];
let baseUrl: string;
const temporary: string[] = [];
const pageErrors: string[] = [];
let mio: Page;
let haruki: Page;

beforeAll(async () => {
  emu = await createEmulator({ port: 0, seed: 'demo' });
  const outDir = await mkdtemp(join(tmpdir(), 'osu-chat-demo-build-'));
  temporary.push(outDir);
  const configFile = join(appRoot, 'vite.config.ts');
  await build({
    root: appRoot,
    configFile,
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, sourcemap: false },
  });
  const users = emu.seededTokens.map(({ id, username, token, scopes }) => ({ id, username, token, scopes }));
  server = await preview({
    root: appRoot,
    configFile,
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0 },
    plugins: [demoConfigPlugin({ apiUrl: emu.apiUrl, socketUrl: emu.socketUrl, users })],
  });
  baseUrl = server.resolvedUrls?.local[0] ?? '';
});

afterAll(async () => {
  await Promise.all(browsers.map((browser) => browser.close()));
  await server?.close();
  await emu?.close();
  await Promise.all(temporary.map((dir) => rm(dir, { recursive: true, force: true })));
});

/**
 * Opens the app as a seeded user, in a browser of its own (as two people would: a background tab is not laid
 * out, which would hide rows from a windowed list), and waits until its session is live.
 */
async function openAs(query: string): Promise<Page> {
  const profile = await mkdtemp(join(tmpdir(), 'osu-chat-demo-chromium-'));
  temporary.push(profile);
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 },
  });
  browsers.push(browser);
  const page = browser.pages()[0] ?? (await browser.newPage());
  page.on('pageerror', (error) => pageErrors.push(`${query}: ${error.message}`));
  await page.goto(`${baseUrl}?${query}`);
  await badge(page, 'live');
  return page;
}

function badge(page: Page, status: string) {
  return page.locator(`.connection-badge[data-status="${status}"]`).waitFor();
}

async function openChannel(page: Page, name: string) {
  await page.locator(`.channel-item[data-channel="${name}"]`).click();
  await page.locator(`.channel-view[aria-label="${name}"]`).waitFor();
}

async function send(page: Page, text: string) {
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill(text);
  await box.press('Enter');
}

/** The rendered message texts of the open channel (the list is windowed: the rows on screen). */
function texts(page: Page): Promise<string[]> {
  return page.locator('.channel-view .message-body').allTextContents();
}

async function screenshot(page: Page, name: string) {
  await mkdir(screenshots, { recursive: true });
  // Let the list measure its newest rows first: fonts loaded, then two frames (measure, then re-layout).
  await page.evaluate(async () => {
    await document.fonts.ready;
    for (let i = 0; i < 2; i += 1) await new Promise((resolve) => requestAnimationFrame(resolve));
  });
  await page.screenshot({ path: join(screenshots, name) });
}

function channelId(name: string): number {
  const channel = emu.state().channels.find((c) => c.name === name);
  if (!channel) throw new Error(`no channel ${name}`);
  return channel.channel_id;
}

function pmId(): number {
  const pm = emu.state().channels.find((c) => c.type === 'PM');
  if (!pm) throw new Error('no PM');
  return pm.channel_id;
}

function userId(username: string): number {
  const user = emu.state().users.find((u) => u.username === username);
  if (!user) throw new Error(`no user ${username}`);
  return user.id;
}

describe('the demo in Chromium', () => {
  it('lets two users chat in a public channel (lazer and third-party tokens)', async () => {
    mio = await openAs('user=Mio&mode=lazer');
    haruki = await openAs('user=Haruki');
    // Mio's `*` token lists her channels; Haruki's third-party token cannot, so he joins from the directory.
    await openChannel(mio, '#osu');
    await haruki.locator('.sidebar-actions').getByRole('button', { name: 'Browse channels' }).click();
    await haruki.getByRole('button', { name: 'Join #osu' }).click();
    await haruki.locator('.channel-view[aria-label="#osu"]').waitFor();

    await send(mio, 'hi Haruki, welcome to #osu');
    await expect.poll(() => texts(haruki)).toContain('hi Haruki, welcome to #osu');
    await send(haruki, '/me waves at Mio');
    await expect.poll(() => texts(mio)).toContain('Haruki waves at Mio');
    await mio.locator('.message.action.mentioned', { hasText: 'waves at Mio' }).waitFor();
  });

  it('lets them talk in a PM opened from a name in chat', async () => {
    await mio.locator('.message .sender', { hasText: 'Haruki' }).last().click();
    await mio.locator('.channel-view[aria-label="Haruki"]').waitFor();
    await send(mio, 'psst, this is a PM');
    // Haruki's list learns about the PM from the message itself, with an unread count.
    await haruki.locator('.channel-item[data-channel="Mio"] .pill').waitFor();
    await openChannel(haruki, 'Mio');
    await expect.poll(() => texts(haruki)).toContain('psst, this is a PM');
    await send(haruki, 'got it, see you in #osu');
    await expect.poll(() => texts(mio)).toContain('got it, see you in #osu');
    await openChannel(mio, '#osu');
    await openChannel(haruki, '#osu');
    await send(haruki, 'anyone up for multi? Mio?');
    await expect.poll(() => texts(mio)).toContain('anyone up for multi? Mio?');

    await screenshot(mio, 'main.png');
  });

  it('shows reconnecting when the sockets drop, then each missed message once, in order', async () => {
    emu.dropSockets();
    await Promise.all([badge(mio, 'reconnecting'), badge(haruki, 'reconnecting')]);
    const osu = channelId('#osu');
    for (const n of [1, 2, 3]) emu.postMessage(osu, { sender_id: userId('Sakura'), content: `missed ${n}` });
    emu.postMessage(pmId(), { sender_id: userId('Haruki'), content: 'missed PM' });

    await Promise.all([badge(mio, 'live'), badge(haruki, 'live')]);
    for (const page of [mio, haruki]) {
      await expect
        .poll(async () => (await texts(page)).filter((t) => t.startsWith('missed')))
        .toEqual(['missed 1', 'missed 2', 'missed 3']);
    }
    await mio.locator('.channel-item[data-channel="Haruki"] .pill').waitFor();

    await mio.getByRole('button', { name: 'Session inspector' }).click();
    await mio.locator('.machine-chart .state.active[data-state="socket.live"]').waitFor();
    await mio.locator('.wire-log li', { hasText: 'chat.message.new' }).first().waitFor();
    await screenshot(mio, 'machine-panel.png');
    // The panel shows the wire (frames, HTTP calls) and the machine's context: no token may appear in it.
    const shown = `${await mio.content()}\n${await mio.locator('body').textContent()}`;
    for (const { token } of emu.seededTokens) {
      expect(shown).not.toContain(token);
      expect(shown).not.toContain(token.split('.')[1] as string);
    }
    await mio.getByRole('button', { name: 'Close inspector' }).click();
  });

  it('renders a long history windowed and loads older pages when scrolled to the top', async () => {
    // 120 messages written before Mio joins: she gets the newest page, and the rest only by scrolling up.
    const { channel } = emu.createChannel({
      name: '#history',
      type: 'PUBLIC',
      description: 'Long scrollback',
    });
    for (let n = 1; n <= 120; n += 1) {
      emu.postMessage(channel.channel_id, { sender_id: userId('Aoi'), content: `history ${n}` });
    }
    emu.setMember(channel.channel_id, userId('Mio'));
    await openChannel(mio, '#history');
    await expect.poll(() => texts(mio)).toContain('history 120');
    // Windowed: far fewer rows than messages. Polled, because a row count caught mid-layout (a busy machine)
    // can include rows Virtuoso is about to drop.
    await expect.poll(() => mio.locator('.message').count()).toBeLessThan(50);

    const scroller = mio.locator('.channel-view [data-virtuoso-scroller]');
    await expect
      .poll(async () => {
        await scroller.evaluate((element) => element.scrollTo({ top: 0 }));
        return texts(mio);
      })
      .toContain('history 1');
    await mio.getByText('This is the beginning of #history.').waitFor();
    await expect.poll(async () => (await texts(mio)).length).toBeLessThan(50);
    const shown = (await texts(mio)).map((t) => Number(t.replace('history ', '')));
    expect(shown).toEqual([...shown].sort((x, y) => x - y));
    await openChannel(mio, '#osu');
  });

  it('opens #channel links in the app (joining) and web links in a new tab, safely', async () => {
    await send(
      mio,
      'come to #lobby, or see https://osu.ppy.sh/beatmapsets/1 and [the wiki](https://osu.ppy.sh/wiki/en/Chat)',
    );
    const link = haruki.locator('.message-body a', { hasText: 'https://osu.ppy.sh/beatmapsets/1' }).last();
    await link.waitFor();
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await haruki.locator('.message-body a', { hasText: 'the wiki' }).last().getAttribute('href')).toBe(
      'https://osu.ppy.sh/wiki/en/Chat',
    );
    // Haruki is not in #lobby: the link joins it and opens it.
    await haruki.locator('.message-body .channel-link', { hasText: '#lobby' }).last().click();
    await haruki.locator('.channel-view[aria-label="#lobby"]').waitFor();
    await haruki.locator('.channel-item[data-channel="#lobby"]').waitFor();
    await openChannel(haruki, '#osu');
  });

  it('shows HTML in messages as text, never makes a javascript: link, and runs nothing', async () => {
    const hostile = [
      '<img src=x onerror="window.__xss=1">',
      '<script>window.__xss=2</script>',
      '[click me](javascript:window.__xss=3)',
      '<a href="javascript:window.__xss=4">link</a>',
    ].join(' ');
    await send(mio, hostile);
    emu.postMessage(channelId('#osu'), {
      sender_id: userId('Sakura'),
      content: `from the server: ${hostile}`,
    });

    const shown = (page: Page) => page.locator('.message-body', { hasText: 'from the server: <img src=x' });
    for (const page of [mio, haruki]) {
      await shown(page).waitFor();
      const text = (await shown(page).textContent()) ?? '';
      expect(text).toContain('<img src=x onerror="window.__xss=1"> <script>window.__xss=2</script>');
      expect(text).toContain('<a href="javascript:window.__xss=4">link</a>');
      // Mio's own copy goes through HTTP, so it may land after the one the server injected.
      await expect
        .poll(() => page.locator('.message-body', { hasText: '<script>window.__xss=2</script>' }).count())
        .toBe(2);
      await page.locator('.message-body', { hasText: 'click me' }).last().click();
      expect(await page.locator('.message-list img[src="x"], .message-body img').count()).toBe(0);
      expect(await page.locator('.message-body script').count()).toBe(0);
      expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
      expect(await page.evaluate(() => (window as { __xss?: unknown }).__xss)).toBeUndefined();
    }
    // The built app also carries its Content-Security-Policy (no inline scripts even if something slipped).
    const csp = await mio.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    expect(csp).toContain("script-src 'self'");
    expect(pageErrors).toEqual([]);
  });
});
