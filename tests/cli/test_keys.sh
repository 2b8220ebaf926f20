# shiken keys generate|list|retire|export-jwks: certificate signing keys
# only in the private key file (never in the database), audited without
# their secrets, rotated (a new key signs, the old one still verifies),
# published as a JWK Set whose kids are RFC 7638 thumbprints; a key file of
# format 1 still opening and upgraded when a key is added. Refused changes
# leave the key file and the database as they were.
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/cli/registry.sh" # json

KEY="$DB.key"
PY=/usr/bin/python3 # Debian's, with the standard library only here

private() { [[ $(stat -c %a "$1") == 600 ]] || fail "$1 has mode $(stat -c %a "$1"), not 600"; }
# kid_of: the kid that 'keys generate' printed.
kid_of() { sed -n 's/^signing key \([A-Za-z0-9_-]*\) made.*/\1/p' "$WORK/out"; }

fresh_db

# ---- no keys yet ----
run 0 keys list
same_text "$WORK/out" "no signing keys yet: run 'shiken keys generate'"
run 1 keys export-jwks
same_text "$WORK/err" "shiken: no signing keys to export: run 'shiken keys generate'"

# ---- generate, list ----
run 0 keys generate
K1=$(kid_of)
[[ "$K1" =~ ^[A-Za-z0-9_-]{16}$ ]] || fail "kid '$K1' is not 16 base64url characters"
same_text "$WORK/out" "signing key $K1 made: it signs certificates from now on
publish the public keys again: shiken keys export-jwks --out FILE"
private "$KEY"
grep -qE "^sign $K1 2026-11-22T09:00:00Z active [A-Za-z0-9+/]{43}=$" "$KEY" || fail "no sign line for $K1 in the key file"
run 0 keys list
same_text "$WORK/out" "KID               CREATED               STATUS
$K1  2026-11-22T09:00:00Z  active"

run 0 keys generate
K2=$(kid_of)
same_text "$WORK/out" "signing key $K2 made: it signs certificates from now on
signing key $K1 retired: it still verifies the certificates it signed
publish the public keys again: shiken keys export-jwks --out FILE"
private "$KEY"
run 0 keys list --json
[[ $(json "$WORK/out" '$[0].kid') == "$K1" && $(json "$WORK/out" '$[0].status') == retired ]] || fail "keys list --json: $K1"
[[ $(json "$WORK/out" '$[1].kid') == "$K2" && $(json "$WORK/out" '$[1].status') == active ]] || fail "keys list --json: $K2"
[[ $(json "$WORK/out" '$[1].alg') == EdDSA ]] || fail "keys list --json: alg"

# Audited, and the secrets are nowhere in the database.
[[ $(count "SELECT group_concat(k, ', ') FROM (SELECT entity_key || ' ' || action AS k FROM audit WHERE entity = 'signing_key' ORDER BY seq)") == \
	"$K1 generate, $K2 generate, $K1 retire" ]] || fail "key changes are not audited"
[[ $(count "SELECT detail FROM audit WHERE entity = 'signing_key' AND action = 'retire'") == "{\"replaced_by\":\"$K2\"}" ]] ||
	fail "the retirement does not name its successor"
sqlite3 "$DB" .dump >"$WORK/dump"
while read -r seed; do
	lacks "$WORK/dump" "$seed"
	lacks "$WORK/dump" "${seed:0:24}"
done < <(sed -n 's/^sign .* \([^ ]*\)$/\1/p' "$KEY")
consistent

# ---- export-jwks ----
run 0 keys export-jwks --out "$WORK/jwks.json"
same_text "$WORK/out" "wrote $WORK/jwks.json (JWK Set; keys: 2)"
[[ $(stat -c %a "$WORK/jwks.json") == 644 ]] || fail "the JWKS is public: mode 644, not $(stat -c %a "$WORK/jwks.json")"
[[ $(json "$WORK/jwks.json" '$.keys[0].kid') == "$K1" && $(json "$WORK/jwks.json" '$.keys[1].kid') == "$K2" ]] ||
	fail "the JWKS has both keys, the retired one too"
for i in 0 1; do
	[[ $(json "$WORK/jwks.json" "\$.keys[$i].kty") == OKP && $(json "$WORK/jwks.json" "\$.keys[$i].crv") == Ed25519 &&
		$(json "$WORK/jwks.json" "\$.keys[$i].use") == sig && $(json "$WORK/jwks.json" "\$.keys[$i].alg") == EdDSA ]] ||
		fail "key $i is not an OKP Ed25519 signing key"
	[[ -z $(json "$WORK/jwks.json" "\$.keys[$i].d") ]] || fail "the JWKS holds a private key"
done
run 0 keys export-jwks
cmp -s "$WORK/out" "$WORK/jwks.json" || fail "export-jwks to stdout differs from --out"
# kid = the first 16 characters of the RFC 7638 thumbprint, computed here.
x=$(json "$WORK/jwks.json" '$.keys[1].x')
thumb=$($PY -c 'import base64, hashlib, sys
j = "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"%s\"}" % sys.argv[1]
print(base64.urlsafe_b64encode(hashlib.sha256(j.encode()).digest()).decode().rstrip("="))' "$x")
[[ "${thumb:0:16}" == "$K2" ]] || fail "kid $K2 is not the start of the RFC 7638 thumbprint $thumb"

# ---- retire ----
key_sum=$(sha256sum <"$KEY")
snapshot retire
run 1 keys retire "$K2"
same_text "$WORK/err" "shiken: signing key '$K2' is the active one: 'shiken keys generate' replaces it, '--force' retires it and leaves no key to sign with"
run 1 keys retire "$K1"
same_text "$WORK/err" "shiken: signing key '$K1' is already retired"
run 1 keys retire NoSuchKid
same_text "$WORK/err" "shiken: no signing key 'NoSuchKid'"
# A kid may start with '-' (base64url, 1 key in 64): it is the kid, not options.
run 1 keys retire -o7mdAbCdEfGhIjK
same_text "$WORK/err" "shiken: no signing key '-o7mdAbCdEfGhIjK'"
run 2 keys retire
same_text <(head -1 "$WORK/err") "shiken: give the kid of a signing key"
run 2 keys retire "$K1" "$K2"
same_text <(head -1 "$WORK/err") "shiken: unexpected argument '$K2'"
run 2 keys list --bogus
same_text <(head -1 "$WORK/err") "shiken: unknown option '--bogus'"
run 2 keys generate extra
same_text <(head -1 "$WORK/err") "shiken: unexpected argument 'extra'"
[[ $(sha256sum <"$KEY") == "$key_sum" ]] || fail "a refused retire changed the key file"
unchanged_since retire


# --force retires the active key too: nothing signs until the next key.
run 0 keys retire "$K2" --force
same_text "$WORK/out" "signing key $K2 retired: it still verifies the certificates it signed"
same_text "$WORK/err" "shiken: warning: no key signs certificates now: run 'shiken keys generate'"
[[ $(count "SELECT detail FROM audit WHERE entity = 'signing_key' AND entity_key = '$K2' AND action = 'retire'") == \
	'{"forced":true}' ]] || fail "the forced retirement is not audited"
run 0 keys list
same_text "$WORK/out" "KID               CREATED               STATUS
$K1  2026-11-22T09:00:00Z  retired
$K2  2026-11-22T09:00:00Z  retired"
run 0 keys export-jwks
[[ $(json "$WORK/out" '$.keys[1].kid') == "$K2" ]] || fail "a retired key is no longer published"
run 0 keys generate
K3=$(kid_of)
same_text "$WORK/out" "signing key $K3 made: it signs certificates from now on
publish the public keys again: shiken keys export-jwks --out FILE"
consistent

# ---- a key file of format 1 opens, and is upgraded when a key is added ----
V1="$WORK/v1.db"
"$SHIKEN" --db "$V1" init >/dev/null
sed -e 's/^shiken-keys 2$/shiken-keys 1/' "$V1.key" >"$WORK/v1.key"
cat "$WORK/v1.key" >"$V1.key" # keeps the file's mode 0600
grep -qx "shiken-keys 1" "$V1.key" || fail "could not make a format-1 key file"
master=$(grep '^master ' "$V1.key")
"$SHIKEN" --db "$V1" test list >/dev/null || fail "a format-1 key file does not open"
"$SHIKEN" --db "$V1" keys list >"$WORK/out" || fail "keys list on a format-1 key file"
same_text "$WORK/out" "no signing keys yet: run 'shiken keys generate'"
grep -qx "shiken-keys 1" "$V1.key" || fail "reading upgraded the file"
"$SHIKEN" --db "$V1" keys generate >"$WORK/out" || fail "keys generate on a format-1 key file"
head -1 "$WORK/out" | grep -qx "key file $V1.key upgraded to format 2" || fail "the upgrade is not reported: $(cat "$WORK/out")"
grep -qx "shiken-keys 2" "$V1.key" || fail "the key file was not upgraded"
grep -qx "$master" "$V1.key" || fail "the upgrade changed the master key"
[[ $(grep -c '^sign ' "$V1.key") == 1 ]] || fail "the upgraded file has no signing key"
private "$V1.key"
ls "$WORK" | grep -q 'v1.db.key.' && fail "a temporary key file was left behind"
"$SHIKEN" --db "$V1" audit verify >/dev/null || fail "audit verify after the upgrade"


# ---- the key file stays private; refused when it is not ----
private "$KEY"
key_sum=$(sha256sum <"$KEY")
chmod 644 "$KEY"
run 1 keys generate
same_text "$WORK/err" "shiken: key file '$KEY' can be read by others (mode 0644); run: chmod 600 '$KEY'"
run 1 keys list
same_text "$WORK/err" "shiken: key file '$KEY' can be read by others (mode 0644); run: chmod 600 '$KEY'"
chmod 600 "$KEY"
[[ $(sha256sum <"$KEY") == "$key_sum" ]] || fail "a refused generate changed the key file"
consistent
echo ok
