#!/usr/bin/env bash
# P-256 verification: yinxin (ring backend) beside `openssl speed ecdsap256`, in one run, so the
# ratio is read from figures taken under the same load. Usage: scripts/bench-p256-vs-openssl.sh
set -euo pipefail
cd "$(dirname "$0")/.."

ossl_line=$(openssl speed -seconds 3 ecdsap256 2>/dev/null | grep -E '^ *256 bits ecdsa \(nistp256\)')
# columns: 256 bits ecdsa (nistp256) sign-s verify-s sign/s verify/s
ossl_verify_us=$(awk '{printf "%.1f", 1e6 / $8}' <<<"$ossl_line")

cargo bench -q -p yinxin --bench crypto -- '^verify/(es256|es256-p256-crate|ed25519|ed25519-dalek-verify|sm2)$' >/dev/null
target=$(bindings/target-dir.sh)
median_us() {
  python3 -c "import json,sys; print('%.1f' % (json.load(open(sys.argv[1]))['median']['point_estimate'] / 1000))" \
    "$target/criterion/verify/$1/new/estimates.json"
}
yx=$(median_us es256)
crate=$(median_us es256-p256-crate)
echo "openssl speed ecdsap256 verify:  ${ossl_verify_us} us  ($(openssl version))"
echo "yinxin verify es256 (ring):      ${yx} us"
echo "p256 crate verify:               ${crate} us"
echo "ratio yinxin / openssl:          $(python3 -c "print('%.2f' % ($yx / $ossl_verify_us))")"
echo "ed25519: yinxin $(median_us ed25519) us, ed25519-dalek verify $(median_us ed25519-dalek-verify) us"
echo "sm2:     yinxin $(median_us sm2) us"
