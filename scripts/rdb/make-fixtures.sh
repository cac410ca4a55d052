#!/usr/bin/env bash
# Regenerates the RDB / AOF / archive fixtures of test/unit/rdb*.test.ts from a real redis-server (Debian's
# `redis-server` package; installed with apt-get when missing and we are root). The tests never run Redis: they read
# the committed files in test/fixtures/rdb/. Rerun this after changing what the fixtures hold, and commit the result:
#
#   bash scripts/rdb/make-fixtures.sh            # writes test/fixtures/rdb/*
#
# Each run gives different bytes (the RDB's ctime aux field, random values) and the same kinds of content.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="$ROOT/test/fixtures/rdb"

if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		apt-get install -y redis-server >/dev/null
	else
		echo "redis-server / redis-cli are needed: apt-get install -y redis-server" >&2
		exit 1
	fi
fi

WORK="$(mktemp -d)"
PIDS=()
cleanup() {
	for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
	node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

# start <dir> <extra redis-server args...>: a server on 127.0.0.1 and a free port, in <dir>; sets PORT.
start() {
	local dir="$1"
	shift
	mkdir -p "$dir"
	PORT="$(free_port)"
	redis-server --bind 127.0.0.1 --port "$PORT" --dir "$dir" --dbfilename dump.rdb --save '' \
		--appendonly no --daemonize no --logfile "$dir/redis.log" --protected-mode yes "$@" &
	PIDS+=("$!")
	for _ in $(seq 1 100); do
		if redis-cli -h 127.0.0.1 -p "$PORT" ping >/dev/null 2>&1; then return 0; fi
		sleep 0.1
	done
	echo "redis-server did not start; its log:" >&2
	cat "$dir/redis.log" >&2
	exit 1
}

stop() {
	redis-cli -h 127.0.0.1 -p "$PORT" shutdown nosave >/dev/null 2>&1 || true
	wait "${PIDS[-1]}" 2>/dev/null || true
	unset 'PIDS[-1]'
}

cli() { redis-cli -h 127.0.0.1 -p "$PORT" "$@" >/dev/null; }

# Keys of every common type and encoding, in three databases, some with expiry times.
fill() {
	local n=${1:-0}
	cli select 0
	cli set greeting "hello, world"
	cli set counter 12345                                   # int-encoded string
	cli set expiring "gone tomorrow" ex 86400               # EXPIRETIME_MS opcode
	cli set repeated "$(printf 'abcdefgh%.0s' $(seq 1 300))" # 2400 bytes, LZF-compressed by SAVE
	head -c 3000 /dev/urandom | redis-cli -h 127.0.0.1 -p "$PORT" -x set big:binary >/dev/null # incompressible
	cli rpush list:small a b c 1 2 3                        # listpack / quicklist node
	cli rpush list:big $(seq 1 300)
	cli hset hash:small name redis kind kv version 7
	local fields=()
	for i in $(seq 1 130); do fields+=("field$i" "value$i"); done
	cli hset hash:big "${fields[@]}"                        # over hash-max-listpack-entries: a hash table
	cli sadd set:ints 1 2 3 5 8 13 21                       # intset
	cli sadd set:strings apple banana cherry
	cli sadd set:big $(for i in $(seq 1 130); do echo "member$i"; done)
	cli zadd zset:small 1 one 2 two 3 three
	local members=()
	for i in $(seq 1 130); do members+=("$i.5" "m$i"); done
	cli zadd zset:big "${members[@]}"                       # over zset-max-listpack-entries: a skiplist
	cli geoadd geo 13.361389 38.115556 Palermo 15.087269 37.502669 Catania
	cli pfadd hll a b c d e f g
	cli setbit bitmap 100 1
	for i in $(seq 1 20); do cli xadd stream '*' sensor "$i" temp "2$i.$n"; done
	cli xgroup create stream readers 0
	cli xreadgroup group readers alice count 5 streams stream '>'   # a consumer with pending entries
	cli select 1
	cli set db1:key "in database 1"
	cli pexpireat db1:key 4102444800000                     # 2100-01-01
	cli select 3
	cli rpush db3:list x y z
}

# A few commands of each kind, for the AOF samples (kept small).
fill_small() {
	cli select 0
	cli set greeting "hello, aof"
	cli set expiring "gone tomorrow" ex 86400
	cli rpush list:small a b c
	cli hset hash:small name redis kind kv
	cli sadd set:strings apple banana
	cli zadd zset:small 1 one 2 two
	cli xadd stream '*' sensor 1 temp 21.5
	cli incr counter
	cli del greeting
}

mkdir -p "$OUT"
rm -f "$OUT"/*.rdb "$OUT"/*.aof "$OUT"/*.manifest "$OUT"/*.gz "$OUT"/*.tar "$OUT"/*.zip

# 1. An empty server's dump, and one with data; both with checksums (the default).
start "$WORK/a"
cli save
cp "$WORK/a/dump.rdb" "$OUT/empty.rdb"
fill
cli save
cp "$WORK/a/dump.rdb" "$OUT/types.rdb"
stop

# 2. The same data saved with `rdbchecksum no` (a zero trailer). rdbchecksum cannot be changed at run time: a second
#    server started with it loads the first dump and saves again.
cp "$OUT/types.rdb" "$WORK/b-dump.rdb"
mkdir -p "$WORK/b" && cp "$WORK/b-dump.rdb" "$WORK/b/dump.rdb"
start "$WORK/b" --rdbchecksum no
cli save
cp "$WORK/b/dump.rdb" "$OUT/nochecksum.rdb"
stop

# 3. AOF: Redis 7's multi-part AOF (a manifest, a base file that is an RDB, an incremental command stream). The
#    incremental file is a plain AOF; base + incremental is exactly a Redis 4-6 AOF with an RDB preamble.
start "$WORK/c" --appendonly yes --appendfsync always --aof-use-rdb-preamble yes
cli set before-rewrite 1
cli bgrewriteaof
for _ in $(seq 1 100); do
	if [ "$(redis-cli -h 127.0.0.1 -p "$PORT" info persistence | tr -d '\r' | grep '^aof_rewrite_in_progress:' | cut -d: -f2)" = 0 ] &&
		[ "$(redis-cli -h 127.0.0.1 -p "$PORT" info persistence | tr -d '\r' | grep '^aof_rewrite_scheduled:' | cut -d: -f2)" = 0 ]; then
		break
	fi
	sleep 0.1
done
fill_small
stop
AOFDIR="$WORK/c/appendonlydir"
BASE="$(ls "$AOFDIR"/*.base.rdb)"
INCR="$(ls "$AOFDIR"/*.incr.aof | tail -1)"
cp "$INCR" "$OUT/incr.aof"
cp "$AOFDIR"/*.manifest "$OUT/appendonly.aof.manifest"
cat "$BASE" "$INCR" >"$OUT/preamble.aof"

# 4. Archives of the dump, made by the usual tools.
gzip -9 -n -c "$OUT/types.rdb" >"$OUT/types.rdb.gz"
(cd "$OUT" && tar --format=ustar -b 1 -cf "$WORK/types.tar" types.rdb && mv "$WORK/types.tar" "$OUT/types.tar")
(cd "$OUT" && zip -q -X "$WORK/types.zip" types.rdb && mv "$WORK/types.zip" "$OUT/types.zip")

# 5. What made them, for the tests' expectations.
{
	echo "$(redis-server --version | sed 's/ sha=.*//')"
	echo "rdb-version $(head -c 9 "$OUT/types.rdb" | tail -c 4)"
} >"$OUT/SOURCE.txt"

redis-check-rdb "$OUT/types.rdb" >/dev/null
ls -l "$OUT"
