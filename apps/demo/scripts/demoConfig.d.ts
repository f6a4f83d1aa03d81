import type { Plugin } from 'vite';

export interface DemoServerConfig {
  apiUrl: string;
  socketUrl: string;
  users: readonly { id: number; username: string; token: string; scopes: readonly string[] }[];
}

/** Serves `config` at `/demo-config.json` from a Vite dev or preview server. */
export function demoConfigPlugin(config: DemoServerConfig): Plugin;
