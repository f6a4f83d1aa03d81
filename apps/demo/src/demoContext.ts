// What the app knows beyond the chat client: where it is connected, and the wire log for the inspector.
import type { Readable } from '@osu-chat/react';
import { createContext, useContext } from 'react';
import type { DemoSettings, DemoTarget } from './config.js';
import type { WireEntry } from './wireLog.js';

export interface Demo {
  readonly target: DemoTarget;
  readonly settings: DemoSettings;
  readonly wireLog: Readable<readonly WireEntry[]>;
}

export const DemoContext = createContext<Demo | null>(null);

export function useDemo(): Demo {
  const demo = useContext(DemoContext);
  if (!demo) throw new Error('useDemo needs <DemoContext.Provider> (main.tsx provides it)');
  return demo;
}
