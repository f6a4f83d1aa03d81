// Builds the chat client for a target, with @osu-chat/react's public API only.
import { type ChatClient, createChatClient } from '@osu-chat/react';
import { type DemoTarget, OSU_API_URL, OSU_PROXY_PATH } from './config.js';

/**
 * The client for `target`. osu!'s API is reached through the dev server's proxy path when it is the default
 * origin (osu! answers browsers on other origins without CORS headers); the socket always carries the token as
 * `?access_token=`, the only way a browser WebSocket can send it.
 */
export function buildClient(target: DemoTarget): ChatClient {
  if (target.kind === 'emulator') {
    return createChatClient({
      apiUrl: target.apiUrl,
      socketUrl: target.socketUrl,
      token: target.user.token,
      socketAuth: 'query',
    });
  }
  const direct = target.apiUrl.replace(/\/+$/, '');
  return createChatClient({
    apiUrl: direct === OSU_API_URL ? `${location.origin}${OSU_PROXY_PATH}` : direct,
    socketUrl: target.socketUrl,
    token: target.token,
    socketAuth: 'query',
  });
}

/** The key under which the demo remembers a user's channels (third-party mode cannot list them). */
export function storageScope(target: DemoTarget): string {
  return target.kind === 'emulator'
    ? `${target.apiUrl}#${target.user.id}`
    : `${target.apiUrl}#${target.token.slice(-8)}`;
}
