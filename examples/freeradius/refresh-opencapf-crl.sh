#!/bin/sh
# Fetches OpenCAPF's CAPF trust bundle and CRLs into FreeRADIUS's certificate directory and rehashes it.
# Run it from cron or a systemd timer well within revocation.crlValidityHours (default 24 h), e.g. every 15 min.
#   OPENCAPF=http://capf.example.com:6970 DEST=/etc/freeradius/3.0/certs/opencapf ./refresh-opencapf-crl.sh
set -eu
OPENCAPF="${OPENCAPF:-http://127.0.0.1:6970}"
DEST="${DEST:-/etc/freeradius/3.0/certs/opencapf}"
mkdir -p "$DEST/capath"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
curl -fsS "$OPENCAPF/trust/capf-bundle.pem" -o "$tmp/capf-ca.pem"
curl -fsS "$OPENCAPF/crl/capf.pem" -o "$tmp/capf.crl.pem"
# The previous CAPF CA's CRL exists only during a rollover (404 otherwise).
curl -fsS "$OPENCAPF/crl/capf-previous.pem" -o "$tmp/capf-previous.crl.pem" 2>/dev/null || rm -f "$tmp/capf-previous.crl.pem"
openssl crl -in "$tmp/capf.crl.pem" -noout -CAfile "$tmp/capf-ca.pem" 2>/dev/null || { echo "CRL does not verify against the bundle" >&2; exit 1; }
rm -f "$DEST/capath/"*
cp "$tmp/capf-ca.pem" "$DEST/capf-ca.pem"
cp "$tmp/capf-ca.pem" "$tmp/"capf*.crl.pem "$DEST/capath/"
openssl rehash "$DEST/capath"
