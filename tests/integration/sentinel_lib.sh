# sentinel_lib.sh - a replicated Redis under Sentinel on loopback for the
# failover tests (source after tests/harness.sh): a master, one replica and
# three sentinels (quorum 2) with a short down-after-milliseconds and
# failover-timeout, so a failover takes a few seconds, not a minute.
#
# sl_start [REDIS ARGS...]: sets MASTER_PORT, MASTER_PID, REPLICA_PORT,
# REPLICA_PID, SENTINEL_PORTS (three), and REDIS_PORT/REDIS_URL (the
# redis-sentinel:// URL of the set) for e2e_lib.sh, executor_lib.sh and
# rcli. The master's name is "dgmaster".
command -v redis-sentinel >/dev/null || skip_all "redis-sentinel not installed"

SL_NAME=dgmaster
SL_REDIS_ARGS=()

# sl_node PORT [ARGS...]: a redis-server on PORT (no persistence: a node
# killed and started again comes back empty, the worst case); its pid in
# SL_PID.
sl_node() {
  local port=$1
  shift
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
    --daemonize no --dir "$DG_TMP" --logfile "$DG_TMP/redis-$port.log" \
    "${SL_REDIS_ARGS[@]}" "$@" </dev/null >/dev/null 2>&1 &
  SL_PID=$!
  dg_track "$SL_PID"
  dg_wait_for 5 redis-cli -p "$port" ping || bail "redis-server on $port did not start"
}

# sl_sentinel PORT: one sentinel watching the master at MASTER_PORT.
sl_sentinel() {
  local port=$1 conf="$DG_TMP/sentinel-$1.conf" pid
  cat >"$conf" <<CONF
port $port
bind 127.0.0.1
daemonize no
dir $DG_TMP
logfile $DG_TMP/sentinel-$port.log
sentinel monitor $SL_NAME 127.0.0.1 $MASTER_PORT 2
sentinel down-after-milliseconds $SL_NAME 1000
sentinel failover-timeout $SL_NAME 3000
sentinel parallel-syncs $SL_NAME 1
CONF
  redis-sentinel "$conf" </dev/null >/dev/null 2>&1 &
  pid=$!
  dg_track "$pid"
  dg_wait_for 5 redis-cli -p "$port" ping || bail "sentinel on $port did not start"
}

# sl_ready: every sentinel knows the replica and the two other sentinels,
# and the replica is in sync.
sl_sentinel_ready() {
  local p=$1
  [ "$(redis-cli -p "$p" SENTINEL replicas "$SL_NAME" | grep -c '^flags$')" -ge 1 ] &&
    [ "$(redis-cli -p "$p" SENTINEL sentinels "$SL_NAME" | grep -c '^flags$')" -eq 2 ]
}
sl_ready() {
  local p
  for p in $SENTINEL_PORTS; do sl_sentinel_ready "$p" || return 1; done
  redis-cli -p "$(sl_master_port)" INFO replication | grep -q '^slave0:.*state=online'
}

sl_start() {
  local p
  SL_REDIS_ARGS=("$@")
  MASTER_PORT=$(dg_free_port)
  sl_node "$MASTER_PORT"
  MASTER_PID=$SL_PID
  REPLICA_PORT=$(dg_free_port)
  sl_node "$REPLICA_PORT" --replicaof 127.0.0.1 "$MASTER_PORT"
  REPLICA_PID=$SL_PID
  SENTINEL_PORTS=""
  for p in 1 2 3; do
    p=$(dg_free_port)
    sl_sentinel "$p"
    SENTINEL_PORTS="$SENTINEL_PORTS $p"
  done
  SENTINEL_PORTS=${SENTINEL_PORTS# }
  dg_wait_for 30 sl_ready || bail "sentinels did not see the replica and each other"
  REDIS_PORT=$MASTER_PORT
  REDIS_URL="redis-sentinel://$(echo "$SENTINEL_PORTS" | sed 's/\([0-9]*\)/127.0.0.1:\1/g; s/ /,/g')/0#$SL_NAME"
}

# sl_master_port: where the first sentinel that answers says the master is.
sl_master_port() {
  local p port
  for p in $SENTINEL_PORTS; do
    port=$(redis-cli -p "$p" SENTINEL get-master-addr-by-name "$SL_NAME" 2>/dev/null | sed -n 2p)
    [ -n "$port" ] && echo "$port" && return 0
  done
  return 1
}
# sl_role PORT: master, slave, or nothing when the node is down.
sl_role() { redis-cli -p "$1" ROLE 2>/dev/null | head -n 1; }
sl_role_is() { [ "$(sl_role "$1")" = "$2" ]; }

# sl_promoted OLD_PORT: every sentinel names another master than OLD_PORT
# and that node says it is master.
sl_promoted() {
  local p port
  for p in $SENTINEL_PORTS; do
    port=$(redis-cli -p "$p" SENTINEL get-master-addr-by-name "$SL_NAME" | sed -n 2p)
    [ -n "$port" ] && [ "$port" != "$1" ] || return 1
  done
  [ "$(sl_role "$port")" = master ]
}

# sl_follow: REDIS_PORT (rcli) to the master now.
sl_follow() { REDIS_PORT=$(sl_master_port); }
