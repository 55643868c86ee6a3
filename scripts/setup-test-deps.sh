#!/usr/bin/env bash
# Installs the Debian tools the tests run for real (idempotent; does nothing when all are present):
#   prometheus                promtool + a real Prometheus server that scrapes the agent
#   prometheus-node-exporter  the peer the agent-overhead benchmark measures against
#   prometheus-pushgateway    a real Pushgateway the agent pushes to
#   chromium                  headless browser that opens the HTML report
#   wrk                       the HTTP peer the harness benchmark measures against
#   gcc                       builds the fake libnvidia-ml.so.1 (already on the machine, checked anyway)
set -euo pipefail

# command -> Debian package
declare -A tools=(
  [promtool]=prometheus
  [prometheus]=prometheus
  [prometheus-node-exporter]=prometheus-node-exporter
  [prometheus-pushgateway]=prometheus-pushgateway
  [chromium]=chromium
  [wrk]=wrk
  [gcc]=gcc
)

need=()
for cmd in "${!tools[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || need+=("${tools[$cmd]}")
done
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

mapfile -t pkgs < <(printf '%s\n' "${need[@]}" | sort -u)
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
for svc in prometheus prometheus-node-exporter prometheus-pushgateway; do
  if command -v service >/dev/null 2>&1; then "${sudo_cmd[@]}" service "$svc" stop >/dev/null 2>&1 || true; fi
done
missing=()
for cmd in "${!tools[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup-test-deps: still missing after install: ${missing[*]}" >&2
  exit 1
fi
