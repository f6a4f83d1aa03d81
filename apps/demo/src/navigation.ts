// How deep components (message links, user names) ask the app to switch channel without prop drilling.
import { createContext, useContext } from 'react';

export interface Navigation {
  /** Shows a channel the user is in (or a draft PM). */
  openChannel(channelId: number): void;
  /** Opens `#name`: the joined channel, or joins it from the public directory first. */
  openChannelByName(name: string): Promise<void>;
  /** Opens (or drafts) a PM with a user. */
  openPrivateChat(userId: number): Promise<void>;
}

export const NavigationContext = createContext<Navigation | null>(null);

export function useNavigation(): Navigation {
  const navigation = useContext(NavigationContext);
  if (!navigation) throw new Error('useNavigation needs <NavigationContext.Provider> (App provides it)');
  return navigation;
}
