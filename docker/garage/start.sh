#!/bin/sh
# Starts Garage as a one-node cluster and, idempotently, gives it its layout, the access key
# KINORA_S3_ACCESS_KEY_ID / KINORA_S3_SECRET_ACCESS_KEY and the bucket KINORA_S3_BUCKET.
set -eu
: "${KINORA_S3_ACCESS_KEY_ID:?set KINORA_S3_ACCESS_KEY_ID (GK followed by 24 hex digits)}"
: "${KINORA_S3_SECRET_ACCESS_KEY:?set KINORA_S3_SECRET_ACCESS_KEY (64 hex digits)}"
: "${KINORA_S3_BUCKET:=kinora}"
: "${GARAGE_RPC_SECRET:?set GARAGE_RPC_SECRET (64 hex digits)}"
mkdir -p /var/lib/garage/meta /var/lib/garage/data
cat >/etc/garage.toml <<TOML
metadata_dir = "/var/lib/garage/meta"
data_dir = "/var/lib/garage/data"
db_engine = "sqlite"
replication_factor = 1
rpc_bind_addr = "[::]:3901"
rpc_public_addr = "127.0.0.1:3901"
rpc_secret = "$GARAGE_RPC_SECRET"
[s3_api]
s3_region = "garage"
api_bind_addr = "[::]:3900"
root_domain = ".s3.garage.localhost"
TOML
garage -c /etc/garage.toml server &
server=$!
trap 'kill -TERM $server' TERM INT
for _ in $(seq 1 60); do garage -c /etc/garage.toml status >/dev/null 2>&1 && break; sleep 1; done
node=$(garage -c /etc/garage.toml node id -q | cut -d@ -f1)
if ! garage -c /etc/garage.toml layout show | grep -q "$(echo "$node" | cut -c1-16)"; then
  garage -c /etc/garage.toml layout assign -z dc1 -c 10G "$node"
  garage -c /etc/garage.toml layout apply --version 1
fi
garage -c /etc/garage.toml key info "$KINORA_S3_ACCESS_KEY_ID" >/dev/null 2>&1 ||
  garage -c /etc/garage.toml key import --yes -n kinora "$KINORA_S3_ACCESS_KEY_ID" "$KINORA_S3_SECRET_ACCESS_KEY"
garage -c /etc/garage.toml bucket info "$KINORA_S3_BUCKET" >/dev/null 2>&1 ||
  garage -c /etc/garage.toml bucket create "$KINORA_S3_BUCKET"
garage -c /etc/garage.toml bucket allow --read --write --owner "$KINORA_S3_BUCKET" --key "$KINORA_S3_ACCESS_KEY_ID"
echo "garage ready: bucket $KINORA_S3_BUCKET"
wait $server
