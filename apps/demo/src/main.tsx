// Boot: pick the target (emulator or osu!), build its client, render. Without a target, Settings come first.
import { ChatProvider } from '@osu-chat/react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { buildClient } from './client.js';
import { Settings } from './components/Settings.js';
import { loadSettings, resolveTarget } from './config.js';
import { DemoContext } from './demoContext.js';
import { createWireLog } from './wireLog.js';
import './styles.css';

async function boot(): Promise<void> {
  const container = document.getElementById('root');
  if (!container) throw new Error('index.html has no #root');
  const root = createRoot(container);
  const settings = loadSettings();
  const target = await resolveTarget(settings, new URLSearchParams(location.search));
  if (!target) {
    root.render(
      <StrictMode>
        <div className="first-run">
          <Settings settings={settings} target={null} />
        </div>
      </StrictMode>,
    );
    return;
  }
  const client = buildClient(target);
  const wireLog = createWireLog(client);
  root.render(
    <StrictMode>
      <DemoContext.Provider value={{ target, settings, wireLog }}>
        <ChatProvider client={client}>
          <App />
        </ChatProvider>
      </DemoContext.Provider>
    </StrictMode>,
  );
}

void boot();
