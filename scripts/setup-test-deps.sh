#!/usr/bin/env bash
# Installs the Debian tools the tests run for real (idempotent; does nothing when all are present):
#   prometheus              promtool + a real Prometheus server that scrapes the agent
#   prometheus-node-exporter the peer the agent-overhead benchmark measures against
#   gcc                     builds the fake libnvidia-ml.so.1 (already on the machine, checked anyway)
set -euo pipefail

need=()
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
command -v prometheus-node-exporter >/dev/null 2>&1 || need+=(prometheus-node-exporter)
command -v gcc >/dev/null 2>&1 || need+=(gcc)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

# Unique package names, in order.
mapfile -t pkgs < <(printf '%s\n' "${need[@]}" | awk '!seen[$0]++')
echo "setup-test-deps: installing ${pkgs[*]} from Debian" >&2
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo_cmd=(sudo); else
    echo "setup-test-deps: need root (or sudo) to install ${pkgs[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
# --no-install-recommends: no services pulled in; the packages' own daemons are not used (tests start their own).
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
# Debian starts the packaged daemons where systemd/init runs; stop them so they hold no ports (ours are all port 0).
for svc in prometheus prometheus-node-exporter; do
  if command -v service >/dev/null 2>&1; then "${sudo_cmd[@]}" service "$svc" stop >/dev/null 2>&1 || true; fi
done
command -v promtool >/dev/null && command -v prometheus >/dev/null && command -v prometheus-node-exporter >/dev/null
