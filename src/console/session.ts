// The console's session: the API token lives in sessionStorage (gone when the tab closes, never
// sent anywhere but the API's Authorization header), and the client built from it.
import { HeraldClient } from '../client/index.js';

const TOKEN_KEY = 'herald.console.token';

export function savedToken(): string | undefined {
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

export function saveToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** The client for this page's origin (the console is served by the API server itself). */
export const clientFor = (token: string): HeraldClient => new HeraldClient({ baseUrl: '', token });
