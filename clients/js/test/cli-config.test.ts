/**
 * The CLI's configuration rules, on the pure resolver: flags over environment over profile, which
 * profile is chosen, and a file holding a key refused while others can read it.
 */
import { describe, expect, it } from "vitest";
import { resolveConfig, type ConfigFile } from "../src/cli/config.ts";
import { CliError } from "../src/cli/errors.ts";

const file = (profiles: unknown, mode = 0o100600): ConfigFile => ({ path: "/home/u/.config/pqkms/config.json", text: JSON.stringify({ profiles }), mode });
const PROFILES = {
  default: { url: "http://default.test", api_key: "pqk_default" },
  prod: { url: "https://prod.test", api_key: "pqk_prod" },
};

function refusal(run: () => unknown): CliError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    return error as CliError;
  }
  throw new Error("expected a refusal");
}

describe("resolveConfig", () => {
  it("takes the flag over the environment over the profile, field by field", () => {
    const load = () => file(PROFILES);
    expect(resolveConfig({}, {}, load, "linux")).toEqual({ url: "http://default.test", apiKey: "pqk_default" });
    expect(resolveConfig({}, { PQKMS_URL: "http://env.test" }, load, "linux")).toEqual({ url: "http://env.test", apiKey: "pqk_default" });
    expect(resolveConfig({ url: "http://flag.test" }, { PQKMS_URL: "http://env.test", PQKMS_API_KEY: "pqk_env" }, load, "linux")).toEqual({
      url: "http://flag.test",
      apiKey: "pqk_env",
    });
    expect(resolveConfig({ profile: "prod" }, { PQKMS_API_KEY: "pqk_env" }, load, "linux")).toEqual({ url: "https://prod.test", apiKey: "pqk_env" });
    expect(resolveConfig({}, { PQKMS_PROFILE: "prod" }, load, "linux")).toEqual({ url: "https://prod.test", apiKey: "pqk_prod" });
  });

  it("does not read the file when the environment settles everything and no profile is named", () => {
    const load = () => {
      throw new Error("read");
    };
    expect(resolveConfig({}, { PQKMS_URL: "https://e.test", PQKMS_API_KEY: "pqk_e" }, load, "linux")).toEqual({ url: "https://e.test", apiKey: "pqk_e" });
  });

  it("refuses what is missing, naming it", () => {
    expect(refusal(() => resolveConfig({}, {}, () => undefined, "linux"))).toMatchObject({ code: "config_missing", exit: 2, message: expect.stringMatching(/^no gateway URL/) });
    expect(refusal(() => resolveConfig({}, { PQKMS_URL: "http://x.test" }, () => undefined, "linux")).message).toMatch(/^no API key/);
    expect(refusal(() => resolveConfig({ profile: "staging" }, {}, () => file(PROFILES), "linux")).message).toMatch(/no profile "staging"/);
    expect(refusal(() => resolveConfig({ profile: "prod" }, {}, () => undefined, "linux")).code).toBe("config_missing");
    expect(refusal(() => resolveConfig({ url: "ftp://x" }, { PQKMS_API_KEY: "k" }, () => undefined, "linux")).code).toBe("config_invalid");
    expect(refusal(() => resolveConfig({}, {}, () => ({ ...file({}), text: "{" }), "linux")).code).toBe("config_invalid");
    expect(refusal(() => resolveConfig({}, {}, () => file({ default: { url: 7 } }), "linux")).code).toBe("config_invalid");
  });

  it("refuses a file holding a key that group or others can read, and never shows the key", () => {
    for (const mode of [0o100644, 0o100640, 0o100604, 0o100660]) {
      const error = refusal(() => resolveConfig({}, {}, () => file(PROFILES, mode), "linux"));
      expect(error).toMatchObject({ code: "config_unprotected", exit: 2 });
      expect(error.message).toContain(`chmod 600`);
      expect(error.message).not.toContain("pqk_");
    }
    // Without a key in it the file may be shared; Windows has no such mode bits.
    expect(resolveConfig({}, { PQKMS_API_KEY: "pqk_env" }, () => file({ default: { url: "http://d.test" } }, 0o100644), "linux").url).toBe("http://d.test");
    expect(resolveConfig({}, {}, () => file(PROFILES, 0o100666), "win32").apiKey).toBe("pqk_default");
  });
});
