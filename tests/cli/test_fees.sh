# shiken fee import|list: payments, refunds and waivers, each with a unique
# receipt, in the sitting's currency; the fee status of a registration
# follows from them.
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/cli/registry.sh"

registry_db # 2026-12-HAN: serial 0001, 600,000 VND
sk venue add --code MNL1 --name "Manila Skills Centre" --country PH --city Manila \
	--address "88 Ayala Ave" --room R1:5x8 >/dev/null
sk venue add --code TYO1 --name "Tokyo Test Centre" --country JP --city Tokyo \
	--address "1-1 Marunouchi" --room A:4x4 >/dev/null
sk sitting create --code 2026-12-MNL --date 2026-12-20 --time 10:00 --venue MNL1 --test MM1 \
	--fee 1,500.00 --currency PHP >/dev/null # serial 0002
sk sitting create --code 2027-01-TYO --date 2027-01-10 --time 10:00 --venue TYO1 --test MM1 \
	--fee 12000 --currency JPY >/dev/null # serial 0003
sk sitting create --code 2026-12-FREE --date 2026-12-13 --time 14:00 --venue HAN1 --test MM2 \
	--fee 0 --currency VND >/dev/null # serial 0004
for r in T-VN01 T-VN02 T-VN03 T-VN04 T-VN05 T-VN06; do
	sk register add --candidate "$r" --sitting 2026-12-HAN --test MM1 >/dev/null
done
sk register add --candidate T-PH01 --sitting 2026-12-MNL --test MM1 >/dev/null
sk register add --candidate T-PH02 --sitting 2026-12-MNL --test MM1 >/dev/null
sk register add --candidate T-VN01 --sitting 2027-01-TYO --test MM1 >/dev/null
VN1=$(examno 1 1) VN2=$(examno 1 2) VN3=$(examno 1 3) VN4=$(examno 1 4) VN5=$(examno 1 5) VN6=$(examno 1 6)
PH1=$(examno 2 1) PH2=$(examno 2 2) TY1=$(examno 3 1)
status() { sk register show "$1" --json >"$WORK/show" && json "$WORK/show" '$.fee_status'; }
H=exam_number,amount,currency,paid_at,method,receipt,kind

# A sitting without a fee: registrations are waived from the start.
run 0 register add --candidate T-17 --sitting 2026-12-FREE --test MM2
[[ $(status "$(examno 4 1)") == waived ]] || fail "a free sitting's registration is not waived"

# ---- statuses ----
cat >pay.csv <<EOF
$H
$VN1,"600,000",VND,2026-11-20,bank_transfer,VCB-0001,payment
$VN2,300000,vnd,2026-11-20 10:15,cash,HAN-0002,
$VN3,200000,VND,2026-11-18,cash,HAN-0003a,payment
$VN3,400000,VND,2026-11-19,cash,HAN-0003b,payment
$VN4,,VND,2026-11-20,other,WAIVE-0004,waiver
$VN5,600000,VND,2026-11-10,card,HAN-0005,payment
$PH1,"1,500.00",PHP,2026-11-21,online,GC-7781,payment
$PH2,750.5,PHP,2026-11-21,convenience_store,7E-1,payment
$TY1,"12,000",JPY,2026-11-22,card,JP-1,payment
EOF
run 0 fee import pay.csv
same_text "$WORK/out" "pay.csv: 9 rows; fee records: 9 added, 0 updated, 0 unchanged"
[[ $(status "$VN1") == paid ]] || fail "full payment: paid"
[[ $(status "$VN2") == unpaid ]] || fail "partial payment: unpaid"
[[ $(status "$VN3") == paid ]] || fail "two partials reaching the fee: paid"
[[ $(status "$VN4") == waived ]] || fail "waiver: waived"
[[ $(status "$VN5") == paid ]] || fail "VN5 paid"
[[ $(status "$VN6") == unpaid ]] || fail "no payment: unpaid"
[[ $(status "$PH1") == paid ]] || fail "PHP with centavos: paid"
[[ $(status "$PH2") == unpaid ]] || fail "half the PHP fee: unpaid"
[[ $(status "$TY1") == paid ]] || fail "JPY with a comma: paid"
[[ $(count "SELECT amount FROM payment WHERE receipt = '7E-1'") == 75050 ]] || fail "750.5 PHP is 75050 centavos"
[[ $(count "SELECT amount FROM payment WHERE receipt = 'JP-1'") == 12000 ]] || fail "JPY has no minor unit"
[[ $(count "SELECT paid_at FROM payment WHERE receipt = 'HAN-0002'") == 2026-11-20T10:15:00 ]] || fail "paid_at"
# Every record and every status change is audited.
[[ $(count "SELECT detail FROM audit WHERE entity = 'payment' AND entity_key = 'VCB-0001'") == \
	"{\"exam_number\":\"$VN1\",\"kind\":\"payment\",\"amount\":\"600,000 VND\",\"paid_at\":\"2026-11-20\",\"method\":\"bank_transfer\"}" ]] ||
	fail "the payment is not audited"
[[ $(count "SELECT detail FROM audit WHERE entity = 'registration' AND entity_key = '$VN3' AND action = 'fee'") == \
	'{"fee_status":["unpaid","paid"]}' ]] || fail "the status change is not audited once"
consistent

# A second partial payment in another file completes the fee; a refund
# brings it below.
cat >more.csv <<EOF
$H
$VN2,300000,VND,2026-11-21,cash,HAN-0002b,payment
$VN5,600000,VND,2026-11-21,card,HAN-0005-R,refund
EOF
run 0 fee import more.csv
[[ $(status "$VN2") == paid ]] || fail "two partials in two files: paid"
[[ $(status "$VN5") == refunded ]] || fail "refund: refunded"

# ---- register list --unpaid: exactly the unpaid and the refunded ----
run 0 register list --unpaid --csv
same_text <(tail -n +2 "$WORK/out" | cut -d, -f1,13 | sort) "$VN5,refunded
$VN6,unpaid
$PH2,unpaid"
run 0 register list --unpaid --sitting 2026-12-MNL --csv
same_text <(tail -n +2 "$WORK/out" | cut -d, -f1) "$PH2"

# ---- refusals, each leaving everything as it was ----
one() { printf '%s\n%s\n' "$H" "$1" >one.csv; }
one "$VN6,100000,VND,2026-11-20,cash,HAN-0006,"
run 0 fee import one.csv
one "$VN6,200000,VND,2026-11-21,cash,HAN-0006-R,refund"
refused 1 "one.csv:2: amount: refund of 200,000 is more than the 100,000 paid
shiken: one.csv: rows with errors: 1 of 1; nothing was changed" fee import one.csv
one "$VN6,20,USD,2026-11-21,cash,HAN-0006c,"
refused 1 "one.csv:2: currency: 'USD' differs from the sitting's fee currency VND
shiken: one.csv: rows with errors: 1 of 1; nothing was changed" fee import one.csv
one "$PH2,750.50,VND,2026-11-21,cash,HAN-0006c,"
refused 1 "one.csv:2: amount: '750.50' is not an amount in VND
one.csv:2: currency: 'VND' differs from the sitting's fee currency PHP
shiken: one.csv: rows with errors: 1 of 1; nothing was changed" fee import one.csv
# The same receipt: identical changes nothing, different is refused.
snapshot same
cp pay.csv again.csv
run 0 fee import again.csv
same_text "$WORK/out" "again.csv: 9 rows; fee records: 0 added, 0 updated, 9 unchanged"
unchanged_since same
one "$VN1,\"600,001\",VND,2026-11-20,bank_transfer,VCB-0001,payment"
refused 1 "one.csv:2: receipt: receipt 'VCB-0001' is already recorded with different details
shiken: one.csv: rows with errors: 1 of 1; nothing was changed" fee import one.csv
one "$VN2,600000,VND,2026-11-20,bank_transfer,VCB-0001,payment"
refused 1 "one.csv:2: receipt: receipt 'VCB-0001' is already recorded with different details
shiken: one.csv: rows with errors: 1 of 1; nothing was changed" fee import one.csv
# Unknown and mistyped exam numbers.
one "0001-00042-6,1,VND,2026-11-20,cash,X-1,"
refused 1 "one.csv:2: exam_number: no registration with exam number 0001-00042-6
shiken: one.csv: rows with errors: 1 of 1; nothing was changed" fee import one.csv
typo=${VN1:0:11}$(( (${VN1:11:1} + 1) % 10 ))
one "$typo,1,VND,2026-11-20,cash,X-1,"
refused 1 "one.csv:2: exam_number: '$typo' has a wrong check digit (mistyped?)
shiken: one.csv: rows with errors: 1 of 1; nothing was changed" fee import one.csv
one "12345,1,VND,2026-11-20,cash,X-1,"
refused 1 "one.csv:2: exam_number: '12345' is not an exam number (like 0001-00042-6)
shiken: one.csv: rows with errors: 1 of 1; nothing was changed" fee import one.csv
# In the future (the clock says 2026-11-22).
one "$VN6,1,VND,2026-11-23,cash,X-1,"
refused 1 "one.csv:2: paid_at: '2026-11-23' is in the future
shiken: one.csv: rows with errors: 1 of 1; nothing was changed" fee import one.csv
# Amounts per currency: JPY has no decimals, PHP two.
one "$TY1,12000.00,JPY,2026-11-20,cash,X-1,"
refused 1 "one.csv:2: amount: '12000.00' is not an amount in JPY
shiken: one.csv: rows with errors: 1 of 1; nothing was changed" fee import one.csv
one "$PH2,750.505,PHP,2026-11-20,cash,X-1,"
refused 1 "one.csv:2: amount: '750.505' is not an amount in PHP
shiken: one.csv: rows with errors: 1 of 1; nothing was changed" fee import one.csv
one "$PH2,0,PHP,2026-11-20,cash,X-1,"
refused 1 "one.csv:2: amount: a payment of zero records nothing
shiken: one.csv: rows with errors: 1 of 1; nothing was changed" fee import one.csv
# Everything else a row can get wrong, all reported at once.
cat >bad.csv <<EOF
$H
$VN6,-5,VND,2026-11-20,cash,X-1,
$VN6,5,VND,2026-13-01,cash,X-2,
$VN6,5,VND,2026-11-20,bitcoin,X-3,
$VN6,5,VND,2026-11-20,cash,X 4,
$VN6,5,VND,2026-11-20,cash,X-5,gift
$VN6,5,DONG,2026-11-20,cash,X-6,
,5,VND,2026-11-20,cash,X-7,
EOF
refused 1 "bad.csv:2: amount: '-5' is not an amount in VND
bad.csv:3: paid_at: '2026-13-01' is not a date or date and time (YYYY-MM-DD HH:MM)
bad.csv:4: method: 'bitcoin' is not one of cash, bank_transfer, card, online, convenience_store, voucher, other
bad.csv:5: receipt: 'X 4' is not a receipt number (1-40 letters, digits, '-', '_', '.', '/', '#')
bad.csv:6: kind: 'gift' is not payment, refund or waiver
bad.csv:7: currency: 'DONG' is not an ISO 4217 currency code
bad.csv:8: exam_number: give an exam number or a reference
shiken: bad.csv: rows with errors: 7 of 7; nothing was changed" fee import bad.csv

# ---- by candidate reference ----
R=reference,sitting,amount,currency,paid_at,method,receipt
printf '%s\n%s\n' "$R" "T-VN01,,1,VND,2026-11-20,cash,REF-1" >ref.csv
refused 1 "ref.csv:2: reference: candidate 'T-VN01' has several registrations; give the exam_number or the sitting
shiken: ref.csv: rows with errors: 1 of 1; nothing was changed" fee import ref.csv
printf '%s\n%s\n' "$R" "T-NONE,,1,VND,2026-11-20,cash,REF-1" >ref.csv
refused 1 "ref.csv:2: reference: candidate 'T-NONE' has no registration
shiken: ref.csv: rows with errors: 1 of 1; nothing was changed" fee import ref.csv
printf '%s\n%s\n' "$R" "T-VN06,2026-12-MNL,1,PHP,2026-11-20,cash,REF-1" >ref.csv
refused 1 "ref.csv:2: reference: candidate 'T-VN06' has no registration in sitting '2026-12-MNL'
shiken: ref.csv: rows with errors: 1 of 1; nothing was changed" fee import ref.csv
printf '%s\n%s\n' "$R" "T-VN01,2027-01-TYO,500,JPY,2026-11-20,cash,REF-1" >ref.csv
run 0 fee import ref.csv
[[ $(count "SELECT r.exam_number FROM payment p JOIN registration r ON r.id = p.registration_id
	WHERE p.receipt = 'REF-1'") == "$TY1" ]] || fail "the sitting did not pick the registration"
printf '%s\n%s\n' "$R" "T-VN06,,500000,VND,2026-11-21,cash,REF-2" >ref.csv
run 0 fee import ref.csv
[[ $(status "$VN6") == paid ]] || fail "paid by reference"
printf 'exam_number,amount\n%s,1\n' "$VN6" >cols.csv
snapshot same
run 1 fee import cols.csv
contains "$WORK/err" "cols.csv:1: "
unchanged_since same

# ---- the sitting's fee changes under its registrations ----
F=(sitting create --code 2026-12-HAN --date 2026-12-13 --time 09:30 --venue HAN1 --test MM1 --test EE1 --test MM2)
# Raised: who paid the old fee owes the difference.
run 0 "${F[@]}" --fee 700000 --currency VND
[[ $(status "$VN1") == unpaid ]] || fail "a raised fee leaves VN1 'paid'"
[[ $(status "$VN4") == waived ]] || fail "a waiver stays a waiver"
[[ $(count "SELECT detail FROM audit WHERE entity = 'registration' AND entity_key = '$VN1' ORDER BY seq DESC LIMIT 1") == \
	'{"fee_status":["paid","unpaid"]}' ]] || fail "the status change is not audited"
# Lowered back, and to nothing.
run 0 "${F[@]}" --fee 600000 --currency VND
[[ $(status "$VN1") == paid ]] || fail "the fee lowered back: paid again"
run 0 "${F[@]}" --fee 0 --currency VND
[[ $(status "$VN6") == waived ]] || fail "a free sitting waives everyone"
run 0 "${F[@]}" --fee 600000 --currency VND
[[ $(status "$VN6") == paid ]] || fail "VN6 paid"
# The currency cannot change once money is recorded in it.
refused 1 "currency: sitting '2026-12-HAN' has fee records in VND; its currency cannot change" \
	"${F[@]}" --fee 30 --currency USD
consistent

# ---- fee list ----
run 0 fee list --exam-number "$VN3" --json
[[ $(json "$WORK/out" '$[0].receipt') == HAN-0003a && $(json "$WORK/out" '$[1].receipt') == HAN-0003b ]] ||
	fail "fee list --exam-number, oldest first"
[[ $(json "$WORK/out" '$[1].amount') == 400,000 && $(json "$WORK/out" '$[2]') == "" ]] || fail "fee list --json"
run 0 fee list --sitting 2026-12-MNL --csv
same_text "$WORK/out" "exam_number,reference,kind,amount,currency,paid_at,method,receipt,recorded_at
$PH1,T-PH01,payment,\"1,500.00\",PHP,2026-11-21,online,GC-7781,2026-11-22T09:00:00Z
$PH2,T-PH02,payment,750.50,PHP,2026-11-21,convenience_store,7E-1,2026-11-22T09:00:00Z"
run 0 fee list --sitting 2026-12-MNL
same_text "$WORK/out" "receipt  exam number   reference  kind     amount        paid at     method
GC-7781  $PH1  T-PH01     payment  1,500.00 PHP  2026-11-21  online
7E-1     $PH2  T-PH02     payment  750.50 PHP    2026-11-21  convenience_store"
run 0 fee list --sitting 2026-12-MNL --out "$WORK/fees.csv"
[[ $(stat -c %a "$WORK/fees.csv") == 600 ]] || fail "fee list --out is readable by others"
run 1 fee list --exam-number "$typo"
same_text "$WORK/err" "shiken: listing fees: '$typo' has a wrong check digit (mistyped?)"
run 1 fee list --exam-number 12345
same_text "$WORK/err" "shiken: listing fees: '12345' is not an exam number (like 0001-00042-6)"
run 0 fee list --exam-number "${VN3//-/}" --csv
[[ $(($(wc -l <"$WORK/out") - 1)) == 2 ]] || fail "fee list --exam-number without hyphens"
refused_usage "shiken: unknown option '--paid'" fee list --paid
echo ok
