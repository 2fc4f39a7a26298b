/**
 * Where the CLI connects and with which credential: flags, then the environment, then a profile of
 * the config file (`$PQKMS_CONFIG`, else `~/.config/pqkms/config.json`):
 *
 * ```json
 * { "profiles": { "default": { "url": "http://localhost:8787", "api_key": "pqk_…" },
 *                 "prod":    { "url": "https://kms.example.com", "api_key": "pqk_…" } } }
 * ```
 *
 * The profile is `--profile NAME`, else `$PQKMS_PROFILE`, else `default` when the file has one. The
 * API key is never a flag (a command line is visible to every user of the machine in `ps`). A file
 * holding a key must be private to its owner (mode 600): like ssh with a private key, the CLI
 * refuses one that group or others may read, rather than use a credential others may have copied.
 */
import { readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import type { Credentials } from "../client/transport.ts";
import { CliError } from "./errors.ts";

export interface ConfigFlags {
  url?: string | undefined;
  profile?: string | undefined;
}

/** The config file as read from disk: its text and its permission bits. */
export interface ConfigFile {
  path: string;
  text: string;
  mode: number;
}

interface Profile {
  url?: string;
  api_key?: string;
}

/** The config file's path: `$PQKMS_CONFIG`, else `$XDG_CONFIG_HOME/pqkms/config.json`, else `~/.config/pqkms/config.json`. */
export function configPath(env: NodeJS.ProcessEnv): string {
  if (env.PQKMS_CONFIG) return env.PQKMS_CONFIG;
  const base = env.XDG_CONFIG_HOME || path.join(homedir(), ".config");
  return path.join(base, "pqkms", "config.json");
}

/** Reads the config file, or undefined when there is none. */
export function readConfigFile(file: string): ConfigFile | undefined {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch {
    return undefined;
  }
  try {
    return { path: file, text: readFileSync(file, "utf8"), mode };
  } catch (error) {
    throw new CliError(`cannot read the config file ${file}: ${(error as Error).message}`, { code: "config_unreadable" });
  }
}

function parseProfiles(file: ConfigFile): Record<string, Profile> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(file.text);
  } catch {
    throw new CliError(`the config file ${file.path} is not JSON`, { code: "config_invalid" });
  }
  const profiles = (parsed as { profiles?: unknown } | null)?.profiles;
  if (typeof profiles !== "object" || profiles === null || Array.isArray(profiles)) {
    throw new CliError(`the config file ${file.path} has no "profiles" object`, { code: "config_invalid" });
  }
  for (const [name, profile] of Object.entries(profiles)) {
    const fields = profile as Record<string, unknown>;
    if (typeof profile !== "object" || profile === null || ["url", "api_key"].some((f) => fields[f] !== undefined && typeof fields[f] !== "string")) {
      throw new CliError(`profile "${name}" in ${file.path}: url and api_key must be strings`, { code: "config_invalid" });
    }
  }
  return profiles as Record<string, Profile>;
}

/** Refuses a file holding a credential that its group or others can read (POSIX modes only). */
function checkPrivate(file: ConfigFile, profiles: Record<string, Profile>, platform: string): void {
  if (platform === "win32") return;
  const holdsKey = Object.values(profiles).some((p) => p.api_key !== undefined);
  if (holdsKey && (file.mode & 0o077) !== 0) {
    const mode = (file.mode & 0o777).toString(8).padStart(3, "0");
    throw new CliError(`the config file ${file.path} holds an API key and is readable by others (mode ${mode}): run chmod 600 ${file.path}`, {
      code: "config_unprotected",
    });
  }
}

/**
 * The connection for this run. Pure: the file is passed in already read (or undefined); `load` is
 * called only when the flags and environment do not settle everything, or a profile is asked for.
 */
export function resolveConfig(flags: ConfigFlags, env: NodeJS.ProcessEnv, load: () => ConfigFile | undefined, platform: string): Credentials {
  const profileName = flags.profile ?? (env.PQKMS_PROFILE || undefined);
  let profile: Profile = {};
  const needFile = profileName !== undefined || !(flags.url ?? env.PQKMS_URL) || !env.PQKMS_API_KEY;
  if (needFile) {
    const file = load();
    if (file === undefined && profileName !== undefined) {
      throw new CliError(`profile "${profileName}" asked for, but there is no config file (${configPath(env)})`, { code: "config_missing" });
    }
    if (file !== undefined) {
      const profiles = parseProfiles(file);
      checkPrivate(file, profiles, platform);
      const chosen = profiles[profileName ?? "default"];
      if (chosen === undefined && profileName !== undefined) {
        throw new CliError(`no profile "${profileName}" in ${file.path}`, { code: "config_missing" });
      }
      profile = chosen ?? {};
    }
  }
  const url = flags.url ?? (env.PQKMS_URL || undefined) ?? profile.url;
  const apiKey = env.PQKMS_API_KEY || profile.api_key;
  if (url === undefined) throw new CliError("no gateway URL: set PQKMS_URL, pass --url, or use a profile (pqkms --help)", { code: "config_missing" });
  if (!/^https?:\/\//i.test(url)) throw new CliError(`the gateway URL must start with http:// or https://, got "${url}"`, { code: "config_invalid" });
  if (!apiKey) throw new CliError("no API key: set PQKMS_API_KEY or use a profile with an api_key (pqkms --help)", { code: "config_missing" });
  return { url, apiKey };
}
