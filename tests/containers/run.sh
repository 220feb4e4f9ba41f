#!/usr/bin/env bash
# The container test: Kinora's images (scripts/container-images, built from the binaries of
# $CARGO_TARGET_DIR/debug) brought up with podman-compose from docker/compose.yaml — the server,
# a transcoder, PostgreSQL, an S3 server (Garage when installed, else s3s-fs) and Caddy with TLS —
# then, through the proxy only: log in, upload a fixture, wait for the transcoder container to
# publish it, decode its HLS with ffmpeg; `compose down` and `up` keep it; a container with a
# wrong configuration value exits naming the key. Prints image sizes and the cold start time.
#
#   tests/containers/run.sh              (scripts/test runs it after the browser tests)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
export CONTAINERS_CONF="$root/docker/containers.conf"
fixtures="${KINORA_FIXTURES:-$root/../shared/fixtures/peertube/media}"
https_port="${KINORA_CONTAINER_TEST_PORT:-18443}"
base="https://localhost:$https_port"
project="kinora-test-$$"
work=$(mktemp -d)
log() { echo "[containers] $*"; }
fail() { echo "[containers] FAILED: $*" >&2; exit 1; }

scripts/container-images

garage="${KINORA_GARAGE:-$HOME/.cargo/bin/garage}"
compose_files=(-f docker/compose.yaml)
if [ -x "$garage" ]; then
  s3_region=garage
else
  compose_files+=(-f docker/compose.s3s-fs.yaml)
  s3_region=us-east-1
fi
# A subnet of its own per run, so that a left-over network of an interrupted run does not clash.
octet=$(( 100 + $$ % 100 ))
cat >"$work/.env" <<ENV
KINORA_PUBLIC_URL=$base
KINORA_DOMAIN=localhost
KINORA_TLS=internal
KINORA_HTTPS_PORT=$https_port
KINORA_HTTP_PORT=$(( https_port + 1 ))
KINORA_INSTANCE_NAME="Container test"
POSTGRES_PASSWORD=$(openssl rand -hex 16)
GARAGE_RPC_SECRET=$(openssl rand -hex 32)
KINORA_S3_ACCESS_KEY_ID=GK$(openssl rand -hex 12)
KINORA_S3_SECRET_ACCESS_KEY=$(openssl rand -hex 32)
KINORA_S3_BUCKET=kinora
KINORA_S3_REGION=$s3_region
KINORA_SUBNET=10.89.$octet.0/24
ENV
# podman-compose 1.0 has no --env-file: the variables come from the environment.
compose() { (set -a; . "$work/.env"; set +a; podman-compose --project-name "$project" "${compose_files[@]}" "$@"); }

cleanup() {
  status=$?
  if [ $status -ne 0 ]; then
    for service in kinora transcoder s3 postgres proxy; do
      echo "---- logs of $service (last 40 lines)"
      podman logs --tail 40 "${project}_${service}_1" 2>&1 || true
    done
  fi
  compose down -v >/dev/null 2>&1 || true
  podman network rm -f "${project}_kinora" >/dev/null 2>&1 || true
  rm -rf "$work"
  exit $status
}
trap cleanup EXIT

# Waits until $1 answers 200 through the proxy (at most $2 seconds).
wait_ready() {
  local deadline=$(( $(date +%s) + $2 ))
  until [ "$(curl -sk -o /dev/null -w '%{http_code}' --max-time 5 "$1" || true)" = 200 ]; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "$1 did not answer 200 within $2 s"
    sleep 1
  done
}

log "compose up"
started=$(date +%s.%N)
compose up -d >"$work/up.log" 2>&1 || { cat "$work/up.log"; fail "compose up"; }
wait_ready "$base/readyz" 180
ready=$(date +%s.%N)
log "cold start: ready through the proxy after $(python3 -c "print(round($ready - $started, 1))") s"

# The first start printed the administrator's login in the server container's log.
password=$(podman logs "${project}_kinora_1" 2>&1 | sed -n 's/.*password: \([0-9a-f]*\).*/\1/p' | head -n 1)
[ -n "$password" ] || fail "no administrator password in the server's log"
client=$(curl -sfk "$base/api/v1/oauth-clients/local")
client_id=$(echo "$client" | python3 -c 'import json,sys; print(json.load(sys.stdin)["client_id"])')
client_secret=$(echo "$client" | python3 -c 'import json,sys; print(json.load(sys.stdin)["client_secret"])')
token=$(curl -sfk "$base/api/v1/users/token" -d client_id="$client_id" -d client_secret="$client_secret" \
  -d grant_type=password -d username=root -d password="$password" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
auth=(-H "Authorization: Bearer $token")
channel=$(curl -sfk "$base/api/v1/users/me" "${auth[@]}" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["videoChannels"][0]["id"])')

log "upload through the proxy"
uuid=$(curl -sfk "$base/api/v1/videos/upload" "${auth[@]}" -F channelId="$channel" \
  -F name="Through the proxy" -F privacy=1 -F videofile=@"$fixtures/video_short.mp4" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["video"]["uuid"])')

# Published (state 1) by the transcoder container, with its HLS playlist.
playlist=""
deadline=$(( $(date +%s) + 300 ))
while [ -z "$playlist" ]; do
  [ "$(date +%s)" -lt "$deadline" ] || fail "video $uuid not published within 300 s"
  sleep 2
  playlist=$(curl -sfk "$base/api/v1/videos/$uuid" | python3 -c '
import json,sys
video = json.load(sys.stdin)
lists = video.get("streamingPlaylists") or []
if video["state"]["id"] == 1 and lists:
    print(lists[0]["playlistUrl"])
' 2>/dev/null) || true
done
case "$playlist" in "$base"/*) ;; *) fail "the playlist $playlist is not served through the proxy" ;; esac

# ffmpeg decodes every frame of the HLS through the proxy; the frame count is the source's.
decode() {
  ffmpeg -nostdin -v error -i "$1" -map 0:v:0 -f null - -progress pipe:1 2>"$work/ffmpeg.err" |
    sed -n 's/^frame=//p' | tail -n 1
}
expected=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames \
  -of csv=p=0 "$fixtures/video_short.mp4")
frames=$(decode "$playlist")
[ -s "$work/ffmpeg.err" ] && { cat "$work/ffmpeg.err"; fail "ffmpeg reported errors decoding $playlist"; }
# The transcode keeps the source's frame rate; its constant-rate output may repeat the last frame.
[ -n "$frames" ] && [ "$frames" -ge "$expected" ] && [ "$frames" -le $(( expected + 1 )) ] ||
  fail "decoded ${frames:-no} frames through the proxy, the source has $expected"
first_frames=$frames
log "played through the proxy: $frames frames"

# The file is in the S3 server, not on the server container's disk.
keys=$(podman exec "${project}_kinora_1" sh -c 'find /var/lib/kinora/data -name "*.m3u8" | wc -l')
[ "$keys" = 0 ] || fail "HLS playlists were written to the server container's disk ($keys)"

log "compose down, up: the video stays"
compose down >/dev/null 2>&1
podman network rm -f "${project}_kinora" >/dev/null 2>&1 || true
compose up -d >"$work/up2.log" 2>&1 || { cat "$work/up2.log"; fail "second compose up"; }
wait_ready "$base/readyz" 180
frames=$(decode "$playlist")
[ "$frames" = "$first_frames" ] || fail "after down/up decoded ${frames:-no} frames, before $first_frames"
name=$(curl -sfk "$base/api/v1/videos/$uuid" | python3 -c 'import json,sys; print(json.load(sys.stdin)["name"])')
[ "$name" = "Through the proxy" ] || fail "after down/up the video is $name"

log "a wrong configuration value: the container exits naming the key"
set +e
out=$(podman run --rm -e KINORA__SERVER__LISTEN=not-an-address localhost/kinora:latest config check 2>&1)
code=$?
set -e
[ "$code" = 2 ] || fail "a wrong server.listen exited $code: $out"
echo "$out" | grep -qi "server.listen" || fail "the error does not name the key: $out"
case "$out" in *panicked*) fail "the server panicked: $out" ;; esac
set +e
out=$(podman run --rm -e KINORA__DATABASE__URL=mysql://nowhere localhost/kinora:latest serve 2>&1)
code=$?
set -e
[ "$code" != 0 ] || fail "a wrong database.url started"
echo "$out" | grep -qi "database" || fail "the error does not name the database: $out"
case "$out" in *panicked*) fail "the server panicked: $out" ;; esac

log "image sizes"
for image in localhost/kinora localhost/kinora-transcoder localhost/kinora-proxy; do
  size=$(podman image inspect --format '{{.Size}}' "$image:latest")
  log "  $image: $(( size / 1000000 )) MB"
done
log "passed"
