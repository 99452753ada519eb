#!/usr/bin/env bash
# Runs every benchmark scenario against EvolutionHub, the Node.js socket.io baseline and the bare Kestrel ceiling, one
# target after another per scenario on this machine, prints the comparison table and writes bench/RESULTS.md.
#   bench/run.sh            the full run (about 20 minutes on 2 cores)
#   bench/run.sh --quick    a smoke run of a minute or two with small sizes
# Sizes and choices are environment variables (defaults below); HUB_DLL runs another build of the hub.
set -euo pipefail
bench="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$bench")"

if [ "${1:-}" = "--quick" ]; then
  : "${FANOUT_CLIENTS:=200}" "${FANOUT_EVENTS:=300}" "${LATENCY_CLIENTS:=50}" "${LATENCY_RATE:=50}" "${LATENCY_SECONDS:=5}"
  : "${IDLE_CLIENTS:=1000}" "${PROJECTION_CLIENTS:=2000}" "${FARM_CLIENTS:=200}" "${FARM_EVENTS:=300}" "${MIXED_CLIENTS:=100}" "${MIXED_SIGNALR_CLIENTS:=50}"
  : "${MIXED_EVENTS:=300}" "${WARMUP_EVENTS:=50}" "${IDLE_SETTLE_SECONDS:=2}"
  : "${RECOVERY_CLIENTS:=30}" "${RECOVERY_MISSED:=10}" "${RECOVERY_ROUNDS:=1}"
  : "${RESULTS_FILE:=}"
fi
: "${FANOUT_CLIENTS:=1000}"          # Socket.IO clients of one instance for the fan-out
: "${FANOUT_EVENTS:=2000}"           # events measured (after the warm-up)
: "${LATENCY_CLIENTS:=100}"
: "${LATENCY_RATE:=100}"             # events per second, one per request; keep it below every target's capacity
: "${LATENCY_SECONDS:=20}"
: "${IDLE_CLIENTS:=10000}"
: "${IDLE_SETTLE_SECONDS:=5}"
: "${PROJECTION_CLIENTS:=19000}"     # the projection's second size, beside IDLE_CLIENTS (capped below the open-files limit)
: "${CONNECT_CONCURRENCY:=100}"      # handshakes in flight while ramping
: "${FARM_CLIENTS:=1000}"            # split evenly over the two nodes; events published on the first
: "${FARM_EVENTS:=1000}"
: "${MIXED_CLIENTS:=500}"            # Socket.IO clients beside...
: "${MIXED_SIGNALR_CLIENTS:=200}"    # ...SignalR clients of the same instance (hub only)
: "${MIXED_EVENTS:=1000}"
: "${RECOVERY_CLIENTS:=100}"         # Socket.IO clients of a quiet instance dropped from one node, recovered on the other
: "${RECOVERY_MISSED:=20}"           # events of the quiet instance published while they are away
: "${RECOVERY_BUSY_RATE:=1000}"      # events/s of the other instance in the busy rounds
: "${RECOVERY_BUSY_CLIENTS:=10}"     # its subscribers, split over both nodes
: "${RECOVERY_ROUNDS:=5}"            # rounds with the other instance silent, as many with it busy
: "${WARMUP_EVENTS:=200}"
: "${TARGETS:=hub baseline limit}"
: "${SCENARIOS:=fanout latency farm-latency idle projection farm mixed recovery}"
: "${PORT_BASE:=9400}"
: "${HUB_DLL:=$root/src/Hub/bin/Release/net10.0/EvolutionHub.Hub.dll}"
: "${RESULTS_FILE=$bench/RESULTS.md}"

# Every connection is a file of the server and one of the load generator, each a single process: the projection's
# second size stays below the open-files hard limit, with a margin for each process's other files.
if [[ " $SCENARIOS " == *" projection "* ]]; then
  open_files="$(ulimit -Hn)"
  if [ "$open_files" != unlimited ] && [ "$PROJECTION_CLIENTS" -gt $((open_files - 500)) ]; then
    echo "PROJECTION_CLIENTS=$PROJECTION_CLIENTS capped at $((open_files - 500)): one process may open at most $open_files files here (ulimit -Hn), less a margin of 500"
    PROJECTION_CLIENTS=$((open_files - 500))
  fi
  if [ "$PROJECTION_CLIENTS" -le "$IDLE_CLIENTS" ]; then
    echo "the projection needs PROJECTION_CLIENTS ($PROJECTION_CLIENTS) above IDLE_CLIENTS ($IDLE_CLIENTS)"; exit 1
  fi
  echo "projection from $IDLE_CLIENTS and $PROJECTION_CLIENTS idle connections (open files per process: at most $open_files)"
fi

key="bench-$RANDOM$RANDOM"
load_at_start="$(cut -d' ' -f1-3 /proc/loadavg)"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
results="$bench/results/$stamp"
work="$(mktemp -d /tmp/evolutionhub-bench.XXXXXX)"
mkdir -p "$results"
ulimit -n "$(ulimit -Hn)"
load_dll="$bench/load/bin/Release/net10.0/EvolutionHub.Bench.Load.dll"
limit_dll="$bench/limit/bin/Release/net10.0/EvolutionHub.Bench.Limit.dll"
servers=()
redis_pid=""

cleanup() {
  for pid in "${servers[@]}" $redis_pid; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== building"
dotnet build "$root/src/Hub" -c Release -nologo -v quiet >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
dotnet build "$bench/load" -c Release -nologo -v quiet >>"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
dotnet build "$bench/limit" -c Release -nologo -v quiet >>"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
if [ ! -d "$bench/baseline/node_modules" ] || [ "$bench/baseline/package-lock.json" -nt "$bench/baseline/node_modules" ]; then
  (cd "$bench/baseline" && npm ci --no-audit --no-fund --loglevel=error)
fi

hub_has_farm() { grep -rqs "AddStackExchangeRedis" "$root/src/Hub" || [ -n "${HUB_FARM:-}" ]; }

# start TARGET PORT [REDIS_URL]: starts one server in the background, appends its pid to servers, waits until it serves.
start() {
  local target="$1" port="$2" redis="${3:-}" log="$work/$1-$2.log"
  # Another process on the port would answer the health check below in the target's stead.
  if curl -s -m 1 -o /dev/null "http://127.0.0.1:$port/"; then echo "port $port is already in use (PORT_BASE)"; return 1; fi
  case "$target" in
    # Every connection of the load generator comes from 127.0.0.1: the per-address session limits are raised out of its way.
    hub) ASPNETCORE_ENVIRONMENT=Production AUTHENTICATION_API_KEY="$key" HUB_DATA_PATH="$work/hub-$port.db" REDIS_URI="${redis#redis://}" \
           SocketIo__MaxSessions=10000000 SocketIo__MaxSessionsPerAddress=10000000 SocketIo__NewSessionsPerSecondPerAddress=10000000 \
           dotnet "$HUB_DLL" --urls "http://127.0.0.1:$port" >"$log" 2>&1 & ;;
    baseline) AUTHENTICATION_API_KEY="$key" PORT="$port" REDIS_URL="$redis" node "$bench/baseline/server.js" >"$log" 2>&1 & ;;
    limit) AUTHENTICATION_API_KEY="$key" ASPNETCORE_URLS="http://127.0.0.1:$port" REDIS_URL="$redis" dotnet "$limit_dll" >"$log" 2>&1 & ;;
  esac
  servers+=($!)
  for _ in $(seq 1 100); do
    curl -fs -m 1 "http://127.0.0.1:$port/health/live" >/dev/null 2>&1 && return 0
    kill -0 "${servers[-1]}" 2>/dev/null || break
    sleep 0.3
  done
  echo "$target did not start on port $port:"; tail -20 "$log"; return 1
}

stop_all() {
  for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${servers[@]}"; do wait "$pid" 2>/dev/null || true; done
  servers=()
}

pids() { local IFS=,; echo "${servers[*]}"; }

load() { dotnet "$load_dll" "$@" --key "$key" --timeout 600; }

# Sets redis_pid (for the cleanup: not in a subshell) and redis_url.
start_redis() {
  local port=$((PORT_BASE + 99))
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no >"$work/redis.log" 2>&1 &
  redis_pid=$!
  for _ in $(seq 1 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.2; done
  kill -0 "$redis_pid" 2>/dev/null || { echo "redis-server did not start on port $port:"; tail -3 "$work/redis.log"; exit 1; }
  redis_url="redis://127.0.0.1:$port"
}

# run_idle TARGET PORT CLIENTS OUT: the idle measurement on a freshly started server.
run_idle() {
  start "$1" "$2" || return 1
  load idle --servers "http://127.0.0.1:$2" --clients "$3" --connect-concurrency "$CONNECT_CONCURRENCY" \
    --settle "$IDLE_SETTLE_SECONDS" --pids "$(pids)" --out "$4"
}

# run_scenario SCENARIO TARGET PORT OUT: starts the target's server(s), runs the load generator, writes OUT.
run_scenario() {
  local scenario="$1" target="$2" port="$3" out="$4"
  case "$scenario" in
    fanout)
      start "$target" "$port" || return 1
      load throughput --servers "http://127.0.0.1:$port" --clients "$FANOUT_CLIENTS" --events "$FANOUT_EVENTS" \
        --warmup "$WARMUP_EVENTS" --connect-concurrency "$CONNECT_CONCURRENCY" --pids "$(pids)" --out "$out" ;;
    latency)
      start "$target" "$port" || return 1
      load latency --servers "http://127.0.0.1:$port" --clients "$LATENCY_CLIENTS" --rate "$LATENCY_RATE" \
        --seconds "$LATENCY_SECONDS" --out "$out" ;;
    farm-latency)
      start "$target" "$port" "$redis_url" || return 1
      start "$target" "$((port + 1))" "$redis_url" || return 1
      load latency --servers "http://127.0.0.1:$port,http://127.0.0.1:$((port + 1))" --clients "$LATENCY_CLIENTS" \
        --rate "$LATENCY_RATE" --seconds "$LATENCY_SECONDS" --out "$out" ;;
    idle)
      run_idle "$target" "$port" "$IDLE_CLIENTS" "$out" ;;
    projection)
      # The first size is the idle scenario's run of this target, or one of its own when idle did not run.
      if [ ! -f "$results/$target-idle.json" ]; then
        run_idle "$target" "$port" "$IDLE_CLIENTS" "$results/$target-projection-first.json" || return 1
        stop_all
      fi
      run_idle "$target" "$((port + 1))" "$PROJECTION_CLIENTS" "$out" ;;
    farm)
      start "$target" "$port" "$redis_url" || return 1
      start "$target" "$((port + 1))" "$redis_url" || return 1
      load throughput --servers "http://127.0.0.1:$port,http://127.0.0.1:$((port + 1))" --clients "$FARM_CLIENTS" \
        --events "$FARM_EVENTS" --warmup "$WARMUP_EVENTS" --pids "$(pids)" --out "$out" ;;
    mixed)
      start "$target" "$port" || return 1
      load throughput --servers "http://127.0.0.1:$port" --clients "$MIXED_CLIENTS" --signalr-clients "$MIXED_SIGNALR_CLIENTS" \
        --events "$MIXED_EVENTS" --warmup "$WARMUP_EVENTS" --pids "$(pids)" --out "$out" ;;
    recovery)
      start "$target" "$port" "$redis_url" || return 1
      start "$target" "$((port + 1))" "$redis_url" || return 1
      load recovery --servers "http://127.0.0.1:$port,http://127.0.0.1:$((port + 1))" --redis "$redis_url" \
        --clients "$RECOVERY_CLIENTS" --missed "$RECOVERY_MISSED" --busy-rate "$RECOVERY_BUSY_RATE" \
        --busy-clients "$RECOVERY_BUSY_CLIENTS" --rounds "$RECOVERY_ROUNDS" --connect-concurrency "$CONNECT_CONCURRENCY" --out "$out" ;;
    *) echo "unknown scenario $scenario"; exit 1 ;;
  esac
}

redis_url=""
if [[ " $SCENARIOS " == *" farm "* || " $SCENARIOS " == *" farm-latency "* || " $SCENARIOS " == *" recovery "* ]]; then
  command -v redis-server >/dev/null || { echo "the farm, farm-latency and recovery scenarios need redis-server (apt-get install -y redis-server)"; exit 1; }
  start_redis
fi

port=$PORT_BASE
for scenario in $SCENARIOS; do
  for target in $TARGETS; do
    # Only the hub has SignalR clients and connection-state recovery.
    [[ "$scenario" = mixed || "$scenario" = recovery ]] && [ "$target" != hub ] && continue
    if [[ "$scenario" = farm || "$scenario" = farm-latency || "$scenario" = recovery ]] && [ "$target" = hub ] && ! hub_has_farm; then
      echo "== $scenario / hub: pending, this build of the hub has no Redis farm"
      continue
    fi
    echo "== $scenario / $target"
    port=$((port + 2))
    # A scenario that fails is reported as failed; the others still run.
    if ! run_scenario "$scenario" "$target" "$port" "$results/$target-$scenario.json"; then
      echo "   $scenario / $target FAILED; server log:"; tail -5 "$work/$target-$port.log" 2>/dev/null || true
      touch "$results/$target-$scenario.failed"
    fi
    stop_all
  done
done

table="$(dotnet "$load_dll" report --results "$results")"
echo
echo "$table"
if [ -n "$RESULTS_FILE" ]; then
  {
    echo "# Benchmark results"
    echo
    echo "Last full run of \`bench/run.sh\`, $(date -u '+%Y-%m-%d %H:%M UTC'); raw figures in \`bench/results/$stamp/\` (not committed)."
    echo
    echo "Machine: \`nproc\` $(nproc); \`dotnet --version\` $(dotnet --version); \`node --version\` $(node --version); load average (1/5/15 min) at the start: $load_at_start, at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    echo '```'
    free -h
    echo '```'
    echo
    echo "Sizes: fan-out $FANOUT_CLIENTS clients × $FANOUT_EVENTS events; latency $LATENCY_CLIENTS clients at $LATENCY_RATE events/s for $LATENCY_SECONDS s, on one node and on a farm of 2;" \
      "idle $IDLE_CLIENTS connections ($CONNECT_CONCURRENCY handshakes in flight), projected from it and $PROJECTION_CLIENTS; farm $FARM_CLIENTS clients × $FARM_EVENTS events;" \
      "mixed $MIXED_CLIENTS Socket.IO + $MIXED_SIGNALR_CLIENTS SignalR clients × $MIXED_EVENTS events; $WARMUP_EVENTS warm-up events each;" \
      "recovery $RECOVERY_CLIENTS clients × $RECOVERY_MISSED missed events, $RECOVERY_ROUNDS rounds each beside a silent instance and one at $RECOVERY_BUSY_RATE events/s."
    echo
    echo "$table"
    echo
    echo "Where the hub's costs are and what would fix them: [PROFILE.md](PROFILE.md)."
  } >"$RESULTS_FILE"
  echo; echo "written to $RESULTS_FILE"
fi
