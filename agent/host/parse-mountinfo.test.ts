import { describe, expect, it } from "vitest";
import { readFixture } from "../../test/fixtures/proc/fixtures.ts";
import { ProcParseError } from "./host-errors.ts";
import { decodeOctalEscapes, isReadonlyMount, parseMountinfo, selectFilesystems } from "./parse-mountinfo.ts";

describe("parseMountinfo()", () => {
  it("reads device, mount point, fstype and options of a real mountinfo", async () => {
    const mounts = parseMountinfo(await readFixture("vm/1/mountinfo"));
    expect(mounts).toHaveLength(20);
    expect(mounts.find((mount) => mount.mountpoint === "/")).toEqual({
      device: "/dev/vda",
      mountpoint: "/",
      fstype: "ext4",
      options: "rw,relatime",
      superOptions: "rw,discard,resv_strict,resuid=65534,resgid=65534",
    });
  });

  it("skips optional fields and decodes octal escapes in paths", async () => {
    const mounts = parseMountinfo(await readFixture("edge/mountinfo-edge"));
    expect(mounts.find((mount) => mount.fstype === "ext4" && mount.mountpoint.startsWith("/mnt"))).toEqual({
      device: "/dev/sdb 1",
      mountpoint: "/mnt/my disk",
      fstype: "ext4",
      options: "rw,relatime",
      superOptions: "rw",
    });
    expect(mounts.find((mount) => mount.fstype === "nfs4")?.mountpoint).toBe("/nfs/back\\slash");
  });

  it("throws ProcParseError on a line without the `-` separator", () => {
    expect(() => parseMountinfo("27 1 254:0 / / rw,relatime ext4 /dev/vda rw\n")).toThrow(ProcParseError);
  });
});

describe("decodeOctalEscapes()", () => {
  it.each([
    ["/plain", "/plain"],
    ["/a\\040b", "/a b"],
    ["/tab\\011x", "/tab\tx"],
    ["/nl\\012x", "/nl\nx"],
    ["/bs\\134x", "/bs\\x"],
    ["/not\\999", "/not\\999"],
  ])("decodes %j", (raw, decoded) => {
    expect(decodeOctalEscapes(raw)).toBe(decoded);
  });
});

describe("selectFilesystems()", () => {
  it("keeps only / and the tmpfs outside excluded trees on this VM", async () => {
    const selected = selectFilesystems(parseMountinfo(await readFixture("vm/1/mountinfo")));
    expect(selected.map((mount) => mount.mountpoint)).toEqual(["/", "/mnt/sandboxing/model_tools_env/v1/python"]);
  });

  it("applies node_exporter's default mount point and fstype excludes, and keeps the top mount of a path", async () => {
    const selected = selectFilesystems(parseMountinfo(await readFixture("edge/mountinfo-edge")));
    expect(selected.map((mount) => [mount.mountpoint, mount.device])).toEqual([
      ["/", "/dev/vda"],
      ["/mnt/my disk", "/dev/sdb 1"],
      // /data twice: the later mount (over the first) wins.
      ["/data", "/dev/nvme1n1"],
      // /var/lib/docker itself is kept; only what is below it is excluded.
      ["/var/lib/docker", "/dev/vdc"],
      ["/run", "tmpfs"],
      ["/nfs/back\\slash", "server:/export"],
      ["/ro-super", "/dev/vdd"],
    ]);
  });
});

describe("isReadonlyMount()", () => {
  it.each([
    ["rw,relatime", "rw", false],
    ["ro,relatime", "rw", true],
    ["rw", "ro", true],
    ["rw,errors=remount-ro", "rw", false],
  ])("options %j, super options %j -> %j", (options, superOptions, readonly) => {
    expect(isReadonlyMount({ device: "d", mountpoint: "/", fstype: "ext4", options, superOptions })).toBe(readonly);
  });
});
