/**
 * scripts/install.sh for real, into a temp root: the dry run names every action and
 * changes nothing, a real run installs the binary, user, unit and env file, a second
 * run changes nothing, --uninstall reverses it, and systemd-analyze verifies the unit.
 */
import { appendFileSync, chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AGENT_BINARY } from "./support/agent-process.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const SCRIPT = join(ROOT, "scripts/install.sh");
const DEPLOY = join(ROOT, "agent/deploy/systemd");

async function install(args: readonly string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn(["bash", SCRIPT, ...args], { stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { exitCode, stdout, stderr };
}

/** Every file under `dir`, relative, sorted. */
function listFiles(dir: string, prefix = ""): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]))
    .sort();
}

/** `[Section] Key=value` pairs of a unit file, keys repeated as often as written. */
function unitKeys(text: string): Map<string, string[]> {
  const keys = new Map<string, string[]>();
  let section = "";
  for (const line of text.split("\n")) {
    if (line.startsWith("#") || line.trim() === "") continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) {
      section = header[1] as string;
      continue;
    }
    const eq = line.indexOf("=");
    const key = `${section}.${line.slice(0, eq)}`;
    keys.set(key, [...(keys.get(key) ?? []), line.slice(eq + 1)]);
  }
  return keys;
}

const roots: string[] = [];
afterEach(() => {
  for (const dir of roots.splice(0)) rmSync(dir, { recursive: true, force: true });
});

// A private copy of the agent: other test runs on this machine rebuild dist/vigil-agent,
// and "the second install changes nothing" must not see it change underneath.
let AGENT = "";
beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), "vigil-install-bin-"));
  AGENT = join(dir, "vigil-agent");
  copyFileSync(AGENT_BINARY, AGENT);
  chmodSync(AGENT, 0o755);
});
afterAll(() => rmSync(dirname(AGENT), { recursive: true, force: true }));
function tempRoot(): string {
  const dir = mkdtempSync(join(tmpdir(), "vigil-install-"));
  roots.push(dir);
  return dir;
}

describe("scripts/install.sh", () => {
  it("--dry-run prints each action and changes nothing", async () => {
    const root = tempRoot();
    const result = await install(["--root", root, "--dry-run", "--binary", AGENT]);
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toMatch(/^# vigil-agent \d+\.\d+\.\d+\S* \(bun [\d.]+\) -> \/tmp\/vigil-install-\w+ \(user vigil\)$/);
    expect(lines).toContain("# dry run: nothing is changed");
    expect(lines).toContain(`+ install -D -m 0755 ${AGENT} ${root}/usr/local/bin/vigil-agent.new`);
    expect(lines).toContain(`+ mv -f ${root}/usr/local/bin/vigil-agent.new ${root}/usr/local/bin/vigil-agent`);
    expect(lines).toContain(`+ write ${root}/usr/lib/sysusers.d/vigil-agent.conf (mode 0644)`);
    expect(lines).toContain(`+ systemd-sysusers --root=${root} ${root}/usr/lib/sysusers.d/vigil-agent.conf`);
    expect(lines).toContain(`+ write ${root}/etc/systemd/system/vigil-agent.service (mode 0644)`);
    expect(lines).toContain(`+ write ${root}/etc/default/vigil-agent (mode 0640)`);
    expect(result.stdout).toContain("Dry run: nothing was installed. After a real run, enable and start it with:\n  systemctl daemon-reload && systemctl enable --now vigil-agent");
    expect(listFiles(root)).toEqual([]);
  });

  it("installs for real, is idempotent, and --uninstall reverses it", async () => {
    const root = tempRoot();
    const first = await install(["--root", root, "--binary", AGENT]);
    expect(first.exitCode, first.stderr).toBe(0);
    const bin = join(root, "usr/local/bin/vigil-agent");
    expect(statSync(bin).mode & 0o777).toBe(0o755);
    expect(Bun.hash(readFileSync(bin))).toBe(Bun.hash(readFileSync(AGENT)));
    expect(readFileSync(join(root, "etc/passwd"), "utf8")).toMatch(/^vigil:x:\d+:\d+:[^:]*:\/var\/lib\/vigil-agent:\/usr\/sbin\/nologin$/m);
    expect(statSync(join(root, "etc/default/vigil-agent")).mode & 0o777).toBe(0o640);
    // The files in agent/deploy/systemd/ are exactly what the script writes.
    expect(readFileSync(join(root, "etc/systemd/system/vigil-agent.service"), "utf8")).toBe(readFileSync(join(DEPLOY, "vigil-agent.service"), "utf8"));
    expect(readFileSync(join(root, "etc/default/vigil-agent"), "utf8")).toBe(readFileSync(join(DEPLOY, "vigil-agent.env"), "utf8"));

    const second = await install(["--root", root, "--binary", AGENT]);
    expect(second.exitCode).toBe(0);
    expect(second.stdout).not.toMatch(/^\+ /m);
    expect(second.stdout).toContain(`= ${root}/etc/systemd/system/vigil-agent.service unchanged`);
    expect(second.stdout).toContain("= user vigil exists");

    // An operator's edit survives a plain uninstall and goes with --purge.
    appendFileSync(join(root, "etc/default/vigil-agent"), "VIGIL_VLLM=http://127.0.0.1:9000\n");
    const dry = await install(["--root", root, "--uninstall", "--dry-run"]);
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout).toContain(`+ rm -f ${root}/usr/local/bin/vigil-agent`);
    expect(dry.stdout).toContain(`+ userdel --root ${root} vigil`);
    expect(dry.stdout).toContain("Dry run: nothing was removed.");
    expect(existsSync(bin)).toBe(true);

    const removed = await install(["--root", root, "--uninstall"]);
    expect(removed.exitCode, removed.stderr).toBe(0);
    expect(removed.stdout).toContain("kept: it was edited");
    expect(existsSync(bin)).toBe(false);
    expect(existsSync(join(root, "etc/systemd/system/vigil-agent.service"))).toBe(false);
    expect(readFileSync(join(root, "etc/passwd"), "utf8")).not.toMatch(/^vigil:/m);
    expect(readFileSync(join(root, "etc/group"), "utf8")).not.toMatch(/^vigil:/m);
    expect(existsSync(join(root, "etc/default/vigil-agent"))).toBe(true);
    const purged = await install(["--root", root, "--uninstall", "--purge"]);
    expect(purged.exitCode).toBe(0);
    expect(listFiles(root).filter((f) => !f.startsWith("etc/") || f.startsWith("etc/default") || f.startsWith("etc/systemd"))).toEqual([]);
  });

  it("upgrades a changed binary in place, and never deletes a user it did not create", async () => {
    const root = tempRoot();
    mkdirSync(join(root, "etc"));
    writeFileSync(join(root, "etc/passwd"), "vigil:x:1500:1500:someone else:/home/vigil:/bin/bash\n");
    writeFileSync(join(root, "etc/group"), "vigil:x:1500:\n");
    const first = await install(["--root", root, "--binary", AGENT]);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stdout).toContain("= user vigil exists (not created here: --uninstall keeps it)");
    expect(existsSync(join(root, "usr/lib/sysusers.d/vigil-agent.conf"))).toBe(false);

    appendFileSync(join(root, "usr/local/bin/vigil-agent"), "stale");
    const upgrade = await install(["--root", root, "--binary", AGENT]);
    expect(upgrade.stdout).toContain("# the binary changed: systemctl restart vigil-agent runs the new one");
    expect(Bun.hash(readFileSync(join(root, "usr/local/bin/vigil-agent")))).toBe(Bun.hash(readFileSync(AGENT)));

    const removed = await install(["--root", root, "--uninstall"]);
    expect(removed.exitCode).toBe(0);
    expect(removed.stdout).toContain("= user vigil kept: install.sh did not create it");
    expect(readFileSync(join(root, "etc/passwd"), "utf8")).toBe("vigil:x:1500:1500:someone else:/home/vigil:/bin/bash\n");
  });

  it("passes shellcheck where it is installed", async () => {
    // Optional (not in scripts/setup-test-deps.sh): a lint, not a behaviour.
    const shellcheck = Bun.which("shellcheck");
    if (!shellcheck) return;
    const proc = Bun.spawn([shellcheck, SCRIPT], { stdout: "pipe", stderr: "pipe" });
    const [out, exitCode] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
    expect(exitCode, out).toBe(0);
  });

  it("refuses bad arguments with one line and exit 2", async () => {
    for (const args of [["--bogus"], ["--root", "/nonexistent/vigil"], ["--binary", "/nonexistent/agent", "--dry-run"], ["--user", "Bad User"], ["--user", "root"], ["--purge"]]) {
      const result = await install(args);
      expect(result.exitCode, args.join(" ")).toBe(2);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(result.stderr).toMatch(/^install\.sh: /);
    }
  });

  it("writes a unit systemd-analyze verifies, with the hardening the issue asks for", async () => {
    const unit = readFileSync(join(DEPLOY, "vigil-agent.service"), "utf8");
    const keys = unitKeys(unit);
    expect(keys.get("Service.NoNewPrivileges")).toEqual(["yes"]);
    expect(keys.get("Service.ProtectSystem")).toEqual(["strict"]);
    expect(keys.get("Service.Restart")).toEqual(["on-failure"]);
    expect(keys.get("Service.User")).toEqual(["vigil"]);
    expect(keys.get("Service.EnvironmentFile")).toEqual(["-/etc/default/vigil-agent"]);
    expect(keys.get("Service.ExecStart")).toEqual(["/usr/local/bin/vigil-agent $VIGIL_ARGS"]);
    expect(keys.get("Service.CapabilityBoundingSet")).toEqual([""]);
    expect(keys.get("Service.PrivateDevices")).toEqual(["no"]);
    expect(keys.get("Service.DevicePolicy")).toEqual(["closed"]);
    expect(keys.get("Service.DeviceAllow")).toEqual(["char-nvidia-frontend rw", "char-nvidia-caps r"]);
    expect(keys.has("Service.MemoryDenyWriteExecute")).toBe(false);
    expect(keys.get("Install.WantedBy")).toEqual(["multi-user.target"]);
    // Every VIGIL_* line of the env file is a variable the agent reads.
    const help = (await new Response(Bun.spawn([AGENT, "--help"], { stdout: "pipe" }).stdout).text());
    const env = readFileSync(join(DEPLOY, "vigil-agent.env"), "utf8");
    for (const match of env.matchAll(/^#?(VIGIL_[A-Z_]+)=/gm)) {
      if (match[1] !== "VIGIL_ARGS") expect(help, match[1]).toContain(`[${match[1]}`);
    }

    // The issue asks for systemd-analyze verify where it runs, else the key checks above.
    const analyze = Bun.which("systemd-analyze");
    if (!analyze) return;
    const root = tempRoot();
    expect((await install(["--root", root, "--binary", AGENT])).exitCode).toBe(0);
    // verify resolves the unit's dependencies (sysinit.target, ...) inside the root.
    cpSync("/usr/lib/systemd/system", join(root, "usr/lib/systemd/system"), { recursive: true });
    const proc = Bun.spawn([analyze, "verify", `--root=${root}`, "/etc/systemd/system/vigil-agent.service"], { stdout: "pipe", stderr: "pipe" });
    const [stderr, exitCode] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
    expect(stderr).toBe("");
    expect(exitCode).toBe(0);
    // And it does complain about a broken unit, so the silence above means something.
    writeFileSync(join(root, "etc/systemd/system/vigil-agent.service"), `${unit}\n[Service]\nProtectSystem=sometimes\n`);
    const bad = Bun.spawn([analyze, "verify", `--root=${root}`, "/etc/systemd/system/vigil-agent.service"], { stdout: "pipe", stderr: "pipe" });
    expect(await new Response(bad.stderr).text()).toContain("Failed to parse protect system value");
  });
});
