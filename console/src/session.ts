/**
 * The signed-in credential, kept in sessionStorage: it lives only as long as this tab, is never
 * written anywhere else, and is removed on sign-out and on any 401.
 */
export type Credential = { kind: "tenant" | "admin"; token: string };

const STORAGE_KEY = "pqkms.console.credential";

export function loadCredential(): Credential | null {
  const raw = sessionStorage.getItem(STORAGE_KEY);
  if (raw === null) return null;
  try {
    const value = JSON.parse(raw) as Partial<Credential>;
    if ((value.kind === "tenant" || value.kind === "admin") && typeof value.token === "string" && value.token !== "") {
      return { kind: value.kind, token: value.token };
    }
  } catch {
    // unreadable: treated as signed out below
  }
  sessionStorage.removeItem(STORAGE_KEY);
  return null;
}

export function saveCredential(credential: Credential): void {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(credential));
}

export function clearCredential(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}
