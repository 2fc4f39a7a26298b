/**
 * The shapes of the TenantVault's key rows (migrations.ts), apart from the store that reads them so
 * that pure modules (version rules, key commands) can name them without a storage binding.
 */
import type { KeyOrigin, KeyState, VersionState } from "../../../shared/key-states.ts";
import type { AlgorithmName } from "../crypto/algorithms.ts";

export type KeyRow = {
  id: string;
  /** Checked against the catalog whenever a row is read (key-store.ts). */
  algorithm: AlgorithmName;
  purpose: "encrypt" | "sign" | "mac";
  name: string | null;
  description: string | null;
  labels: string;
  state: KeyState;
  /** `imported`: its versions come only from imports (import-jobs.ts), never from rotation. */
  origin: KeyOrigin;
  primary_version: number;
  min_decryption_version: number;
  deletion_window_days: number;
  deletion_date: number | null;
  /** Automatic rotation (rotation-rules.ts): the ISO 8601 period as given, when it is next due, and how many older versions stay decryptable. */
  rotation_period: string | null;
  next_rotation_at: number | null;
  keep_decryption_versions: number | null;
  created_at: number;
  updated_at: number;
  revision: number;
};

export type VersionRow = {
  key_id: string;
  version: number;
  state: VersionState;
  public_key: ArrayBuffer | null;
  wrapped_secret: ArrayBuffer | null;
  kek_id: string;
  created_at: number;
  destroyed_at: number | null;
  /** When a pending destruction happens; set exactly while the state is `pending_destruction`. */
  destruction_date: number | null;
  /** When the version last performed a cryptographic operation, to the minute (crypto-frame.ts). */
  last_used_at: number | null;
};

/** A version to insert: binary columns as bytes (stored as BLOBs). */
export type NewVersion = Omit<VersionRow, "public_key" | "wrapped_secret" | "destruction_date" | "last_used_at"> & {
  public_key: Uint8Array | null;
  wrapped_secret: Uint8Array;
};

/** An import job (import-jobs.ts): its KEM key pair, the private key wrapped until it is used or expires. */
export type ImportJobRow = {
  id: string;
  wrapping_algorithm: "ML-KEM-768" | "X-Wing";
  state: "active" | "used" | "expired";
  public_key: ArrayBuffer;
  wrapped_secret: ArrayBuffer | null;
  kek_id: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  key_id: string | null;
  key_version: number | null;
  destroyed_at: number | null;
};
