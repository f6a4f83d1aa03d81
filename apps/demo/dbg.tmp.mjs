import { mkdtempSync } from 'node:fs';
import { createEmulator } from '@osu-chat/emulator';
import { chromium } from 'playwright-core';
import { preview } from 'vite';
import { demoConfigPlugin } from './scripts/demoConfig.js';

const emu = await createEmulator({ port: 0, seed: 'demo' });
const users = emu.seededTokens;
const server = await preview({
  root: process.cwd(),
  configFile: 'vite.config.ts',
  logLevel: 'warn',
  preview: { port: 0 },
  plugins: [demoConfigPlugin({ apiUrl: emu.apiUrl, socketUrl: emu.socketUrl, users })],
});
const base = server.resolvedUrls.local[0];
const ctx = await chromium.launchPersistentContext(mkdtempSync('/tmp/pw-'), {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
  viewport: { width: 1280, height: 800 },
});
const page = await ctx.newPage();
page.on('console', (m) => console.log('console', m.type(), m.text()));
page.on('pageerror', (e) => console.log('pageerror', e.message));
await page.goto(`${base}?${process.argv[2] ?? 'user=Mio&mode=lazer'}`);
await page.locator('.connection-badge[data-status="live"]').waitFor();
await page.locator('.channel-item[data-channel="#osu"]').click();
await page.locator('.message-body').first().waitFor();
await page.waitForTimeout(1000);
await page.screenshot({ path: '/tmp/dbg1.png' });
console.log(
  await page.evaluate(() => {
    const s = document.querySelector('[data-virtuoso-scroller]');
    return [s?.scrollTop, s?.scrollHeight, s?.clientHeight, document.querySelectorAll('[data-index]').length];
  }),
);
const second = await ctx.newPage();
await second.goto(`${base}?user=Haruki`);
await second.locator('.connection-badge[data-status="live"]').waitFor();
await page.bringToFront();
await page.locator('.channel-item[data-channel="#help"]').click();
await page.waitForTimeout(1000);
await page.screenshot({ path: '/tmp/dbg2.png' });
console.log(
  await page.evaluate(() => {
    const s = document.querySelector('[data-virtuoso-scroller]');
    return [s?.scrollTop, s?.scrollHeight, s?.clientHeight, document.querySelectorAll('[data-index]').length];
  }),
);
await ctx.close();
await server.close();
await emu.close();
