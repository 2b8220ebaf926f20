# An independent JOSE implementation agrees with shiken about certificate
# tokens: PyJWT (Debian's python3-jwt, over python3-cryptography) verifies a
# token shiken signed, using only the JWKS shiken exported, and refuses a
# tampered one; and shiken verifies a token PyJWT signed with a key and JWKS
# made in Python. The key ids are recomputed in Python from RFC 7638.
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/cli/registry.sh" # json
: "${MINT_CERT:?set MINT_CERT to the mint_cert test tool}"
PY=/usr/bin/python3 # Debian's interpreter: the one python3-jwt installs into
"$PY" -c 'import jwt, cryptography' 2>/dev/null ||
	fail "PyJWT or cryptography missing for $PY (scripts/setup installs python3-jwt python3-cryptography)"

ISS=https://shiken.example.jp
KEY="$DB.key"
# iat lies in the past on any clock running this test (PyJWT refuses an iat in
# its future): 2026-01-15T00:00:00Z.
IAT=1768435200
claims() {
	printf '{"iss":"%s","cert":"%s","family_name":"NGUYỄN","given_name":"VAN AN","birthdate":"1999-04-01",' "$ISS" "$1"
	printf '"test":{"code":"EE1","category_ja":"電気電子機器組立て","category_en":"Electrical and Electronic Equipment Assembly","level":1},'
	printf '"sitting_date":"2026-01-11","iat":%s}\n' "$IAT"
}

fresh_db
sk keys generate >/dev/null
OLD=$(claims 2026-000009-0 | "$MINT_CERT" "$DB" "$KEY")
sk keys generate >/dev/null
TOKEN=$(claims 2026-000001-5 | "$MINT_CERT" "$DB" "$KEY")
sk keys export-jwks --out "$WORK/jwks.json" >/dev/null

# ---- PyJWT verifies what shiken signed ----
cat >"$WORK/pyverify.py" <<'EOF'
import base64, hashlib, json, sys
import jwt

jwks_path, issuer, token = sys.argv[1:4]
keys = jwt.PyJWKSet.from_dict(json.load(open(jwks_path)))
# kid: the first 16 characters of the RFC 7638 thumbprint, recomputed here.
for k in json.load(open(jwks_path))["keys"]:
    canon = json.dumps({"crv": k["crv"], "kty": k["kty"], "x": k["x"]}, separators=(",", ":"), sort_keys=True)
    thumb = base64.urlsafe_b64encode(hashlib.sha256(canon.encode()).digest()).decode().rstrip("=")
    assert k["kid"] == thumb[:16], (k["kid"], thumb)
header = jwt.get_unverified_header(token)
assert header == {"alg": "EdDSA", "kid": header["kid"], "typ": "shiken-cert+jwt"}, header
try:
    claims = jwt.decode(token, keys[header["kid"]].key, algorithms=["EdDSA"], issuer=issuer,
                        options={"require": ["iss", "iat"]})
except jwt.InvalidTokenError as e:
    print("refused:", type(e).__name__)
    sys.exit(3)
print(json.dumps(claims, ensure_ascii=False, separators=(",", ":")))
EOF
"$PY" "$WORK/pyverify.py" "$WORK/jwks.json" "$ISS" "$TOKEN" >"$WORK/out" || fail "PyJWT refused shiken's token: $(cat "$WORK/out")"
same_text "$WORK/out" "$(claims 2026-000001-5)"
"$PY" "$WORK/pyverify.py" "$WORK/jwks.json" "$ISS" "$OLD" >"$WORK/out" || fail "PyJWT refused a token of the retired key"
contains "$WORK/out" '"cert":"2026-000009-0"'
# PyJWT refuses what shiken refuses.
tampered="${TOKEN:0:120}$([[ ${TOKEN:120:1} == A ]] && echo B || echo A)${TOKEN:121}"
code=0
"$PY" "$WORK/pyverify.py" "$WORK/jwks.json" "$ISS" "$tampered" >"$WORK/out" 2>&1 || code=$?
[[ $code == 3 ]] || fail "PyJWT did not refuse a tampered token (exit $code): $(cat "$WORK/out")"
code=0
"$SHIKEN" verify "$tampered" --jwks "$WORK/jwks.json" >/dev/null || code=$?
[[ $code == 3 ]] || fail "shiken did not refuse the tampered token (exit $code)"
code=0
"$PY" "$WORK/pyverify.py" "$WORK/jwks.json" https://other.example.org "$TOKEN" >"$WORK/out" 2>&1 || code=$?
[[ $code == 3 ]] || fail "PyJWT took another issuer's token (exit $code)"
contains "$WORK/out" "refused: InvalidIssuerError"

# ---- shiken verifies what PyJWT signed ----
cat >"$WORK/pysign.py" <<'EOF'
import base64, hashlib, json, sys
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

jwks_path, claims = sys.argv[1], json.loads(sys.argv[2])
key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
x = base64.urlsafe_b64encode(raw).decode().rstrip("=")
canon = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x}, separators=(",", ":"), sort_keys=True)
kid = base64.urlsafe_b64encode(hashlib.sha256(canon.encode()).digest()).decode().rstrip("=")[:16]
json.dump({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "use": "sig", "alg": "EdDSA"}]},
          open(jwks_path, "w"))
print(jwt.encode(claims, key, algorithm="EdDSA", headers={"kid": kid, "typ": "shiken-cert+jwt"}))
EOF
PYTOKEN=$("$PY" "$WORK/pysign.py" "$WORK/py-jwks.json" "$(claims 2026-000002-8)") || fail "PyJWT could not sign"
run 0 verify "$PYTOKEN" --jwks "$WORK/py-jwks.json" --issuer "$ISS" --json
[[ $(json "$WORK/out" '$.valid') == 1 && $(json "$WORK/out" '$.claims.cert') == 2026-000002-8 ]] ||
	fail "shiken refused PyJWT's token: $(cat "$WORK/out")"
[[ $(json "$WORK/out" '$.claims.family_name') == "NGUYỄN" ]] || fail "the name did not survive: $(cat "$WORK/out")"
# PyJWT's key is not shiken's: the registry does not know it.
run 3 verify "$PYTOKEN"
contains "$WORK/out" "NOT VALID (unknown_key)"
echo ok
