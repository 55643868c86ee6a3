#!/usr/bin/env bash
# Installs the Vigil agent as a hardened systemd service, or removes it again.
#
#   scripts/install.sh [--binary PATH] [--root DIR] [--user NAME] [--dry-run]
#   scripts/install.sh --uninstall [--purge] [--root DIR] [--dry-run]
#   scripts/install.sh --print-unit | --print-env
#
# Install: copies the binary to /usr/local/bin/vigil-agent, creates the system user
# (systemd-sysusers, else useradd), writes /etc/systemd/system/vigil-agent.service and
# /etc/default/vigil-agent (the agent's flags as VIGIL_* variables; an existing one is
# kept, since the operator owns it), then prints how to enable the service.
# Idempotent: a second run changes nothing and says so. --root DIR installs under DIR
# (an image being built, or a test's temp dir); paths inside the unit stay absolute.
# Exit status: 0 ok, 1 failure, 2 usage error.
set -euo pipefail

readonly NAME=vigil-agent
readonly BIN_PATH=/usr/local/bin/vigil-agent
readonly UNIT_PATH=/etc/systemd/system/vigil-agent.service
readonly ENV_PATH=/etc/default/vigil-agent
readonly SYSUSERS_PATH=/usr/lib/sysusers.d/vigil-agent.conf
readonly WANTS_LINK=/etc/systemd/system/multi-user.target.wants/vigil-agent.service

usage() {
  cat <<'EOF'
Usage: install.sh [--binary PATH] [--root DIR] [--user NAME] [--dry-run]
       install.sh --uninstall [--purge] [--root DIR] [--dry-run]
       install.sh --print-unit | --print-env

Installs vigil-agent as a systemd service (binary, system user, unit, environment file).

  --binary PATH   agent binary to install (default: ./vigil-agent, else dist/vigil-agent of this checkout)
  --root DIR      install under DIR instead of / (image builds, tests)
  --user NAME     system user the service runs as (default: vigil)
  --dry-run       print what would be done, change nothing
  --uninstall     stop and disable the service, remove what install created
  --purge         with --uninstall: also remove /etc/default/vigil-agent when you edited it
  --print-unit    print the systemd unit and exit
  --print-env     print the environment file template and exit
  -h, --help      print this help and exit
EOF
}

die_usage() {
  echo "install.sh: $1 (see --help)" >&2
  exit 2
}

die() {
  echo "install.sh: $1" >&2
  exit 1
}

# The unit. Every hardening line is one an agent that only reads /proc, /sys, NVML and
# HTTP can live with; the comments say why the obvious others are absent.
render_unit() {
  local user=$1
  cat <<EOF
# vigil-agent.service: written by scripts/install.sh. Set flags in ${ENV_PATH};
# change the unit itself with a drop-in (systemctl edit vigil-agent), not here.
[Unit]
Description=Vigil agent: GPU (NVML), host and vLLM metrics for Prometheus
After=network-online.target
Wants=network-online.target

[Service]
Type=exec
User=${user}
Group=${user}
EnvironmentFile=-${ENV_PATH}
# VIGIL_ARGS holds extra flags; every flag also has a VIGIL_* variable of its own.
ExecStart=${BIN_PATH} \$VIGIL_ARGS
Restart=on-failure
RestartSec=5s
TimeoutStopSec=20s
StateDirectory=vigil-agent
WorkingDirectory=/var/lib/vigil-agent
UMask=0027

# Hardening (systemd.exec(5)).
NoNewPrivileges=yes
CapabilityBoundingSet=
AmbientCapabilities=
ProtectSystem=strict
ProtectHome=read-only
PrivateTmp=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
SystemCallArchitectures=native
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK
# Not set, on purpose: MemoryDenyWriteExecute (Bun's JIT needs W+X pages),
# ProtectProc=invisible (process attribution reads other processes' /proc/PID),
# PrivateDevices (NVML needs the devices below).

# NVML opens /dev/nvidiactl and /dev/nvidia0..N (class nvidia-frontend in
# /proc/devices) read-write, and reads /dev/nvidia-caps/* for MIG. Nothing else in /dev.
PrivateDevices=no
DevicePolicy=closed
DeviceAllow=char-nvidia-frontend rw
DeviceAllow=char-nvidia-caps r

[Install]
WantedBy=multi-user.target
EOF
}

render_env() {
  cat <<'EOF'
# /etc/default/vigil-agent: settings for vigil-agent.service (systemd EnvironmentFile=).
# Each line sets one flag: VIGIL_<FLAG> is --<flag> (vigil-agent --help lists them all).
# After an edit: systemctl restart vigil-agent
VIGIL_LISTEN=0.0.0.0:19400
#VIGIL_INTERVAL=1s
# vLLM servers to scrape, comma-separated (default: probe http://127.0.0.1:8000).
#VIGIL_VLLM=http://127.0.0.1:8000
#VIGIL_NO_VLLM=true
# Bearer token for the JSON API (and /metrics with VIGIL_METRICS_AUTH=true).
#VIGIL_TOKEN=
#VIGIL_METRICS_AUTH=true
#VIGIL_LOG_LEVEL=info
# Extra flags, split on spaces, e.g. --compat dcgm or --nvml-library /usr/lib64/libnvidia-ml.so.1
VIGIL_ARGS=
EOF
}

render_sysusers() {
  local user=$1
  printf 'u %s - "Vigil GPU inference agent" /var/lib/vigil-agent /usr/sbin/nologin\n' "$user"
}

# --- arguments ---------------------------------------------------------------
binary=""
root=""
user=vigil
dry_run=0
uninstall=0
purge=0
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) [ $# -ge 2 ] || die_usage "--binary needs a path"; binary=$2; shift 2 ;;
    --binary=*) binary=${1#*=}; shift ;;
    --root) [ $# -ge 2 ] || die_usage "--root needs a directory"; root=$2; shift 2 ;;
    --root=*) root=${1#*=}; shift ;;
    --user) [ $# -ge 2 ] || die_usage "--user needs a name"; user=$2; shift 2 ;;
    --user=*) user=${1#*=}; shift ;;
    --dry-run) dry_run=1; shift ;;
    --uninstall) uninstall=1; shift ;;
    --purge) purge=1; shift ;;
    --print-unit) render_unit "$user"; exit 0 ;;
    --print-env) render_env; exit 0 ;;
    -h|--help) usage; exit 0 ;;
    *) die_usage "unknown argument '$1'" ;;
  esac
done
[[ "$user" =~ ^[a-z_][a-z0-9_-]{0,31}$ ]] || die_usage "--user must be a lower-case system user name: got '$user'"
case "$user" in root|daemon|bin|sys|nobody) die_usage "--user must be a dedicated user, not '$user'" ;; esac
[ "$purge" -eq 0 ] || [ "$uninstall" -eq 1 ] || die_usage "--purge only goes with --uninstall"
if [ -n "$root" ]; then
  [ -d "$root" ] || die_usage "--root must be an existing directory: got '$root'"
  root=$(cd "$root" && pwd)
  [ "$root" != "/" ] || root=""
fi

# --- actions: each prints itself; --dry-run stops there -------------------------
say() { echo "$*"; }

run() {
  say "+ $*"
  [ "$dry_run" -eq 1 ] || "$@"
}

# write_file PATH MODE: content on stdin. Says "unchanged" when the file already holds it.
write_file() {
  local path=$1 mode=$2 content
  content=$(cat)
  if [ -f "$path" ] && [ "$(cat "$path")" = "$content" ]; then
    say "= $path unchanged"
    return
  fi
  say "+ write $path (mode $mode)"
  [ "$dry_run" -eq 1 ] && return
  mkdir -p "$(dirname "$path")"
  printf '%s\n' "$content" >"$path.tmp.$$"
  chmod "$mode" "$path.tmp.$$"
  mv -f "$path.tmp.$$" "$path"
}

remove_file() {
  if [ -e "$1" ] || [ -L "$1" ]; then run rm -f "$1"; else say "= $1 absent"; fi
}

user_exists() {
  if [ -n "$root" ]; then
    [ -f "$root/etc/passwd" ] && grep -q "^$user:" "$root/etc/passwd"
  else
    getent passwd "$user" >/dev/null 2>&1
  fi
}

systemd_running() { [ -z "$root" ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; }

create_user() {
  if user_exists; then
    say "= user $user exists"
    return
  fi
  if command -v systemd-sysusers >/dev/null 2>&1; then
    if [ -n "$root" ]; then
      # sysusers takes its lock in DIR/etc, which a fresh image root may not have yet.
      [ -d "$root/etc" ] || run mkdir -p "$root/etc"
      run systemd-sysusers "--root=$root" "$root$SYSUSERS_PATH"
    else
      run systemd-sysusers "$SYSUSERS_PATH"
    fi
  elif command -v useradd >/dev/null 2>&1; then
    local chroot=()
    [ -z "$root" ] || chroot=(--root "$root")
    run useradd "${chroot[@]}" --system --user-group --no-create-home --home-dir /var/lib/vigil-agent --shell /usr/sbin/nologin "$user"
  else
    die "cannot create user $user: neither systemd-sysusers nor useradd is installed"
  fi
}

delete_user() {
  if ! user_exists; then
    say "= user $user absent"
    return
  fi
  if ! grep -q "^u $user " "$root$SYSUSERS_PATH" 2>/dev/null; then
    say "= user $user kept: install.sh did not create it"
    return
  fi
  local chroot=()
  [ -z "$root" ] || chroot=(--root "$root")
  run userdel "${chroot[@]}" "$user"
  # userdel drops the user's own group only where login.defs says USERGROUPS_ENAB.
  local group_left=0
  if [ -n "$root" ]; then
    grep -q "^$user:" "$root/etc/group" 2>/dev/null && group_left=1
  else
    getent group "$user" >/dev/null 2>&1 && group_left=1
  fi
  # In a dry run userdel has not run, so the group is always still there.
  if [ "$group_left" -eq 1 ]; then run groupdel "${chroot[@]}" "$user"; fi
}

install_agent() {
  local src=$binary
  if [ -z "$src" ]; then
    local here
    here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    if [ -x ./vigil-agent ]; then src=$PWD/vigil-agent; else src="$here/dist/vigil-agent"; fi
  fi
  [[ -f "$src" && -x "$src" ]] || die_usage "--binary must be an executable file: got '$src' (build one with: bun run build:agent)"
  local version
  # Running it proves it is the agent and runs on this machine before anything is touched.
  version=$("$src" --version 2>&1) || die "cannot run $src --version: $version"
  [[ "$version" == vigil-agent* ]] || die "$src does not look like vigil-agent: --version printed '$version'"
  say "# $version -> ${root:-/} (user $user)"
  [ "$dry_run" -eq 0 ] || say "# dry run: nothing is changed"

  local upgraded=0
  if [ -f "$root$BIN_PATH" ] && cmp -s "$src" "$root$BIN_PATH"; then
    say "= $root$BIN_PATH unchanged"
  else
    [ -f "$root$BIN_PATH" ] && upgraded=1
    # Copy beside it, then rename: a running agent keeps its old inode, nothing sees half a file.
    run install -D -m 0755 "$src" "$root$BIN_PATH.new"
    run mv -f "$root$BIN_PATH.new" "$root$BIN_PATH"
  fi
  if user_exists && [ ! -f "$root$SYSUSERS_PATH" ]; then
    # Someone else's user: use it, but never claim it (uninstall deletes only users it created).
    say "= user $user exists (not created here: --uninstall keeps it)"
  else
    render_sysusers "$user" | write_file "$root$SYSUSERS_PATH" 0644
    create_user
  fi
  render_unit "$user" | write_file "$root$UNIT_PATH" 0644
  if [ -f "$root$ENV_PATH" ]; then
    say "= $root$ENV_PATH kept (yours to edit)"
  else
    # 0640 root:user: the file may hold VIGIL_TOKEN.
    render_env | write_file "$root$ENV_PATH" 0640
    if [ "$dry_run" -eq 0 ] && user_exists; then
      if [ -n "$root" ]; then
        local gid
        gid=$(awk -F: -v u="$user" '$1 == u { print $4 }' "$root/etc/passwd")
        chgrp "$gid" "$root$ENV_PATH"
      else
        chgrp "$user" "$root$ENV_PATH"
      fi
    fi
  fi
  if systemd_running; then run systemctl daemon-reload; fi
  if [ "$upgraded" -eq 1 ]; then say "# the binary changed: systemctl restart $NAME runs the new one"; fi
  local done_line="Installed. Enable and start it with:"
  [ "$dry_run" -eq 0 ] || done_line="Dry run: nothing was installed. After a real run, enable and start it with:"
  cat <<EOF

$done_line
  systemctl daemon-reload && systemctl enable --now $NAME
Check it:   systemctl status $NAME; curl -s http://127.0.0.1:19400/metrics | head
Settings:   $ENV_PATH (then: systemctl restart $NAME)
EOF
}

uninstall_agent() {
  say "# removing $NAME from ${root:-/}"
  [ "$dry_run" -eq 0 ] || say "# dry run: nothing is changed"
  if systemd_running; then
    run systemctl disable --now "$NAME.service" || true
  else
    # No running systemd (an image root): the enablement is just this link.
    remove_file "$root$WANTS_LINK"
  fi
  remove_file "$root$UNIT_PATH"
  if systemd_running; then run systemctl daemon-reload; fi
  remove_file "$root$BIN_PATH"
  if [ -f "$root$ENV_PATH" ] && [ "$purge" -eq 0 ] && [ "$(cat "$root$ENV_PATH")" != "$(render_env)" ]; then
    say "= $root$ENV_PATH kept: it was edited (remove it with --uninstall --purge)"
  else
    remove_file "$root$ENV_PATH"
  fi
  delete_user
  remove_file "$root$SYSUSERS_PATH"
  say ""
  if [ "$dry_run" -eq 1 ]; then say "Dry run: nothing was removed."; else say "Removed. Data the agent wrote, if any, is in /var/lib/vigil-agent."; fi
}

if [ -z "$root" ] && [ "$dry_run" -eq 0 ] && [ "$(id -u)" -ne 0 ]; then
  die "installing into / needs root: run it with sudo (or try --dry-run, or --root DIR)"
fi
if [ "$uninstall" -eq 1 ]; then uninstall_agent; else install_agent; fi
