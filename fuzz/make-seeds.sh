#!/usr/bin/env bash
# Writes fresh seed inputs for the fuzz targets into DIR/<target>/, made from real data: a
# license made by the CLI, the Annex D mdoc, an authority certificate, a status list token and
# the draft's example list, QR texts, the vector seals and OFD files. Used by .ci/run beside the
# committed corpora in fuzz/corpus/, and to grow those corpora (FUZZING.md).
# Usage: fuzz/make-seeds.sh DIR   (run from anywhere; needs the CLI built: cargo build -p yinxin-cli)
set -euo pipefail
seeds=$(realpath "$1")
cd "$(dirname "$0")/.."
shared=../shared
yx="$(bindings/target-dir.sh)/debug/yinxin"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for t in credential certificates status license_data qr_text presentation seal ofd cbor replay_cache identifiers keys signatures trust_list http_response ofd_sign time_stamp wallet_files; do
  mkdir -p "$seeds/$t"
done
cp "$shared"/fixtures/*.json "$seeds/license_data/"
$yx authority init --dir "$work/auth" --alg es256 --name seed --code 11510000MB0123456W >/dev/null
$yx key generate --alg es256 --out "$work/holder.pem" >/dev/null
$yx license issue --authority "$work/auth" --license "$shared/fixtures/business-license.json" \
  --holder-key "$work/holder.pem" --out "$seeds/credential/business.cbor" 2>/dev/null >/dev/null
python3 -c 'import sys; open(sys.argv[2], "wb").write(bytes.fromhex(open(sys.argv[1]).read().strip()))' \
  "$shared/vectors/mdoc/issuer_signed.cbor.hex" "$seeds/credential/annex-d.cbor"
openssl x509 -in "$work/auth/issuer.pem" -outform DER -out "$seeds/certificates/issuer.der"
$yx license issue --authority "$work/auth" --license "$shared/fixtures/business-license.json" \
  --holder-key "$work/holder.pem" --out "$work/l.cbor" --registry "$work/reg.db" 2>/dev/null >/dev/null
$yx status publish --registry "$work/reg.db" --authority "$work/auth" --out "$seeds/status" 2>/dev/null >/dev/null
python3 -c 'import sys, json; open(sys.argv[2], "wb").write(bytes.fromhex(json.load(open(sys.argv[1]))["small_examples"][1]["status_list_cbor_hex"]))' \
  "$shared/vectors/ietf-status-list/status-list-vectors.json" "$seeds/status/small.cbor"
$yx present --license "$work/l.cbor" --holder-key "$work/holder.pem" --disclose holder_name \
  --out "$seeds/qr_text/general.txt" 2>/dev/null
$yx present --license "$work/l.cbor" --holder-key "$work/holder.pem" \
  --disclose holder_name,holder_code,legal_representative,valid_until,license_identifier \
  --out "$seeds/qr_text/compact.txt" 2>/dev/null
cp "$seeds"/qr_text/*.txt "$seeds/presentation/"
$yx verify "$(cat "$seeds/qr_text/compact.txt")" --trust "$work/auth/root.pem" --status-list "$seeds/status/1.cwt" \
  --replay-cache "$seeds/replay_cache/fresh.json" >/dev/null 2>&1 || true
cp "$seeds/credential/business.cbor" "$seeds/status/1.cwt" "$seeds/cbor/"
cp "$shared"/vectors/ses/*.esl "$shared"/vectors/ses/*.dat "$seeds/seal/"
cp "$shared"/vectors/ofd/*.ofd "$seeds/ofd/"
cp "$shared"/vectors/ofd/*.ofd "$seeds/ofd_sign/"
# Every valid and invalid identifier of the shared vectors, one per file.
python3 - "$shared/vectors/identifiers/identifiers.json" "$seeds/identifiers" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
n = 0
for kind in data.values():
    if isinstance(kind, dict):
        for value in kind.get("valid", []) + kind.get("invalid", []):
            if isinstance(value, str):
                open(f"{sys.argv[2]}/{n}", "w").write(value)
                n += 1
PY
cp "$work/holder.pem" "$seeds/keys/private.pem"
$yx key public "$work/holder.pem" >"$seeds/keys/public.pem"
for alg in ed25519 sm2; do
  $yx key generate --alg "$alg" --out "$seeds/keys/$alg.pem" >/dev/null
done
echo fuzz >"$work/msg"
$yx key sign --key "$work/holder.pem" --out "$seeds/signatures/es256.der" "$work/msg"
$yx key sign --key "$seeds/keys/sm2.pem" --format raw --out "$seeds/signatures/sm2.raw" "$work/msg"
# A trust list signed by an operator (and the record of accepting it), and HTTP responses.
$yx authority init --dir "$work/op" --alg sm2 --name operator --code 11510000MB1C2D3E45 >/dev/null
$yx trust-list make --signer-key "$work/op/issuer.key.pem" --signer-cert "$work/op/issuer.pem" \
  --provider seed --region 510000 --issue-id 1 --next-update-days 7 \
  --entry "$work/auth/root.pem:11100000000013338W001" --out "$seeds/trust_list/list.cbor" 2>/dev/null >/dev/null
$yx license verify "$work/l.cbor" --trust-list "$seeds/trust_list/list.cbor" --list-anchor "$work/op/root.pem" \
  --cache "$work/cache" --accept-unknown-status >/dev/null 2>&1 || true
cp "$work/cache/trust-lists.state.json" "$seeds/trust_list/" 2>/dev/null || true
printf '\000\310ETag: "5f3a"\nCache-Control: public, max-age=600\n\nbody' >"$seeds/http_response/200"
printf '\001\060ETag: W/"5f3a"\nCache-Control: no-cache\n\n' >"$seeds/http_response/304"
printf '\001\224Content-Type: text/plain\n\nnot found' >"$seeds/http_response/404"
# OFDs signed by yinxin: a real invoice signed again, and the invoice unsigned, rewritten in the
# bare namespace without a prefix, then signed (the reader's and the signer's mixed forms).
python3 - "$work/seal.png" "$shared/vectors/ofd/1.ofd" "$work/plain.ofd" <<'PY'
import struct, sys, zipfile, zlib
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
rows = b"".join(b"\x00" + b"\xdc\x00\x00" * 16 for _ in range(16))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0)) \
    + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
with zipfile.ZipFile(sys.argv[2]) as src, zipfile.ZipFile(sys.argv[3], "w") as out:
    for name in src.namelist():
        if name.startswith("Doc_0/Signs/") or name.endswith("/"):
            continue
        data = src.read(name)
        if name.endswith(".xml"):
            text = data.decode().replace("<ofd:Signatures>Doc_0/Signs/Signatures.xml</ofd:Signatures>", "")
            text = text.replace('xmlns:ofd="http://www.ofdspec.org/2016"', 'xmlns="http://www.ofdspec.org"')
            data = text.replace("</ofd:", "</").replace("<ofd:", "<").encode()
        out.writestr(name, data)
PY
for who in seal-maker seal-holder; do
  $yx authority cert --dir "$work/op" --name "$who" --code 11510000MB1C2D3E45 \
    --out-cert "$work/$who.pem" --out-key "$work/$who.key" >/dev/null
done
$yx seal make --maker-key "$work/seal-maker.key" --maker-cert "$work/seal-maker.pem" --holder-cert "$work/seal-holder.pem" \
  --name seed --es-id seed0001 --picture "$work/seal.png" --valid-days 30 --out "$work/seed.esl" >/dev/null
for doc in "$shared/vectors/ofd/1.ofd" "$work/plain.ofd"; do
  $yx ofd sign "$doc" --seal "$work/seed.esl" --key "$work/seal-holder.key" --cert "$work/seal-holder.pem" \
    --out "$seeds/ofd/yinxin-$(basename "$doc")" >/dev/null
  cp "$seeds/ofd/yinxin-$(basename "$doc")" "$seeds/ofd_sign/"
done
cp "$work/plain.ofd" "$seeds/ofd_sign/"
# RFC 3161 time stamp tokens from an OpenSSL TSA (ECDSA P-256), imprints in SHA-256 and SM3.
(
  cd "$work"
  printf '%s\n' '[ tsa ]' 'default_tsa = t' '[ t ]' 'serial = ./serial' 'signer_digest = sha256' \
    'default_policy = 1.2.3.4.1' 'digests = sha256, sm3' 'ess_cert_id_alg = sha256' \
    '[ v3_tsa ]' 'basicConstraints = critical, CA:false' 'extendedKeyUsage = critical, timeStamping' >ts.cnf
  echo 01 >serial
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out tsa.key 2>/dev/null
  openssl req -x509 -new -key tsa.key -subj /CN=seed-tsa -days 30 -config ts.cnf -extensions v3_tsa -out tsa.pem 2>/dev/null
  for digest in sha256 sm3; do
    openssl ts -query -data msg -"$digest" -cert -out "$digest.tsq" 2>/dev/null
    openssl ts -reply -queryfile "$digest.tsq" -signer tsa.pem -inkey tsa.key -config ts.cnf -token_out \
      -out "$seeds/time_stamp/$digest.der" 2>/dev/null
  done
)
# An e-license file (GB/T 36905): a license of an SM2 authority rendered and sealed by its seal.
$yx authority init --dir "$work/sm" --alg sm2 --name seed --code 11510000MB0123456W >/dev/null
$yx license issue --authority "$work/sm" --license "$shared/fixtures/business-license.json" \
  --holder-key "$work/holder.pem" --out "$work/sm.cbor" >/dev/null 2>&1
for who in sm-maker sm-signer; do
  $yx authority cert --dir "$work/sm" --name "$who" --code 11510000MB0123456W \
    --out-cert "$work/$who.pem" --out-key "$work/$who.key" >/dev/null
done
$yx seal make --maker-key "$work/sm-maker.key" --maker-cert "$work/sm-maker.pem" --holder-cert "$work/sm-signer.pem" \
  --name seed --es-id seed0002 --picture "$work/seal.png" --valid-days 30 --out "$work/sm.esl" >/dev/null
$yx license render --license "$work/sm.cbor" --seal "$work/sm.esl" --key "$work/sm-signer.key" \
  --cert "$work/sm-signer.pem" --out "$seeds/ofd/e-license.ofd" >/dev/null
cp "$seeds/ofd/e-license.ofd" "$seeds/ofd_sign/"
# The holder wallet's files: the wallet file, its attempt mirror, a sealed license, a sealed log
# entry, a backup.
printf '246810\n' | $yx wallet init --dir "$work/w" --pin-stdin 2>/dev/null
printf '246810\n' | $yx wallet add --dir "$work/w" "$work/l.cbor" --holder-key "$work/holder.pem" --pin-stdin >/dev/null
printf '246810\n' | $yx wallet present --dir "$work/w" --license "$(printf '246810\n' | $yx wallet list --dir "$work/w" --pin-stdin | cut -f1)" \
  --disclose holder_name --pin-stdin >/dev/null
printf '246810\nseed backup passphrase\n' | $yx wallet backup --dir "$work/w" --out "$seeds/wallet_files/backup.yx" --pin-stdin 2>/dev/null
cp "$work/w/wallet.yx" "$work/w/attempts.yx" "$seeds/wallet_files/"
cp "$work"/w/licenses/*.yx "$seeds/wallet_files/license.yx"
cp "$work"/w/history/*.yx "$seeds/wallet_files/history.yx"
