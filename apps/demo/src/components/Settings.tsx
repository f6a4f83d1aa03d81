import { type FormEvent, useState } from 'react';
import { type DemoSettings, type DemoTarget, OSU_API_URL, OSU_PROXY_PATH, saveSettings } from '../config.js';

interface SettingsProps {
  settings: DemoSettings;
  /** Where the app is connected now; null on first run (no emulator found, no token saved). */
  target: DemoTarget | null;
}

/** Link to the same page as another seeded user (or mode), for a second tab. */
function userLink(username: string, mode: 'lazer' | 'thirdParty'): string {
  const params = new URLSearchParams({ user: username });
  if (mode === 'lazer') params.set('mode', 'lazer');
  return `?${params}`;
}

/**
 * Where the demo connects: the local emulator, or osu! itself with a pasted token. Saved in localStorage; the
 * page reloads to reconnect.
 */
export function Settings({ settings, target }: SettingsProps) {
  const [server, setServer] = useState(settings.server);
  const [apiUrl, setApiUrl] = useState(settings.osu.apiUrl);
  const [socketUrl, setSocketUrl] = useState(settings.osu.socketUrl);
  const [token, setToken] = useState(settings.osu.token);

  const save = (event: FormEvent) => {
    event.preventDefault();
    saveSettings({
      server,
      osu: { apiUrl: apiUrl.trim(), socketUrl: socketUrl.trim(), token: token.trim() },
    });
    location.reload();
  };

  return (
    <form className="settings" onSubmit={save}>
      {target === null && (
        <div className="settings-intro">
          <h1>
            osu!<b>chat</b> demo
          </h1>
          <p>No local emulator answered. Start one with `npm start`, or connect to osu! with a token.</p>
        </div>
      )}
      <fieldset>
        <legend>Server</legend>
        <label className="radio">
          <input type="radio" checked={server === 'emulator'} onChange={() => setServer('emulator')} />
          Local emulator <span className="muted">(started by `npm start`)</span>
        </label>
        <label className="radio">
          <input type="radio" checked={server === 'osu'} onChange={() => setServer('osu')} />
          osu! <span className="muted">(your own account, with a token you paste here)</span>
        </label>
      </fieldset>

      {server === 'emulator' && target?.kind === 'emulator' && (
        <fieldset>
          <legend>Signed in as</legend>
          <p className="muted small">
            {target.user.username} with a {target.mode === 'lazer' ? 'lazer (*)' : 'third-party'} token. Open
            another user in a second tab to chat with yourself.
          </p>
          <div className="user-links">
            {target.users.map((u) => (
              <a
                key={u.id}
                href={userLink(u.username, target.mode)}
                className={u.id === target.user.id ? 'current' : ''}
              >
                {u.username}
              </a>
            ))}
          </div>
          <a
            className="small"
            href={userLink(target.user.username, target.mode === 'lazer' ? 'thirdParty' : 'lazer')}
          >
            Use the {target.mode === 'lazer' ? 'third-party' : 'lazer (*)'} token instead
          </a>
        </fieldset>
      )}

      {server === 'osu' && (
        <fieldset>
          <legend>osu!</legend>
          <label>
            API URL
            <input
              value={apiUrl}
              onChange={(event) => setApiUrl(event.target.value)}
              placeholder={OSU_API_URL}
            />
          </label>
          <p className="muted small">
            {OSU_API_URL} goes through this server's {OSU_PROXY_PATH} proxy: osu! sends no CORS headers to
            other origins. Any other URL is called directly.
          </p>
          <label>
            Websocket URL
            <input value={socketUrl} onChange={(event) => setSocketUrl(event.target.value)} />
          </label>
          <label>
            Access token
            <input
              type="password"
              autoComplete="off"
              value={token}
              onChange={(event) => setToken(event.target.value)}
              placeholder="eyJ0eXAiOiJKV1Qi…"
            />
          </label>
          <p className="muted small">
            An OAuth token with the chat.read, chat.write, chat.write_manage and identify scopes. It stays in
            this browser's localStorage and is sent only to osu!.
          </p>
        </fieldset>
      )}
      <div className="settings-actions">
        <button type="submit" className="primary" disabled={server === 'osu' && token.trim() === ''}>
          Save and reconnect
        </button>
      </div>
    </form>
  );
}
