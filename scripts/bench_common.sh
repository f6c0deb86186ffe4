# Shared by scripts/bench.sh and scripts/bench_ab.sh (sourced, not run).

t0=$SECONDS
step() { echo "== [$((SECONDS - t0)) s] $*" >&2; }

# Stop every process whose pid file is in $1 (TERM, up to 5 s, then KILL).
stop_pidfiles() {
  for f in "$1"/*.pid; do
    [ -f "$f" ] || continue
    pid="$(cat "$f")"; kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
}

# Wait until each port given answers the login page (a gunicorn that has warmed up).
wait_for_ports() {
  for p in "$@"; do
    for _ in $(seq 1 150); do curl -s -o /dev/null "http://127.0.0.1:$p/login/" && break; sleep 0.2; done
  done
}
