#!/bin/sh
# Regenerates the known-answer signatures in this folder with openssl, the independent oracle.
# The key pair was made once with:
#   openssl genrsa -out test-private.pem 2048 && openssl rsa -in test-private.pem -pubout -out test-public.pem
#   openssl genrsa -out other-private.pem 2048 && openssl rsa -in other-private.pem -pubout -out other-public.pem
set -eu
cd "$(dirname "$0")"
printf '%s' '{"Statement":[{"Resource":"http://localhost:9090/video/a.m3u8","Condition":{"DateLessThan":{"AWS:EpochTime":2000000000}}}]}' > canned-policy.json
printf '%s' '{"Statement":[{"Resource":"http://localhost:9090/video/*","Condition":{"DateLessThan":{"AWS:EpochTime":2000000000}}}]}' > custom-policy.json
printf '%s' '{"Statement":[{"Resource":"http://localhost:9090/video/*","Condition":{"DateLessThan":{"AWS:EpochTime":2000000000},"DateGreaterThan":{"AWS:EpochTime":1700000000},"IpAddress":{"AWS:SourceIp":"127.0.0.0/8"}}}]}' > full-policy.json
for p in canned custom full; do
  openssl sha1 -sign test-private.pem "$p-policy.json" | openssl base64 -A | tr -- '+=/' '-_~' > "$p-policy.sha1.sig"
  openssl dgst -sha256 -sign test-private.pem "$p-policy.json" | openssl base64 -A | tr -- '+=/' '-_~' > "$p-policy.sha256.sig"
  openssl base64 -A < "$p-policy.json" | tr -- '+=/' '-_~' > "$p-policy.b64"
done
