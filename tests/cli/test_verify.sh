# shiken verify and shiken cert list|revoke|revocations: certificate
# tokens verified against the registry (key file, issuer, certificate table)
# and offline (published keys, a signed revocation list), with exit 0
# (valid), 3 (not valid: the reason as a code and a sentence), 1 (error), 2
# (usage); revocation recorded, audited and reaching offline verifiers
# through a signed list. Certificates are minted by tests/tools/mint_cert,
# standing in for certificate issue.
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/cli/registry.sh"
: "${MINT_CERT:?set MINT_CERT to the mint_cert test tool}"

KEY="$DB.key"
ISS=https://shiken.example.jp
SIT=2026-12-HAN

# kid_of: the kid that 'keys generate' printed.
kid_of() { sed -n 's/^signing key \([A-Za-z0-9_-]*\) made.*/\1/p' "$WORK/out"; }
# claims NUMBER [IAT]: a certificate's payload.
claims() {
	printf '{"iss":"%s","cert":"%s","family_name":"TRAN","given_name":"VAN AN","birthdate":"1995-04-01",' "$ISS" "$1"
	printf '"test":{"code":"MM1","category_ja":"機械金属加工","category_en":"Machining and Metalworking","level":1},'
	printf '"sitting_date":"2026-12-13","iat":%s}\n' "${2:-1797238800}"
}
# mint NUMBER [EXAM_NUMBER]: a token signed with the active key (recorded
# for the registration when an exam number is given).
mint() { claims "$1" | "$MINT_CERT" "$DB" "$KEY" ${2:+"$2"}; }
# flip TOKEN POS: the token with one character changed.
flip() {
	local t=$1 p=$2 c=${1:$2:1} r=A
	[[ $c == A ]] && r=B
	printf '%s%s%s' "${t:0:$p}" "$r" "${t:$((p + 1))}"
}

registry_db
run 0 register add --candidate T-VN01 --sitting $SIT --test MM1
E1=$(examno_of)
run 0 register add --candidate T-VN02 --sitting $SIT --test MM1
E2=$(examno_of)

run 1 cert revocations
same_text "$WORK/err" "shiken: no certificate issuer set: run 'shiken config set cert.issuer URL'"

# Two keys: K1 signed OLD, then K2 replaced it; both are published.
run 0 keys generate
K1=$(kid_of)
OLD=$(mint 2026-000009-0)
run 0 keys generate
K2=$(kid_of)
run 0 keys export-jwks --out "$WORK/jwks.json"

# ---- verify against the registry (key file, certificate table) ----
# The issuer: any printable name, audited as JSON whatever it holds.
run 0 config set cert.issuer 'https://shiken.example.jp/"q"\'
same_text "$WORK/out" 'cert.issuer = https://shiken.example.jp/"q"\'
[[ $(count "SELECT json_extract(detail, '\$.\"cert.issuer\"[1]') FROM audit WHERE entity = 'config' ORDER BY seq DESC LIMIT 1") == \
	'https://shiken.example.jp/"q"\' ]] || fail "config set cert.issuer is not audited as JSON"
run 0 config set cert.issuer "$ISS"
run 0 config get cert.issuer
same_text "$WORK/out" "$ISS"
snapshot issuer
run 2 config set cert.issuer "has space"
same_text "$WORK/err" "shiken: cert.issuer takes a URL or name of 1-200 printable characters without spaces"
run 2 config set cert.issuer "$(printf 'x%.0s' {1..201})"
same_text "$WORK/err" "shiken: cert.issuer takes a URL or name of 1-200 printable characters without spaces"
unchanged_since issuer
N1=2026-000001-5
N2=2026-000002-8
T1=$(mint $N1 "$E1")
T2=$(mint $N2 "$E2")
run 0 verify "$T1"
same_text "$WORK/out" "VALID: The certificate is genuine and valid.
  certificate: $N1
  name: TRAN VAN AN
  date of birth: 1995-04-01
  test: MM1 機械金属加工 / Machining and Metalworking, level 1
  sitting date: 2026-12-13
  issued: 2026-12-14T09:00:00Z
  issuer: $ISS
  key: $K2"
[[ ! -s "$WORK/err" ]] || fail "verify wrote to stderr"
# As the QR code holds it, with a query string, and from standard input.
run 0 verify "https://verify.example.jp/c/$T1?lang=ja#top"
contains "$WORK/out" "certificate: $N1"
# Pasted with the line break and spaces around it.
run 0 verify " $T1
"
contains "$WORK/out" "certificate: $N1"
"$SHIKEN" --db "$DB" verify - <<<"$T1" >"$WORK/out" || fail "verify - from standard input"
contains "$WORK/out" "VALID:"
# The retired key still verifies what it signed.
run 0 verify "$OLD"
contains "$WORK/out" "key: $K1"
run 0 verify "$T1" --json
[[ $(json "$WORK/out" '$.valid') == 1 && $(json "$WORK/out" '$.reason') == valid && $(json "$WORK/out" '$.kid') == "$K2" ]] ||
	fail "verify --json"
[[ $(json "$WORK/out" '$.claims.cert') == "$N1" && $(json "$WORK/out" '$.claims.test.level') == 1 ]] || fail "verify --json claims"

# Not valid: exit 3 with the reason as a code and a sentence.
run 3 verify "$(flip "$T1" 200)"
same_text "$WORK/out" "NOT VALID (bad_signature): The signature does not match: the certificate was altered or forged.
  detail: the Ed25519 signature does not verify
  key: $K2"
run 3 verify "not-a-token"
same_text "$WORK/out" "NOT VALID (malformed): This is not a certificate code: it is damaged or incomplete.
  detail: the token does not have three parts"
run 3 verify "${T1%.*}"
contains "$WORK/out" "NOT VALID (malformed)"
run 3 verify "$T1.x"
contains "$WORK/out" "detail: the token has more than two dots"
run 3 verify "https://verify.example.jp/x/$T1"
contains "$WORK/out" "NOT VALID (malformed)"
run 3 verify "$T1" --issuer https://other.example.org
contains "$WORK/out" "NOT VALID (wrong_issuer): The certificate was not issued by the expected issuer."
contains "$WORK/out" "issuer: $ISS"
run 3 verify "$(flip "$T1" 0)" --json
[[ $(json "$WORK/out" '$.valid') == 0 && $(json "$WORK/out" '$.reason') == malformed ]] || fail "verify --json not valid"
[[ -z $(json "$WORK/out" '$.claims') ]] || fail "claims of a token that did not verify"
# A token from another registry: an unknown key.
"$SHIKEN" --db "$WORK/other.db" init >/dev/null
"$SHIKEN" --db "$WORK/other.db" keys generate >/dev/null
FOREIGN=$(claims $N1 | "$MINT_CERT" "$WORK/other.db" "$WORK/other.db.key")
run 3 verify "$FOREIGN"
contains "$WORK/out" "NOT VALID (unknown_key): The certificate was signed with a key this verifier does not know."
# Usage: exit 2.
run 2 verify
same_text <(head -1 "$WORK/err") "shiken: give a token, a URL, or '-' to read one"
run 2 verify "$T1" "$T2"
same_text <(head -1 "$WORK/err") "shiken: unexpected argument '$T2'"
run 2 verify "$T1" --frobnicate
same_text <(head -1 "$WORK/err") "shiken: unknown option '--frobnicate'"
run 2 verify "$T1" --jwks
same_text <(head -1 "$WORK/err") "shiken: option '--jwks' needs a value"

# ---- verify offline: only the published keys ----
cd "$WORK"
"$SHIKEN" --db "$WORK/none.db" verify "$T1" --jwks "$WORK/jwks.json" >"$WORK/out" || fail "offline verify"
contains "$WORK/out" "VALID: The certificate is genuine and valid."
[[ ! -e "$WORK/none.db" ]] || fail "offline verify opened a database"
"$SHIKEN" --db "$WORK/none.db" verify "$OLD" --jwks "$WORK/jwks.json" >/dev/null || fail "offline: the retired key"
code=0
"$SHIKEN" --db "$WORK/none.db" verify "$FOREIGN" --jwks "$WORK/jwks.json" >"$WORK/out" || code=$?
[[ $code == 3 ]] || fail "offline verify of an unknown key exited $code"
# Only the new key published: the old certificate cannot be checked.
sqlite3 :memory: "SELECT json_object('keys', json_array(json_extract(CAST(readfile('$WORK/jwks.json') AS TEXT), '\$.keys[1]')))" >"$WORK/new-only.json"
code=0
"$SHIKEN" verify "$OLD" --jwks "$WORK/new-only.json" >"$WORK/out" || code=$?
[[ $code == 3 ]] || fail "verify with only the new key exited $code"
contains "$WORK/out" "NOT VALID (unknown_key)"
# Errors: exit 1.
run 1 verify "$T1" --jwks "$WORK/nope.json"
same_text "$WORK/err" "shiken: cannot read key set '$WORK/nope.json': No such file or directory"
printf 'not json' >"$WORK/bad.json"
run 1 verify "$T1" --jwks "$WORK/bad.json"
same_text "$WORK/err" "shiken: $WORK/bad.json: not a JWK Set: expected a JSON object with a \"keys\" array"
printf '{"keys":[]}' >"$WORK/empty.json"
run 1 verify "$T1" --jwks "$WORK/empty.json"
same_text "$WORK/err" "shiken: $WORK/empty.json: no Ed25519 signing keys in this key set"

# ---- revoke ----
run 0 cert list
same_text "$WORK/out" "NUMBER         EXAM NUMBER   NAME            TEST  ISSUED                STATUS  REVOKED
$N1  $E1  TRAN VAN AN     MM1   2026-12-14T09:00:00Z  valid   
$N2  $E2  NGUYEN THI HOA  MM1   2026-12-14T09:00:00Z  valid   "
snapshot revoke
run 1 cert revoke 2026-000001-4 --reason "typo"
same_text "$WORK/err" "shiken: '2026-000001-4' has a wrong check digit (mistyped?)"
run 1 cert revoke 26-1 --reason "typo"
same_text "$WORK/err" "shiken: '26-1' is not a certificate number (like 2026-000001-5)"
run 1 cert revoke 2026-000003-1 --reason "none such"
same_text "$WORK/err" "shiken: no certificate '2026-000003-1'"
run 1 cert revoke $N1 --reason ""
same_text "$WORK/err" "shiken: a reason is needed: 1 to 500 characters on one line"
run 2 cert revoke $N1
same_text <(head -1 "$WORK/err") "shiken: give the reason: --reason TEXT"
run 2 cert revoke --reason "x"
same_text <(head -1 "$WORK/err") "shiken: give a certificate number"
unchanged_since revoke
damm_ok 2026-000001-5 && damm_ok 2026-000002-8 && damm_ok 2026-000003-1 && damm_ok 2026-000009-0 ||
	fail "the numbers used here do not pass the Damm check"

run 0 cert revoke "2026 000001 5" --reason "obtained by impersonation (report 2026-11-20)"
same_text "$WORK/out" "certificate $N1 revoked
offline verifiers learn of it from a new revocation list: shiken cert revocations --out FILE"
[[ $(count "SELECT status || ' ' || revoked_at || ' ' || reason FROM certificate WHERE number = '$N1'") == \
	"revoked 2026-11-22T09:00:00Z obtained by impersonation (report 2026-11-20)" ]] || fail "the revocation is not recorded"
[[ $(count "SELECT detail FROM audit WHERE entity = 'certificate' AND entity_key = '$N1' AND action = 'revoke'") == \
	'{"reason":"obtained by impersonation (report 2026-11-20)"}' ]] || fail "the revocation is not audited"
run 1 cert revoke $N1 --reason "again"
same_text "$WORK/err" "shiken: certificate '$N1' is already revoked"
consistent
run 0 cert list --status revoked --json
[[ $(json "$WORK/out" '$[0].number') == "$N1" && -z $(json "$WORK/out" '$[1]') ]] || fail "cert list --status revoked"
[[ $(json "$WORK/out" '$[0].revoked_at') == 2026-11-22T09:00:00Z ]] || fail "cert list --json revoked_at"
run 0 cert list --status valid --json
[[ $(json "$WORK/out" '$[0].number') == "$N2" && -z $(json "$WORK/out" '$[1]') ]] || fail "cert list --status valid"
run 2 cert list --status lost
same_text <(head -1 "$WORK/err") "shiken: 'lost' is not a status: valid or revoked"

# The registry's verifier knows at once.
run 3 verify "$T1"
same_text <(head -2 "$WORK/out") "NOT VALID (revoked): The certificate was genuine but has been revoked.
  detail: the registry records this certificate as revoked"
contains "$WORK/out" "revoked: 2026-11-22T09:00:00Z"
run 0 verify "$T2"
# An offline verifier with only the keys still has the old picture...
"$SHIKEN" verify "$T1" --jwks "$WORK/jwks.json" >/dev/null || fail "offline without a list cannot know"

# ---- the signed revocation list ----
run 0 cert revocations --out "$WORK/revoked.jws"
same_text "$WORK/out" "wrote $WORK/revoked.jws (signed revocation list; revoked certificates: 1)"
[[ $(stat -c %a "$WORK/revoked.jws") == 644 ]] || fail "the revocation list is public: mode 644"
lacks "$WORK/revoked.jws" "impersonation"
payload=$(cut -d. -f2 "$WORK/revoked.jws" | tr -- '-_' '+/')
while (( ${#payload} % 4 )); do payload+="="; done
[[ $(base64 -d <<<"$payload") == "{\"iss\":\"$ISS\",\"iat\":1795338000,\"revoked\":[{\"cert\":\"$N1\",\"at\":1795338000}]}" ]] ||
	fail "revocation list payload: $(base64 -d <<<"$payload")"
# ... until it has the list.
code=0
"$SHIKEN" verify "$T1" --jwks "$WORK/jwks.json" --revocations "$WORK/revoked.jws" >"$WORK/out" || code=$?
[[ $code == 3 ]] || fail "offline verify of a revoked certificate exited $code"
contains "$WORK/out" "NOT VALID (revoked)"
contains "$WORK/out" "revocation list as of: 2026-11-22T09:00:00Z"
"$SHIKEN" verify "$T2" --jwks "$WORK/jwks.json" --revocations "$WORK/revoked.jws" --issuer "$ISS" >"$WORK/out" ||
	fail "a certificate not on the list is valid"
run 0 cert revocations
same_text "$WORK/out" "$(cat "$WORK/revoked.jws")"
# A list that was tampered with, or is not a list, or from someone else: exit 1.
flip "$(cat "$WORK/revoked.jws")" 100 >"$WORK/tampered.jws"
run 1 verify "$T2" --jwks "$WORK/jwks.json" --revocations "$WORK/tampered.jws"
same_text "$WORK/err" "shiken: $WORK/tampered.jws: the revocation list cannot be trusted: bad_signature: the Ed25519 signature does not verify"
printf '%s\n' "$T2" >"$WORK/notalist.jws"
run 1 verify "$T2" --jwks "$WORK/jwks.json" --revocations "$WORK/notalist.jws"
same_text "$WORK/err" "shiken: $WORK/notalist.jws: the revocation list cannot be trusted: malformed: the header's type (typ) is not the one expected"
run 1 verify "$T2" --jwks "$WORK/jwks.json" --revocations "$WORK/revoked.jws" --issuer https://other.example.org
same_text "$WORK/err" "shiken: $WORK/revoked.jws: the revocation list is from issuer '$ISS', not 'https://other.example.org'"
run 1 verify "$T2" --jwks "$WORK/jwks.json" --revocations "$WORK/none.jws"
same_text "$WORK/err" "shiken: cannot read revocation list '$WORK/none.jws': No such file or directory"
# Offline, the list's issuer is the one expected: a token signed with the
# same keys that names another issuer is not this issuer's certificate.
ALIEN=$(ISS=https://other.example.org mint $N2)
code=0
"$SHIKEN" verify "$ALIEN" --jwks "$WORK/jwks.json" --revocations "$WORK/revoked.jws" >"$WORK/out" || code=$?
[[ $code == 3 ]] || fail "offline verify of another issuer's certificate with a list exited $code"
contains "$WORK/out" "NOT VALID (wrong_issuer): The certificate was not issued by the expected issuer."
contains "$WORK/out" "issuer: https://other.example.org"
# With neither a list nor --issuer, offline has no issuer to compare with.
"$SHIKEN" verify "$ALIEN" --jwks "$WORK/jwks.json" >/dev/null || fail "offline verify without an expected issuer"
code=0
"$SHIKEN" verify "$ALIEN" --jwks "$WORK/jwks.json" --issuer "$ISS" >"$WORK/out" || code=$?
[[ $code == 3 ]] || fail "offline verify --issuer of another issuer's certificate exited $code"
contains "$WORK/out" "NOT VALID (wrong_issuer)"
# No --jwks and no database: say how to verify offline.
code=0
"$SHIKEN" --db "$WORK/none.db" verify "$T1" >"$WORK/out" 2>"$WORK/err" || code=$?
[[ $code == 1 ]] || fail "verify without a database or --jwks exited $code"
same_text "$WORK/err" "shiken: no database at '$WORK/none.db': give --jwks FILE to check with the published keys"
[[ ! -e "$WORK/none.db" ]] || fail "verify created a database"

# ---- the key file stays private: the registry's verifier refuses it too ----
chmod 644 "$KEY"
run 1 verify "$T2"
same_text "$WORK/err" "shiken: key file '$KEY' can be read by others (mode 0644); run: chmod 600 '$KEY'"
chmod 600 "$KEY"
consistent
echo ok
