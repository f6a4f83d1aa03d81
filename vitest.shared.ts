// How every package's tests resolve workspace packages: to their src/ through the `@osu-chat/source` export
// condition, in SSR too, so tests need no build first.
import { defaultServerConditions } from 'vite';

const conditions = ['@osu-chat/source', ...defaultServerConditions];

export const sourceResolution = {
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@osu-chat/source'] } },
};
