#!/usr/bin/env bash
# Calls benchmark (issue 5), one command that prints everything, bounded to about 12 minutes on a quiet machine:
#
#  1. Calls per second: a sipp caller places 10 s calls with RTP (rtp_stream) at a rate; a pool of agents'
#     softphones (sipp UAS processes, each registered as many agents with digest auth) answers at once and
#     echoes the RTP (-rtp_echo). Through Kamailio (Debian's, a stateful proxy: tm, record-route, t_relay to
#     the callee's registered location; the caller dials the agents' numbers in turn) and through Yunke (the
#     caller dials the tenants' access codes in turn; the ACD picks an idle agent of that tenant's skill queue;
#     Yunke, a B2BUA, relays and records the RTP). The same scenarios, agents, machine and run. A rate is held
#     when under 0.1 % of its calls failed and sipp placed them at 90 % of the rate or more (from its statistics every
#     0.5 s, so a call that ends late does not count against the rate); a bounded search
#     (double until a rate fails, then halve the gap, at most STEPS rates per server) finds the highest rate
#     held. Yunke's search stops at 0.9 x AGENTS / CALL_SECONDS (one call per agent, a tenth spare).
#  2. Concurrent relayed calls through Yunke: COUNTS calls set up by sipp (dialling the access codes in turn),
#     their RTP (50 packets/s each way, PCMU on the caller's leg, PCMA on the agent's, so Yunke transcodes every
#     packet) played and counted by bench/Yunke.Media.Benchmarks `phones`; loss from the RTP sequence numbers
#     where it arrives and from what arrived against what was sent (a server that falls behind loses nothing by
#     the sequence numbers), and Yunke's CPU and memory, over WINDOW seconds once all calls are up. The figure is
#     the highest count with under 1 % loss.
#
# Setup: Yunke's AGENTS agents are spread evenly over as few tenants (instances of the largest spec, 1000 seats at
# most) as hold them, each with its own skill queue and access code (bench/calls/yunke_callcenter.py, REST only:
# four password hashes an agent, so about 0.1 s an agent on a quiet 2-core machine); every agent's phone then
# registers to Yunke and to Kamailio (both phone processes at once, REGISTER_RATE/s each).
#
#   bench/calls/run.sh                         everything (3200 agents in 4 tenants: Yunke capped at 288 calls/s; its RTP
#                                              range, 2941 calls, allows no more than about 3250 agents)
#   PARTS="kamailio yunke" bench/calls/run.sh  calls per second only (PARTS="concurrent" for part 2 only)
#   AGENTS=600 bench/calls/run.sh              fewer agents: a faster setup, but Yunke's rate is capped at 0.9 x AGENTS / 10 s
#   COUNTS="500" WINDOW=30 SOCKETS=default bench/calls/run.sh
#   KEEP=1 CALLER_ARGS=-trace_msg PARTS=yunke bench/calls/run.sh   keeps the work folder, with every caller message
#   YUNKE_ARGS="--Yunke:Calls:MaxCalls=500" YUNKE_ENV="NAME=value" ...  more settings and environment for Yunke
#
# SOCKETS=inline (the default) runs Yunke with DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 and
# DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT=2, SOCKETS=default without (see docs/benchmarks.md for why).
# Everything runs on 127.0.0.1, in a temporary folder; all processes started here are stopped at the end.
set -euo pipefail
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
agents=${AGENTS:-3200}          # spread over as few tenants as hold them (1000 seats each at most); 4 password hashes each
call_seconds=${CALL_SECONDS:-10}
place=${PLACE:-10}              # seconds of placing calls at each rate
start_rate=${START_RATE:-40}
steps=${STEPS:-7}               # rates tried per server (enough for Kamailio to fail once and be bisected)
read -r -a counts <<<"${COUNTS:-500 750}"
window=${WINDOW:-15}
setup_rate=${SETUP_RATE:-50}    # calls/s while setting up the concurrent calls
sockets=${SOCKETS:-inline}
parts=${PARTS:-kamailio yunke concurrent}
uas_count=2                     # agents' phone processes (each its own RTP echo thread)
register_rate=${REGISTER_RATE:-500}  # registrations/s from each phone process
realm=yunke

root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/bench/calls"
source "$root/bench/common.sh"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
has() { [[ " $parts " == *" $1 "* ]]; }
started=$(date +%s)
elapsed() { echo "$(($(date +%s) - started)) s"; }

# Fixed media ports below the ephemeral range, apart from one another: Yunke's RTP range (4 ports a call: two
# legs, RTP and RTCP), the caller's rtp_stream ports (from its -mp up), the agents' echo ports (-mp and -mp+2),
# the RTP phones of part 2.
yunke_rtp_min=21000 yunke_rtp_max=32767
caller_media=11000
agent_echo=(10000 10010)
phones_caller=10100 phones_agent=10102

cp "$here/caller.xml" "$here/caller-held.xml" "$here/agent.xml" "$work/"
cd "$work"
# The caller's audio: 2 s of a 440 Hz tone as raw µ-law, looped by rtp_stream.
sox -n -r 8000 -c 1 -e u-law -t raw tone.ulaw synth 2 sine 440 vol 0.5

echo "Calls benchmark: $agents agents, ${call_seconds} s calls, parts: $parts; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

# --- Yunke: the published server with its own data folder; the call center set up through the REST API.
echo "Publishing Yunke (Release) and the RTP phones..."
dotnet publish "$root/src/Yunke.Server" -c Release -o "$root/artifacts/bench-server" --nologo -v q >/dev/null
has concurrent && dotnet build -c Release "$root/bench/Yunke.Media.Benchmarks" --nologo -v q >/dev/null
socket_env=()
[[ $sockets == inline ]] && socket_env=(DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT=2)
start_yunke "${socket_env[@]}" ${YUNKE_ENV:-} -- --Yunke:Rtp:PortMin=$yunke_rtp_min --Yunke:Rtp:PortMax=$yunke_rtp_max ${YUNKE_ARGS:-}
echo "Setting up $agents signed-in agents through Yunke's REST API... ($(elapsed))"
since=$(date +%s)
python3 "$here/yunke_callcenter.py" "http://127.0.0.1:$http" 'Bench#Operator2026' "$agents" >"$work/agents.txt"
read -r -a access_codes <"$work/agents.txt"
tail -n +2 "$work/agents.txt" >"$work/users.txt"
# Yunke's callers dial the access codes in turn: each tenant gets its share of the calls, as of the agents.
{ echo SEQUENTIAL; printf '%s\n' "${access_codes[@]}"; } >"$work/callees-yunke.csv"
echo "  $(wc -l <"$work/users.txt") agents in $(($(date +%s) - since)) s; access codes, one a tenant: ${access_codes[*]}"

# --- Kamailio: the same users as a db_text subscriber table holding HA1 = MD5(number:realm:password).
has kamailio && start_kamailio 4

# --- The agents' phones: the users split over uas_count ports; each port registers its users (to Yunke and to
# Kamailio) and then answers calls as one sipp UAS.
uas_ports=()
for ((u = 0; u < uas_count; u++)); do
  uas_ports+=("$(free_port)")
  { echo SEQUENTIAL; awk -v u=$u -v n=$uas_count 'NR % n == u { printf "%s;[authentication username=%s password=%s];3600\n", $1, $1, $2 }' "$work/users.txt"; } >"$work/users-$u.csv"
done
register() { # NAME SERVER_PORT: every agent's phone registers, the phone processes at once
  local u lines since registering=()
  since=$(date +%s)
  for ((u = 0; u < uas_count; u++)); do
    lines=$(($(wc -l <"$work/users-$u.csv") - 1))
    sipp "127.0.0.1:$2" -sf "$root/tests/Yunke.EndToEnd.Tests/Sip/Scenarios/register.xml" -inf "$work/users-$u.csv" -i 127.0.0.1 \
      -p "${uas_ports[$u]}" -m "$lines" -r "$register_rate" -timeout 60s -timeout_error -recv_timeout 5000 -nostdin \
      -trace_stat -stf "$work/register-$1-$u.csv" >/dev/null 2>&1 &
    registering+=("$!")
  done
  for u in "${registering[@]}"; do wait "$u" || echo "  (some registrations to $1 failed)"; done
  echo "  to $1 in $(($(date +%s) - since)) s"
}
echo "Registering the agents' phones ($(elapsed))..."
register yunke "$sip"
has kamailio && register kamailio "$kport"

uas_pids=()
start_phones() { # ANSWER_PORTS...: one sipp UAS per phone port, answering with the given RTP port (echo when it is its own)
  local u
  for ((u = 0; u < uas_count; u++)); do
    local answer=${1:-${agent_echo[$u]}} echo=()
    [[ $answer == "${agent_echo[$u]}" ]] && echo=(-rtp_echo)
    sipp -sf agent.xml -i 127.0.0.1 -p "${uas_ports[$u]}" -mi 127.0.0.1 -mp "${agent_echo[$u]}" "${echo[@]}" -key answer_port "$answer" \
      -nostdin -trace_err -error_file "$work/agent-$u-errors.log" >/dev/null 2>&1 &
    uas_pids+=("$!"); pids+=("$!")
  done
  sleep 0.5
}
stop_phones() {
  local p
  for p in "${uas_pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  uas_pids=()
}

# rate NAME PORT PID CALLEES RATE: one run at RATE calls/s for $place s; prints its row, sets $held.
results="$work/results.txt"
rate_run() {
  local name=$1 port=$2 pid=$3 callees=$4 rate=$5
  local calls=$((rate * place)) stats="$work/$name-$rate.csv" cpu0 cpu1
  cpu0=$(cpu_ticks "$pid")
  sipp "127.0.0.1:$port" -sf caller.xml -inf "$callees" -i 127.0.0.1 -p "$(free_port)" -mi 127.0.0.1 -mp $caller_media \
    -m "$calls" -r "$rate" -rp 1000 -d $((call_seconds * 1000)) -recv_timeout 15000 -timeout $((place + call_seconds + 60))s -timeout_error \
    ${CALLER_ARGS:-} -nostdin -trace_stat -stf "$stats" -fd 500ms -trace_err -error_file "$work/$name-$rate-errors.log" >/dev/null 2>&1 || true
  cpu1=$(cpu_ticks "$pid")
  # sipp's statistics every 0.5 s: the placement rate is the calls it had created by its last row before the
  # last call, over the time since it started (a call that ends late, as on a retransmitted BYE, does not count).
  local ok failed seconds achieved retrans failed_pct cpu
  read -r ok failed seconds achieved retrans < <(awk -F';' -v calls="$calls" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    { split($col["StartTime"], s, "\t"); split($col["CurrentTime"], e, "\t"); t = e[3] - s[3]; n = $col["TotalCallCreated"]
      if (n < calls && t > 0) placed = n / t
      last = $0; seconds = t }
    END { split(last, v, ";"); printf "%s %s %.2f %.1f %s\n", v[col["SuccessfulCall(C)"]], v[col["FailedCall(C)"]], seconds, placed, v[col["Retransmissions(C)"]] }' "$stats")
  failed_pct=$(awk -v f="$failed" -v n="$calls" 'BEGIN { printf "%.2f", 100 * f / n }')
  cpu=$(awk -v c=$((cpu1 - cpu0)) -v s="$seconds" 'BEGIN { printf "%.0f", (s > 0 ? c / s : 0) }')
  held=$(awk -v f="$failed" -v n="$ok" -v u="$calls" -v a="$achieved" -v r="$rate" 'BEGIN { print (f * 1000 < u && n + f == u && a >= 0.9 * r) ? "yes" : "no" }')
  printf '%-9s %8s %6s %6s %7s %8s %8s %8s %8s %8s %5s\n' "$name" "$rate" "$calls" "$ok" "$failed" "$failed_pct" "$seconds" "$achieved" "$retrans" "$cpu" "$held" | tee -a "$results"
}

# search NAME PORT PID CALLEES LIMIT: the bounded rate search; sets best_NAME.
search() {
  local name=$1 port=$2 pid=$3 callees=$4 limit=$5 rate=$start_rate lo=0 hi=0 next step
  for ((step = 0; step < steps; step++)); do
    rate_run "$name" "$port" "$pid" "$callees" "$rate"
    if [[ $held == yes ]]; then lo=$rate; else hi=$rate; fi
    if ((hi == 0)); then next=$((rate * 2)); else next=$(((lo + hi) / 2)); fi
    ((next > limit)) && next=$limit
    ((next == rate || next == lo || next < 1)) && break
    ((hi > 0 && hi - lo <= (lo / 10 > 1 ? lo / 10 : 1))) && break
    rate=$next
  done
  printf -v "best_$name" '%s' "$lo"
}

best_kamailio=0 best_yunke=0
if has kamailio || has yunke; then
  start_phones
  # Kamailio's callers dial the agents' numbers in turn; Yunke's the access codes (callees-yunke.csv).
  { echo SEQUENTIAL; cut -d' ' -f1 "$work/users.txt"; } >"$work/callees-kamailio.csv"
  echo
  echo "1. Calls per second (${call_seconds} s calls with RTP, ${place} s of calls at each rate; cpu: the server's, % of one core)"
  printf '%-9s %8s %6s %6s %7s %8s %8s %8s %8s %8s %5s\n' server 'offered/s' calls ok failed 'failed %' seconds 'placed/s' retrans 'cpu %' held | tee "$results"
  # Yunke: at most one call per agent; leave a tenth of the agents (of every tenant) spare.
  has kamailio && search kamailio "$kport" "$kamailio" "$work/callees-kamailio.csv" 1000
  has yunke && search yunke "$sip" "$yunke" "$work/callees-yunke.csv" $((agents * 9 / 10 / call_seconds))
  stop_phones
  echo
  echo "Highest rate with under 0.1 % failed calls: Kamailio $best_kamailio calls/s, Yunke $best_yunke calls/s ($(elapsed))"
  if ((best_kamailio > 0 && best_yunke > 0)); then
    awk -v y="$best_yunke" -v k="$best_kamailio" 'BEGIN { printf "Yunke / Kamailio = %.2f\n", y / k }'
  fi
  if has yunke && ((best_yunke >= agents * 9 / 10 / call_seconds)); then
    echo "(Yunke's rate was capped by the agents: $agents agents hold $((agents * 9 / 10 / call_seconds)) calls/s of ${call_seconds} s calls)"
  fi
fi

# --- 2. Concurrent relayed calls through Yunke.
best_count=0
if has concurrent; then
  echo
  echo "2. Concurrent relayed calls through Yunke, 50 packets/s each way, loss measured over ${window} s (SOCKETS=$sockets)"
  phones="$root/bench/Yunke.Media.Benchmarks/bin/Release/net10.0/Yunke.Media.Benchmarks.dll"
  start_phones $phones_agent
  for count in "${counts[@]}"; do
    ((count > agents)) && { echo "$count calls need $count agents: skipped"; break; }
    setup=$(((count + setup_rate - 1) / setup_rate))
    hold=$((setup + 10 + 3 + window + 5))
    dotnet "$phones" phones --calls "$count" --seconds "$window" --settle 3 --setup-seconds $((setup + 10)) \
      --caller-port $phones_caller --agent-port $phones_agent --server-pid "$yunke" >"$work/phones-$count.txt" 2>&1 &
    phones_pid=$!; pids+=("$phones_pid")
    # The phones must listen before the first call is answered: a call's RTP starts from the ringback they hear.
    for _ in $(seq 100); do grep -q '^ready' "$work/phones-$count.txt" && break; sleep 0.2; done
    sipp "127.0.0.1:$sip" -sf caller-held.xml -inf "$work/callees-yunke.csv" -i 127.0.0.1 -p "$(free_port)" -mi 127.0.0.1 -mp $caller_media \
      -key offer_port $phones_caller -m "$count" -r "$setup_rate" -rp 1000 -d $((hold * 1000)) -recv_timeout 15000 \
      -timeout $((hold + setup + 60))s -timeout_error -nostdin -trace_stat -stf "$work/held-$count.csv" \
      -trace_err -error_file "$work/held-$count-errors.log" >/dev/null 2>&1 || true
    wait "$phones_pid" || true
    failed=$(awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next } { last = $0 } END { split(last, v, ";"); print v[col["FailedCall(C)"]] }' "$work/held-$count.csv")
    grep -v '^RESULT' "$work/phones-$count.txt" | sed 's/^/  /'
    echo "  sipp: $failed of $count calls failed"
    result=$(grep '^RESULT' "$work/phones-$count.txt" || echo "RESULT calls=0 loss=100")
    calls_up=$(sed -E 's/.*calls=([0-9]+).*/\1/' <<<"$result")
    loss=$(sed -E 's/.*loss=([0-9.]+).*/\1/' <<<"$result")
    # A call answered before its first ringback packet never gets RTP from the phones (they learn a leg from what
    # it sends them): 3–7 in 500 in our runs; such calls are left out, up to 2 %.
    if ((calls_up * 100 >= count * 98)) && awk -v l="$loss" 'BEGIN { exit !(l < 1) }'; then
      best_count=$count
      echo "$result" >"$work/best-concurrent.txt"
    else
      break
    fi
  done
  stop_phones
  echo
  if ((best_count > 0)); then
    read -r _ _ loss cpu rss _ < <(tr '=' ' ' <"$work/best-concurrent.txt" | awk '{ print $1, $3, $5, $7, $9 }')
    echo "Concurrent relayed calls held with under 1 % loss: $best_count (loss $loss %, Yunke CPU $cpu % of one core, resident memory $rss MiB)"
  else
    echo "Concurrent relayed calls: not even ${counts[0]} held with under 1 % loss"
  fi
fi

echo "($(elapsed) in all; load $(cut -d' ' -f1-3 /proc/loadavg))"
for f in "$work"/*-errors.log; do
  [[ -s $f ]] && { echo "--- $(basename "$f") (start) ---"; head -c 1500 "$f"; echo; }
done
true
