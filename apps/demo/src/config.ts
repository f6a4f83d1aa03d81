// Where the demo connects: the local emulator (the dev server hands out its URLs and seeded tokens at
// /demo-config.json) or osu! itself with a token the user pasted in Settings (kept in localStorage).

/** A seeded emulator user and one of their tokens, as the emulator's ready line lists them. */
export interface SeededUser {
  readonly id: number;
  readonly username: string;
  readonly token: string;
  readonly scopes: readonly string[];
}

/** What `/demo-config.json` serves (written by `scripts/start.js` or the e2e test). */
export interface DemoServerConfig {
  readonly apiUrl: string;
  readonly socketUrl: string;
  readonly users: readonly SeededUser[];
}

/** The Settings screen's choices, persisted in localStorage. */
export interface DemoSettings {
  readonly server: 'emulator' | 'osu';
  readonly osu: { readonly apiUrl: string; readonly socketUrl: string; readonly token: string };
}

/** Everything `client.ts` needs to build a client. */
export type DemoTarget =
  | {
      readonly kind: 'emulator';
      readonly apiUrl: string;
      readonly socketUrl: string;
      readonly user: SeededUser;
      /** One entry per seeded user (their token of the mode in use), for the user switcher. */
      readonly users: readonly SeededUser[];
      readonly mode: 'lazer' | 'thirdParty';
    }
  | { readonly kind: 'osu'; readonly apiUrl: string; readonly socketUrl: string; readonly token: string };

export const OSU_API_URL = 'https://osu.ppy.sh';
export const OSU_SOCKET_URL = 'wss://notify.ppy.sh';
/** The dev/preview server forwards this path to osu.ppy.sh: osu! sends no CORS headers for localhost. */
export const OSU_PROXY_PATH = '/osu-api';

const SETTINGS_KEY = 'osu-chat-demo.settings';

export const DEFAULT_SETTINGS: DemoSettings = {
  server: 'emulator',
  osu: { apiUrl: OSU_API_URL, socketUrl: OSU_SOCKET_URL, token: '' },
};

export function loadSettings(): DemoSettings {
  try {
    const raw = localStorage.getItem(SETTINGS_KEY);
    if (!raw) return DEFAULT_SETTINGS;
    const parsed = JSON.parse(raw) as Partial<DemoSettings>;
    return {
      server: parsed.server === 'osu' ? 'osu' : 'emulator',
      osu: { ...DEFAULT_SETTINGS.osu, ...parsed.osu },
    };
  } catch {
    return DEFAULT_SETTINGS;
  }
}

export function saveSettings(settings: DemoSettings): void {
  localStorage.setItem(SETTINGS_KEY, JSON.stringify(settings));
}

/** Reads `/demo-config.json`; null when the app is served without an emulator (a static build). */
async function fetchServerConfig(): Promise<DemoServerConfig | null> {
  try {
    const response = await fetch('/demo-config.json', { cache: 'no-store' });
    if (!response.ok) return null;
    const json = (await response.json()) as DemoServerConfig;
    return Array.isArray(json.users) && json.users.length > 0 ? json : null;
  } catch {
    return null;
  }
}

/**
 * Picks the target: osu! when Settings say so (and a token is there); else the emulator, signed in as
 * `?user=<name>` (default: the first seeded user) with a third-party token, or the `*` one with `?mode=lazer`.
 * Null when neither is available: the app then opens Settings.
 */
export async function resolveTarget(
  settings: DemoSettings,
  search: URLSearchParams,
): Promise<DemoTarget | null> {
  if (settings.server === 'osu' && settings.osu.token.trim() !== '') {
    return { kind: 'osu', ...settings.osu, token: settings.osu.token.trim() };
  }
  const server = await fetchServerConfig();
  if (!server) return null;
  const mode = search.get('mode') === 'lazer' ? 'lazer' : 'thirdParty';
  const ofMode = server.users.filter((u) => u.scopes.includes('*') === (mode === 'lazer'));
  const users = ofMode.length > 0 ? ofMode : server.users;
  const wanted = search.get('user')?.toLowerCase();
  const user = users.find((u) => u.username.toLowerCase() === wanted) ?? users[0];
  if (!user) return null;
  return { kind: 'emulator', apiUrl: server.apiUrl, socketUrl: server.socketUrl, user, users, mode };
}
