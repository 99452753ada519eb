#!/usr/bin/env bash
# Runs every test of EvolutionHub. Installs what the tests need and is missing: redis-server, nginx and chromium
# (Debian packages; the dashboard's browser test drives chromium) and the Node.js clients (npm). Ends with the line
# "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")"

need_packages=()
command -v redis-server >/dev/null 2>&1 || need_packages+=(redis-server)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need_packages+=(nginx-light)
command -v chromium >/dev/null 2>&1 || need_packages+=(chromium)
if [ ${#need_packages[@]} -gt 0 ]; then
  echo "installing ${need_packages[*]}"
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  # The tests start their own redis-server and nginx: keep the packages from starting system services (port 80, 6379).
  no_services=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    no_services=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$no_services" >/dev/null && $sudo chmod +x "$no_services"
  fi
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need_packages[@]}" >/dev/null
  installed=$?
  [ -n "$no_services" ] && $sudo rm -f "$no_services"
  [ "$installed" -eq 0 ] || { echo "could not install ${need_packages[*]}"; echo "0 passed, 1 failed"; exit 1; }
fi

if [ ! -d tests/node/node_modules ] || [ tests/node/package-lock.json -nt tests/node/node_modules ]; then
  (cd tests/node && npm ci --no-audit --no-fund --loglevel=error) || { echo "npm ci failed"; echo "0 passed, 1 failed"; exit 1; }
fi

out=.test-output
rm -rf "$out" && mkdir -p "$out"
dotnet build EvolutionHub.sln -c Release -nologo -v quiet || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }

# The bridge as a package, and samples/SignalRChat built against it from a local folder feed, as an outside app would.
rm -rf artifacts/packages samples/SignalRChat/obj/packages
{ dotnet pack src/Bridge -c Release --no-build -nologo -v quiet -o artifacts/packages \
  && dotnet build samples/SignalRChat -c Release -nologo -v quiet; } || { echo "packing src/Bridge or building samples/SignalRChat failed"; echo "0 passed, 1 failed"; exit 1; }

status=0
dotnet test EvolutionHub.sln -c Release --no-build -nologo \
  --logger "console;verbosity=normal" --logger "trx" --results-directory "$out" "$@" 2>&1 | tee "$out/test.log" || status=1

# Sum every test project's counters from the TRX files.
read -r passed failed skipped < <(python3 - "$out" <<'PY' 2>/dev/null || echo "0 0 0"
import sys, glob, xml.etree.ElementTree as ET
p = f = s = 0
for path in glob.glob(sys.argv[1] + "/*.trx"):
    c = ET.parse(path).getroot().find(".//{*}Counters")
    if c is None: continue
    p += int(c.get("passed", 0)); f += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0)) + int(c.get("aborted", 0))
    s += int(c.get("notExecuted", 0))
print(p, f, s)
PY
)
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
if [ "$skipped" -gt 0 ]; then echo "$passed passed, $failed failed, $skipped skipped"; else echo "$passed passed, $failed failed"; fi
[ "$failed" -eq 0 ]
