# What the bench scripts share (sourced): a work folder and the processes started, stopped and removed at exit
# (KEEP=1 keeps the folder: logs, sipp's statistics and errors);
# free loopback ports; a process's CPU; Yunke published and started on loopback; Kamailio started with the same
# users as Yunke. The sourcing script sets `root` and `here` first.

work=$(mktemp -d "/tmp/yunke-bench-$(basename "$here").XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ -n ${KEEP:-} ]]; then echo "(kept: $work)"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# A port free for both TCP and UDP on 127.0.0.1 (SIP listens on both).
free_port() {
  python3 -c 'import socket
while True:
    t = socket.socket(); t.bind(("127.0.0.1", 0)); port = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", port)); print(port); break
    except OSError: pass
    finally: u.close(); t.close()'
}

# User and system CPU ticks (1/100 s) of a process and its children.
cpu_ticks() {
  local total=0 p
  for p in "$1" $(pgrep -P "$1" || true); do
    [[ -r /proc/$p/stat ]] && total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$total"
}

# start_yunke [ENV=VALUE...] -- [--Yunke:...=...]: the published server on free ports with its own data folder,
# waited for until healthy; sets http, sip, pool and yunke (its pid).
start_yunke() {
  local env_vars=()
  while (($#)) && [[ $1 != -- ]]; do env_vars+=("$1"); shift; done
  [[ ${1:-} == -- ]] && shift
  http=$(free_port); sip=$(free_port); pool=$(free_port)
  env "${env_vars[@]}" ASPNETCORE_ENVIRONMENT=Production dotnet "$root/artifacts/bench-server/Yunke.Server.dll" \
    --contentRoot "$root/artifacts/bench-server" --urls "http://127.0.0.1:$http" \
    --Yunke:DataDir="$work/yunke-data" --Yunke:Operator:Password='Bench#Operator2026' \
    --Yunke:Sip:Host=127.0.0.1 --Yunke:Sip:Port="$sip" --Yunke:Sip:PoolPort="$pool" \
    --Logging:LogLevel:Default=Warning "$@" >"$work/yunke.log" 2>&1 &
  yunke=$!; pids+=("$yunke")
  for _ in $(seq 180); do
    curl -fs "http://127.0.0.1:$http/healthz" >/dev/null && return 0
    kill -0 "$yunke" 2>/dev/null || { cat "$work/yunke.log"; exit 1; }
    sleep 0.5
  done
  echo "Yunke did not become healthy:"; tail -50 "$work/yunke.log"; exit 1
}

# start_kamailio CHILDREN: Kamailio with $here/kamailio.cfg and the users of $work/users.txt ("number password"
# lines) as a db_text subscriber table holding HA1 = MD5(number:realm:password); sets kport and kamailio (its pid).
start_kamailio() {
  mkdir -p "$work/kamailio-db" "$work/kamailio-run"
  printf 'table_name(string) table_version(int) \nsubscriber:7\n' >"$work/kamailio-db/version"
  python3 - "$realm" "$work/users.txt" >"$work/kamailio-db/subscriber" <<'PY'
import hashlib, sys
realm, users = sys.argv[1], sys.argv[2]
print("id(int,auto) username(string) domain(string) ha1(string) ")
for i, line in enumerate(open(users), 1):
    number, password = line.split()
    print(f"{i}:{number}:127.0.0.1:{hashlib.md5(f'{number}:{realm}:{password}'.encode()).hexdigest()}")
PY
  kport=$(free_port)
  sed -e "s#!BENCH_PORT!5060!#!BENCH_PORT!$kport!#" -e "s#!BENCH_DB!/tmp/kamailio-db!#!BENCH_DB!$work/kamailio-db!#" \
    -e "s#!BENCH_CHILDREN!2!#!BENCH_CHILDREN!$1!#" "$here/kamailio.cfg" >"$work/kamailio.cfg"
  # -DD: no daemon (children still forked); -E: log to stderr; -Y: our own runtime folder.
  kamailio -f "$work/kamailio.cfg" -DD -E -Y "$work/kamailio-run" -P "$work/kamailio-run/kamailio.pid" -m 256 >"$work/kamailio.log" 2>&1 &
  kamailio=$!; pids+=("$kamailio")
  for _ in $(seq 40); do
    ss -lun | grep -q "127.0.0.1:$kport " && return 0
    sleep 0.25
  done
}
