#!/usr/bin/env bash
# The README's walk-through, from an account to a sent invoice, against a service started with
# `dotnet run --project src/Api` (Development: test mode and the Stripe sandbox are on). Each step prints
# the API's answer; the last prints the sent invoice's number, total and page in the Stripe sandbox.
#
#   scripts/walkthrough.sh                                  against http://localhost:5080
#   API=http://127.0.0.1:5099 OPERATOR_KEY=… scripts/walkthrough.sh
#
# It runs on the test clock: the tenant signs up on the 1st of MONTH (default 2026-10), MONTH's statement
# arrives on the 1st of the month after, and the invoice goes out on that month's billing day, the 20th.
# A profile bills from the month it is created, so the clock is set back before the profile is made.
# The clock stays where the walk-through leaves it (POST /v1/test-clock moves it again).
#
# Needs bash and curl; jq, when installed, pretty-prints the answers (without it, one JSON document per
# line). Stops with the answer and a non-zero exit when a step does not get the status it expects.
set -euo pipefail

API="${API:-http://localhost:5080}"
OPERATOR_KEY="${OPERATOR_KEY:-dev-operator-key-change-me}"
ACCOUNT="${ACCOUNT:-acme-voip}"
TENANT="${TENANT:-bobs-bakery}"
MONTH="${MONTH:-2026-10}"
SENT_TIMEOUT_SECONDS="${SENT_TIMEOUT_SECONDS:-120}"

[[ "$MONTH" =~ ^[0-9]{4}-(0[1-9]|1[0-2])$ ]] || { echo "walkthrough: MONTH is yyyy-MM, not '$MONTH'" >&2; exit 2; }
year="${MONTH%-*}"
month=$((10#${MONTH#*-}))
if ((month == 12)); then NEXT="$((year + 1))-01"; else NEXT="$(printf '%s-%02d' "$year" $((month + 1)))"; fi

OP="$OPERATOR_KEY"
ACCOUNT_URL="/v1/accounts/$ACCOUNT"
TENANT_URL="$ACCOUNT_URL/tenants/$TENANT"
ANSWER=""
STATUS=""

step() { printf '\n## %s\n' "$*"; }

# Prints a JSON answer: pretty with jq when it is installed, else as it came, one document per line.
show() {
    [[ -n "$1" ]] || return 0
    if command -v jq >/dev/null 2>&1; then
        printf '%s\n' "$1" | jq . 2>/dev/null || printf '%s\n' "$1"
    else
        printf '%s\n' "$1"
    fi
}

# call EXPECTED_STATUS METHOD PATH KEY [JSON_BODY]: sends one request, prints the answer, keeps it in
# $ANSWER and its status in $STATUS; fails (and so, under set -e, stops the walk-through) on another status.
call() {
    local expected="$1" method="$2" path="$3" key="$4" body="${5:-}" output
    local args=(-sS -X "$method" "$API$path" -H "Authorization: Bearer $key" -w $'\n%{http_code}')
    if [[ -n "$body" ]]; then
        args+=(-H "Content-Type: application/json" --data-binary "$body")
    fi

    if ! output="$(curl "${args[@]}")"; then
        echo "walkthrough: $API does not answer; start the service first: dotnet run --project src/Api" >&2
        exit 1
    fi

    STATUS="${output##*$'\n'}"
    ANSWER="${output%$'\n'*}"
    show "$ANSWER"
    if [[ "$STATUS" != "$expected" ]]; then
        echo "walkthrough: $method $path answered $STATUS, expected $expected" >&2
        return 1
    fi
}

# The first string or number field NAME in $ANSWER (compact JSON, as the API writes it).
string_field() { { printf '%s' "$ANSWER" | grep -o "\"$1\":\"[^\"]*\"" || true; } | head -n 1 | sed -E 's/^"[^"]*":"(.*)"$/\1/'; }
number_field() { { printf '%s' "$ANSWER" | grep -oE "\"$1\":-?[0-9.]+" || true; } | head -n 1 | sed -E 's/^"[^"]*"://'; }

clock() {
    call 200 POST /v1/test-clock "$OP" "{\"now\": \"$1\"}"
}

step "0. The test clock to 1 $MONTH: the tenant signs up this month"
clock "$MONTH-01T12:00:00Z"

step "1. An account (a reseller), made by the operator"
if ! call 201 POST /v1/accounts "$OP" "{\"accountId\": \"$ACCOUNT\", \"name\": \"Acme VoIP\"}"; then
    [[ "$STATUS" != 409 ]] || echo "walkthrough: $ACCOUNT exists: this service has run the walk-through already (the embedded service keeps everything until it stops); restart it, or set ACCOUNT=another-id" >&2
    exit 1
fi

step "2. An API key for the account: shown once, only its hash is stored"
call 201 POST "$ACCOUNT_URL/api-keys" "$OP"
KEY="$(string_field key)"

step "3. The account connects its Stripe: here the sandbox, with any test key (sandbox: true)"
call 200 PUT "$ACCOUNT_URL/stripe-connection" "$KEY" "{\"secretKey\": \"sk_test_sandbox$(printf '%s' "$ACCOUNT" | tr -cd 'A-Za-z0-9')\"}"
if [[ "$ANSWER" != *'"sandbox":true'* ]]; then
    echo "walkthrough: this service's Stripe is not the sandbox (see docs/stripe-sandbox.md); the walk-through sends its invoice only there" >&2
    exit 1
fi

step "4. A tenant (the account's customer); phones become E.164"
call 201 PUT "$TENANT_URL" "$KEY" '{
  "name": "Bob'\''s Bakery", "phone": "512 555 0100", "billingEmail": "ap@bobs-bakery.example",
  "contactName": "Bob Baker", "contactPhone": "+15125550101",
  "address": {"line1": "100 Congress Ave", "city": "Austn", "state": "tx", "postalCode": "78701", "country": "US"}}'

step "5. Its address validated: the city standardised (Austn → Austin), the jurisdiction recorded"
call 200 POST "$TENANT_URL/address/validate" "$KEY"

step "6. A billing profile: it bills from this month ($MONTH), on the 20th of the month after"
call 200 PUT "$TENANT_URL/billing-profile" "$KEY" '{
  "autoCharge": false, "includeTaxes": true, "billingDay": 20,
  "prices": {"minutes_outbound": 0.012, "local_numbers": 1.50},
  "recurringItems": [{"description": "Hosted PBX seat", "quantity": 5, "unitPrice": 19.99, "taxCategory": "voip_seats"}]}'

step "7. The test clock to 1 $NEXT: $MONTH is over"
clock "$NEXT-01T09:00:00Z"

step "8. The carrier's statement for $MONTH (operator key): the invoice is scheduled for the billing day"
call 201 PUT "$TENANT_URL/statements/$MONTH" "$OP" '{
  "usageTotal": 41.20, "quantities": {"minutes_outbound": 1000, "minutes_inbound": 2500, "local_numbers": 2}}'

step "9. The invoice it will be: lines, taxes rated for the address, total"
call 200 GET "$TENANT_URL/invoices/$MONTH/preview" "$KEY"

step "10. The test clock to the billing day, 20 $NEXT: the invoice falls due"
clock "$NEXT-20T09:00:00Z"

step "11. The invoice goes through Stripe (the sandbox): created, lines added, finalized, sent"
deadline=$((SECONDS + SENT_TIMEOUT_SECONDS))
while :; do
    call 200 GET "$TENANT_URL/invoices" "$KEY" >/dev/null
    status="$(string_field status)"
    case "$status" in
        sent | paid) break ;;
        failed | payment_failed)
            show "$ANSWER"
            echo "walkthrough: the invoice $status" >&2
            exit 1
            ;;
    esac
    if ((SECONDS >= deadline)); then
        show "$ANSWER"
        echo "walkthrough: the invoice is still '$status' after ${SENT_TIMEOUT_SECONDS}s" >&2
        exit 1
    fi
    sleep 1
done
show "$ANSWER"

step "Sent"
printf 'number: %s\n' "$(string_field number)"
printf 'total:  %s USD\n' "$(number_field total)"
printf 'status: %s (sandbox)\n' "$status"
printf 'page:   %s\n' "$(string_field hostedInvoiceUrl)"
echo "Open the page in a browser: the invoice as the tenant sees it, served by the Stripe sandbox in the service."
