/** What every page is given: the API, the signed-in key's scopes (null when unreadable), the origin. */
import type { Api, Scope } from "./api.ts";

export interface Ctx {
  api: Api;
  scopes: Scope[] | null;
  origin: string;
  navigate: (hash: string) => void;
}
