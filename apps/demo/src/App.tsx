// The chat screen: sidebar, the open channel, and the overlays (directory, new PM, settings, inspector).
import { useChannel, useChannels, useChatClient } from '@osu-chat/react';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { storageScope } from './client.js';
import { ChannelView } from './components/ChannelView.js';
import { Directory } from './components/Directory.js';
import { EmptyState } from './components/EmptyState.js';
import { MachinePanel } from './components/MachinePanel.js';
import { Modal } from './components/Modal.js';
import { Settings } from './components/Settings.js';
import { Sidebar } from './components/Sidebar.js';
import { UserPicker } from './components/UserPicker.js';
import { useDemo } from './demoContext.js';
import { type Navigation, NavigationContext } from './navigation.js';
import { useRememberedChannels } from './useRememberedChannels.js';

type Overlay = 'directory' | 'people' | 'settings' | null;

export function App() {
  const client = useChatClient();
  const demo = useDemo();
  const channels = useChannels();
  const [selected, setSelected] = useState<number | null>(null);
  const [overlay, setOverlay] = useState<Overlay>(null);
  const [inspector, setInspector] = useState(false);
  const current = useChannel(selected ?? 0);
  useRememberedChannels(storageScope(demo.target));

  // Keep a channel open: the first one once the list arrives, the next one after leaving, and the real
  // channel once a draft PM has been created by its first message.
  useEffect(() => {
    if (current && current.id !== selected) setSelected(current.id);
    else if (!current && (channels[0]?.id ?? null) !== selected) setSelected(channels[0]?.id ?? null);
  }, [channels, current, selected]);

  const navigation = useMemo<Navigation>(
    () => ({
      openChannel: (id) => {
        setSelected(id);
        setOverlay(null);
      },
      openChannelByName: async (name) => {
        const wanted = name.toLowerCase();
        const joined = client.channels.getSnapshot().find((c) => c.name.toLowerCase() === wanted);
        if (joined) return setSelected(joined.id);
        const directory = await client.publicChannels();
        const found = directory.find((c) => c.name.toLowerCase() === wanted);
        if (!found) throw new Error(`${name} is not a public channel`);
        const channel = await client.join(found.id);
        setSelected(channel.id);
      },
      openPrivateChat: async (userId) => {
        const channel = await client.openPrivateChat(userId);
        setSelected(channel.id);
        setOverlay(null);
      },
    }),
    [client],
  );
  const close = useCallback(() => setOverlay(null), []);

  return (
    <NavigationContext.Provider value={navigation}>
      <div className={inspector ? 'app with-inspector' : 'app'}>
        <Sidebar
          selected={selected}
          onSelect={setSelected}
          onBrowse={() => setOverlay('directory')}
          onNewMessage={() => setOverlay('people')}
          onSettings={() => setOverlay('settings')}
          inspectorOpen={inspector}
          onToggleInspector={() => setInspector((open) => !open)}
        />
        <main className="main">
          {selected !== null && current ? (
            <ChannelView key={current.id} channel={current} onPeople={() => setOverlay('people')} />
          ) : (
            <EmptyState onBrowse={() => setOverlay('directory')} />
          )}
        </main>
        {inspector && <MachinePanel onClose={() => setInspector(false)} />}
      </div>
      {overlay === 'directory' && (
        <Modal title="Browse channels" onClose={close}>
          <Directory />
        </Modal>
      )}
      {overlay === 'people' && (
        <Modal title="New message" onClose={close}>
          <UserPicker channelId={selected} />
        </Modal>
      )}
      {overlay === 'settings' && (
        <Modal title="Settings" onClose={close}>
          <Settings settings={demo.settings} target={demo.target} />
        </Modal>
      )}
    </NavigationContext.Provider>
  );
}
