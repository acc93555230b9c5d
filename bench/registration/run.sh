#!/usr/bin/env bash
# Registration benchmark (issue 4): the same sipp REGISTER-with-digest scenario against Kamailio (a
# registrar with auth_db + usrloc) and against Yunke, with the same distinct users, at increasing rates.
# Prints registrations per second at each rate, the best rate with zero failures for each, and the
# ratio Yunke / Kamailio. Everything runs on 127.0.0.1, on free ports, in a temporary folder.
#
#   bench/registration/run.sh                   1000 users over UDP, rates 2000 … 16000 /s, 5 s each
#   bench/registration/run.sh --transport tcp   the same over TCP (sipp's one connection for all phones)
#   USERS=2000 RATES="500 1000" WARMUP=30 bench/registration/run.sh
#   ONLY=kamailio bench/registration/run.sh     one side only (ONLY=yunke for the other)
#
# Both servers get the same treatment, one after the other:
# - a warm-up, not reported: WARMUP seconds (30) at the first rate, every user at least once, so Yunke's JIT has
#   tiered up and both have every user cached and registered;
# - the same rate search: each run registers at the offered rate (-r) for about DURATION seconds and at least every
#   user once (later rounds refresh the bindings, with a full digest exchange each time); a rate is "held" when
#   every registration succeeded and at least 90 % of it was achieved. Escalation stops at the first rate not held,
#   then BISECT (2) more runs halve the gap between the last rate held and it. The figure per server is the highest
#   achieved rate of a held run. Every sipp run has a time limit, so the whole script is bounded.
# sipp gets 4 MB socket buffers (-buff_size): with its default of 64 KB the load generator itself dropped responses
# at a few thousand registrations a second, whichever server sent them.
# CPU is the server's user+system time per registration (all its processes), read from /proc: less sensitive to
# other load on the machine than the rate.
set -euo pipefail
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
transport=${TRANSPORT:-u1}
while (($#)); do
  case $1 in
    --transport) case ${2:-} in udp) transport=u1 ;; tcp) transport=t1 ;; *) echo "--transport udp|tcp" >&2; exit 2 ;; esac; shift 2 ;;
    *) echo "unknown option $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
users=${USERS:-1000}
read -r -a rates <<<"${RATES:-2000 4000 6000 8000 10000 12000 14000 16000}"
duration=${DURATION:-5}
warmup=${WARMUP:-30}
bisect=${BISECT:-2}
children=${KAMAILIO_CHILDREN:-4}
realm=yunke # Yunke's default digest realm (Yunke:Sip:Realm); Kamailio challenges with the same one
only=${ONLY:-}

root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/bench/registration"
scenario="$root/tests/Yunke.EndToEnd.Tests/Sip/Scenarios/register.xml"
source "$root/bench/common.sh"

# measure NAME PORT PID RATE: one sipp run at RATE; prints its row and sets `held` and `achieved`.
results="$work/results.txt"
measure() {
  local name=$1 port=$2 pid=$3 rate=$4
  local calls=$((rate * duration > users ? rate * duration : users))
  local stats="$work/$name-$rate.csv" limit=$((calls / rate * 3 + 30))
  local cpu0 cpu1 ok failed seconds cpu_us
  cpu0=$(cpu_ticks "$pid")
  sipp "127.0.0.1:$port" -sf "$scenario" -inf "$work/users.csv" -t "$transport" -i 127.0.0.1 -p "$sipp_port" -buff_size $((4 * 1024 * 1024)) \
    -m "$calls" -r "$rate" -rp 1000 -timeout "${limit}s" -timeout_error -recv_timeout 5000 -nostdin \
    -trace_stat -stf "$stats" -trace_err -error_file "$work/$name-$rate-errors.log" >/dev/null 2>&1 || true
  cpu1=$(cpu_ticks "$pid")
  # From sipp's last statistics line: the counts, and the time from its start to its end (StartTime and
  # CurrentTime hold "date<TAB>time<TAB>epoch.micros"), so sipp's own start-up is not counted.
  read -r ok failed seconds < <(awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    { last = $0 } END { split(last, v, ";"); split(v[col["StartTime"]], s, "\t"); split(v[col["CurrentTime"]], e, "\t")
      printf "%s %s %.2f\n", v[col["SuccessfulCall(C)"]], v[col["FailedCall(C)"]], e[3] - s[3] }' "$stats")
  achieved=$(awk -v n="$ok" -v s="$seconds" 'BEGIN { printf "%.0f", n / s }')
  held=$(awk -v f="$failed" -v n="$ok" -v u="$calls" -v a="$achieved" -v r="$rate" 'BEGIN { print (f == 0 && n == u && a >= 0.9 * r) ? "yes" : "no" }')
  cpu_us=$(awk -v c=$((cpu1 - cpu0)) -v n="$ok" 'BEGIN { printf "%.0f", n ? c * 10000 / n : 0 }')
  printf '%-9s %8s %10s %7s %8s %8s %10s %5s\n' "$name" "$rate" "$ok" "$failed" "$seconds" "$achieved" "$cpu_us" "$held" | tee -a "$results"
}

# bench NAME PORT PID: warm-up, then the rate search; sets best_NAME.
bench() {
  local name=$1 port=$2 pid=$3 rate best=0 low=0 high=0 step
  # One sipp port for all runs: each user keeps one contact, which later runs refresh.
  sipp_port=$(free_port)
  local calls=$((rates[0] * warmup > users ? rates[0] * warmup : users))
  sipp "127.0.0.1:$port" -sf "$scenario" -inf "$work/users.csv" -t "$transport" -i 127.0.0.1 -p "$sipp_port" -buff_size $((4 * 1024 * 1024)) \
    -m "$calls" -r "${rates[0]}" -rp 1000 -timeout "$((calls / rates[0] * 3 + 30))s" -recv_timeout 5000 -nostdin >/dev/null 2>&1 || true
  for rate in "${rates[@]}"; do
    measure "$name" "$port" "$pid" "$rate"
    if [[ $held == yes ]]; then
      low=$rate
      ((achieved > best)) && best=$achieved
    else
      high=$rate
      break
    fi
  done
  # Halve the gap between the last rate held and the first one not held, in steps of 100/s.
  for ((step = 0; step < bisect && high > 0; step++)); do
    rate=$(((low + high) / 200 * 100))
    ((rate > low && rate < high)) || break
    measure "$name" "$port" "$pid" "$rate"
    if [[ $held == yes ]]; then
      low=$rate
      ((achieved > best)) && best=$achieved
    else
      high=$rate
    fi
  done
  printf -v "best_$name" '%s' "$best"
}

echo "Registration benchmark: $users users, warm-up ${warmup} s, rates ${rates[*]} /s (+$bisect bisection runs), ${duration} s each, sipp -t $transport, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

# --- Yunke: the published server with its own data folder; the softphones set up through the REST API.
if [[ $only != kamailio ]]; then
  echo "Publishing Yunke (Release)..."
  dotnet publish "$root/src/Yunke.Server" -c Release -o "$root/artifacts/bench-server" --nologo -v q >/dev/null
  rtp=$(free_port)
  start_yunke -- --Yunke:Rtp:PortMin="$rtp" --Yunke:Rtp:PortMax=$((rtp + 99))
  echo "Setting up $users softphones through Yunke's REST API..."
  python3 "$here/yunke_tenants.py" "http://127.0.0.1:$http" 'Bench#Operator2026' "$users" >"$work/users.txt"
else
  # Kamailio alone: made-up users in the same number format.
  for ((i = 0; i < users; i++)); do echo "$((4829130000 + 1001 + i)) Bx#Bench$((i * 7919 % 100000))7a"; done >"$work/users.txt"
fi

# The same users for sipp: number;[authentication ...];expires (see the scenario's header).
{ echo SEQUENTIAL; awk '{ printf "%s;[authentication username=%s password=%s];3600\n", $1, $1, $2 }' "$work/users.txt"; } >"$work/users.csv"

# --- Kamailio: the same users as a db_text subscriber table holding HA1 = MD5(number:realm:password).
[[ $only == yunke ]] || start_kamailio "$children"

printf '\n%-9s %8s %10s %7s %8s %8s %10s %5s\n' server 'offered/s' registered failed seconds 'reg/s' 'cpu µs/reg' held | tee "$results"
best_kamailio=0 best_yunke=0
[[ $only == yunke ]] || bench kamailio "$kport" "$kamailio"
[[ $only == kamailio ]] || bench yunke "$sip" "$yunke"

echo
echo "Registrations/s with zero failures (best run): Kamailio $best_kamailio reg/s, Yunke $best_yunke reg/s"
if ((best_kamailio > 0 && best_yunke > 0)); then
  awk -v y="$best_yunke" -v k="$best_kamailio" 'BEGIN { printf "Yunke / Kamailio = %.2f\n", y / k }'
fi
for f in "$work"/*-errors.log; do
  [[ -s $f ]] && { echo "--- $(basename "$f") (start) ---"; head -c 2000 "$f"; echo; }
done
true
