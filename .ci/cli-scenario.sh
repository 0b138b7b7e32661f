#!/usr/bin/env bash
# The CLI scenario: drives a built formation binary through a stack's life
# and asserts every exit status and the -json output. Needs only bash, the
# binary and standard tools (no jq: -json output is matched with grep).
#
# Usage: .ci/cli-scenario.sh PATH-TO-FORMATION-BINARY
set -euo pipefail

bin=${1:?usage: $0 PATH-TO-FORMATION-BINARY}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
testdata=$(cd "$(dirname "$0")/../cmd/formation/testdata" && pwd)
tmp=$(mktemp -d)
bg=
cleanup() {
	if [ -n "$bg" ]; then kill "$bg" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT
db=$tmp/formation.db
out=$tmp/out
err=$tmp/err

fail() {
	echo "cli-scenario: FAIL: $*" >&2
	echo "--- stdout:" >&2
	cat "$out" >&2
	echo "--- stderr:" >&2
	cat "$err" >&2
	exit 1
}

# expect STATUS ARGS…: run formation on the scenario's database, keep its
# stdout and stderr, and check its exit status.
expect() {
	local want=$1 got=0
	shift
	last="formation $*"
	"$bin" -db "$db" "$@" >"$out" 2>"$err" || got=$?
	[ "$got" -eq "$want" ] || fail "$last: exit $got, want $want"
}

# has FILE TEXT: the last command's stdout or stderr holds TEXT.
has() {
	grep -qF -- "$2" "$1" || fail "$last: $(basename "$1") does not hold: $2"
}

# refused CODE: the last command printed nothing and exactly one line on
# stderr, starting with the RFS code CODE.
refused() {
	[ ! -s "$out" ] || fail "$last: printed on stdout"
	[ "$(wc -l <"$err")" -eq 1 ] || fail "$last: stderr is not one line"
	has "$err" "$1: "
}

# ndjson: the last command's stdout is NDJSON ending with the result.
ndjson() {
	if grep -qv '^{.*}$' "$out"; then fail "$last: stdout is not NDJSON"; fi
	tail -n 1 "$out" | grep -q '^{"result":{' || fail "$last: the stream does not end with the result"
}

network=(-t "$testdata/network" -var prefix=ci)

echo "cli-scenario: create a stack with auto-rollback"
expect 0 -json stack create web -auto-rollback
has "$out" '"stack_id": "'

echo "cli-scenario: deploy with an injected fault: the deployment fails and rolls back"
expect 1 -json deploy web "${network[@]}" -sim-fail 'huaweicloud_vpc_subnet.subnet[1]:create'
ndjson
has "$out" '"event_type":"CREATION_FAILED"'
has "$out" '"event_type":"DELETION_COMPLETE"'
tail -n 1 "$out" | grep -qF '"status":"ROLLBACK_COMPLETE"' || fail "$last: the result is not ROLLBACK_COMPLETE"
expect 0 -json stack show web
has "$out" '"status": "ROLLBACK_COMPLETE"'

echo "cli-scenario: the ERROR events show the injected failure"
expect 0 -json events web -filter event_type==ERROR
has "$out" '"event_message": "huaweicloud_vpc_subnet.subnet[1]: simulated create failure of huaweicloud_vpc_subnet.subnet[1] (attempt 1)"'
if grep '"event_type"' "$out" | grep -qv '"ERROR"'; then fail "$last: an event that is not an ERROR"; fi
[ "$(grep -c '"event_type"' "$out")" -eq 1 ] || fail "$last: want exactly one ERROR event"

echo "cli-scenario: the failed deployment drawn as a Gantt chart"
expect 0 timeline web -o "$tmp/timeline.svg"
has "$out" "Wrote $tmp/timeline.svg: 5 resource operations"
grep -q '^<svg xmlns="http://www.w3.org/2000/svg"' "$tmp/timeline.svg" || fail "$last: not an SVG"
grep -q '>rollback</text>' "$tmp/timeline.svg" || fail "$last: no rollback shade"
[ "$(grep -c '<title>' "$tmp/timeline.svg")" -eq 5 ] || fail "$last: want 5 bars"
expect 0 graph -plan -format dot -rankdir LR "${network[@]}"
has "$out" 'rankdir = "LR"'
has "$out" 'fillcolor = "#dafbe1"'

echo "cli-scenario: plan create and plan apply of the template without the fault"
expect 0 -json plan create web p1 "${network[@]}" -description 'without the fault'
has "$out" '"status": "AVAILABLE"'
has "$out" '"resource_add": 3'
has "$out" '"action": "ADD"'
expect 0 -json plan apply web p1
ndjson
tail -n 1 "$out" | grep -qF '"status":"DEPLOYMENT_COMPLETE"' || fail "$last: the result is not DEPLOYMENT_COMPLETE"
expect 0 -json plan show web p1
has "$out" '"status": "APPLIED"'
expect 2 plan apply web p1
refused RF.10012530

echo "cli-scenario: the simulated world holds what the stack recorded"
expect 0 -json resources web
ids=$(grep -o '"physical_resource_id": "[^"]*"' "$out" | cut -d'"' -f4)
[ "$(echo "$ids" | wc -l)" -eq 3 ] || fail "$last: want 3 resources"
expect 0 sim list
for id in $ids; do has "$out" "$id"; done
has "$out" 'huaweicloud_vpc_subnet.subnet[1]'
[ "$(wc -l <"$out")" -eq 4 ] || fail "$last: want a header and 3 resources"
expect 0 -json outputs web
has "$out" '"name": "vpc_id"'

# snapshot prints everything the database holds that the CLI shows.
snapshot() {
	"$bin" -db "$db" -json stack list
	"$bin" -db "$db" -json stack show web
	"$bin" -db "$db" -json events web
	"$bin" -db "$db" -json resources web
	"$bin" -db "$db" -json outputs web
	"$bin" -db "$db" -json plan list web
	"$bin" -db "$db" -json sim list
}

echo "cli-scenario: bad input is refused with its code and changes nothing"
snapshot >"$tmp/before"
expect 2 stack create 9lives
refused RF.10011010
expect 2 events web -filter 'colour==red'
refused RF.10011070
expect 2 events web -filter 'event_type=ERROR'
refused RF.10011070
expect 2 bogus
refused RF.10011020
expect 2 stack list -bogus
refused RF.10011020
expect 2 deploy web -t "$tmp/missing.tf"
refused RF.10011020
expect 2 deploy web -t "$testdata/broken.tf"
has "$err" 'on broken.tf line 3'
has "$err" '   3:   cidr = var.cidr'
tail -n 1 "$err" | grep -q '^RF.10011030: .*broken.tf:3,10-18' || fail "$last: no one-line summary"
expect 2 deploy nope "${network[@]}"
refused RF.10014001
snapshot >"$tmp/after"
cmp -s "$tmp/before" "$tmp/after" || fail "bad input changed the database: $(diff "$tmp/before" "$tmp/after" | head -5)"

echo "cli-scenario: preview and vars need no database"
nodb=$tmp/nodb.db
"$bin" -db "$nodb" preview "${network[@]}" >"$out" 2>"$err" || fail "preview: exit $?"
has "$out" 'Plan: 3 to add, 0 to change, 0 to destroy.'
"$bin" -db "$nodb" -json vars -t "$testdata/network" >"$out" 2>"$err" || fail "vars: exit $?"
has "$out" '"name": "prefix"'
[ ! -e "$nodb" ] || fail "preview or vars created a database"

echo "cli-scenario: one owner, many clients: other commands work through the process holding the database"
db=$tmp/owned.db
sock=$db.sock
printf 'output "greeting" {\n  value = "hello"\n}\n' >"$tmp/greeting.tf"
expect 0 stack create slow
expect 0 stack create quick
# -sim-latency 1h: the deployment lasts as long as the scenario needs.
"$bin" -db "$db" -sim-latency 1h deploy slow -t "$testdata/vpc.tf.json" >"$tmp/bg.out" 2>&1 &
bg=$!
# wait_for FILE TEXT: a bounded wait for a background command's line.
wait_for() {
	for _ in $(seq 100); do
		grep -qF -- "$2" "$1" && return 0
		sleep 0.1
	done
	cat "$1" >&2
	fail "waited in vain for: $2"
}
wait_for "$tmp/bg.out" 'Creating...'
[ -S "$sock" ] || fail "the owner serves no socket beside the database"
[ "$(stat -c %a "$sock")" = 600 ] || fail "the owner's socket is not 0600"
start=$(date +%s%N)
expect 0 stack list
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
has "$out" 'DEPLOYMENT_IN_PROGRESS'
[ "$elapsed_ms" -lt 3000 ] || fail "$last: took ${elapsed_ms}ms"
expect 0 events slow
has "$out" 'Creating...'
expect 0 resources slow
# A second command follows the running deployment live; Ctrl-C stops
# following, not the deployment.
"$bin" -db "$db" events slow -follow >"$tmp/follow.out" 2>&1 &
follower=$!
wait_for "$tmp/follow.out" 'Creating...'
kill -INT "$follower"
got=0
wait "$follower" || got=$?
[ "$got" -eq 2 ] || { cat "$tmp/follow.out" >&2; fail "the interrupted follower exited $got, want 2"; }
grep -qF 'stopped following' "$tmp/follow.out" || fail "the follower did not say it stopped following"
# Another stack deploys meanwhile, in the owner, followed from here.
expect 0 deploy quick -t "$tmp/greeting.tf"
has "$out" 'Stack quick: DEPLOYMENT_COMPLETE'
has "$out" 'greeting = "hello"'
expect 0 plan create quick p1 -t "$tmp/greeting.tf"
expect 0 plan show quick p1
expect 0 outputs quick
has "$out" 'hello'
# A busy stack is refused with the commands that help.
expect 2 deploy slow -t "$testdata/vpc.tf.json"
has "$err" 'RF.10012519: '
has "$err" 'formation wait slow'
# Ctrl-C twice: the first lets the hour-long creation in flight go on, the
# second stops the owner at once; the deployment stays resumable and wait
# resumes it.
kill -INT "$bg"
wait_for "$tmp/bg.out" 'Interrupt received'
kill -INT "$bg"
got=0
wait "$bg" || got=$?
bg=
[ "$got" -eq 2 ] || { cat "$tmp/bg.out" >&2; fail "the interrupted deployment exited $got, want 2"; }
grep -q 'formation wait slow' "$tmp/bg.out" || { cat "$tmp/bg.out" >&2; fail "the interrupted deployment did not say how to resume"; }
[ ! -e "$sock" ] || fail "the stopped owner left its socket"
expect 0 wait slow
has "$out" 'Stack slow: DEPLOYMENT_COMPLETE'
# Ctrl-C once: the creation in flight finishes and is stored, nothing new
# starts, and wait resumes the rest.
for name in a b c; do
	printf 'resource "huaweicloud_vpc" "%s" {\n  name = "%s"\n  cidr = "10.0.0.0/16"\n}\n' "$name" "$name"
done >"$tmp/three.tf"
expect 0 stack create drained
# (Each background command writes a file of its own: wait_for may read
# before the command's shell has truncated a reused one.)
"$bin" -db "$db" -sim-latency 2s -parallelism 1 deploy drained -t "$tmp/three.tf" >"$tmp/drain.out" 2>&1 &
bg=$!
wait_for "$tmp/drain.out" 'Creating...'
kill -INT "$bg"
got=0
wait "$bg" || got=$?
bg=
[ "$got" -eq 2 ] || { cat "$tmp/drain.out" >&2; fail "the drained deployment exited $got, want 2"; }
grep -q 'formation wait drained' "$tmp/drain.out" || { cat "$tmp/drain.out" >&2; fail "the drained deployment did not say how to resume"; }
expect 0 resources drained
[ "$(grep -c 'CREATION_COMPLETE' "$out")" -eq 1 ] || fail "the first Ctrl-C did not let exactly the creation in flight finish"
expect 0 wait drained
has "$out" 'Stack drained: DEPLOYMENT_COMPLETE'
expect 0 resources drained
[ "$(grep -c 'CREATION_COMPLETE' "$out")" -eq 3 ] || fail "the resumed deployment did not create the rest"
# formation serve owns the database as a command does: commands work
# through it in the default project, and see the same stacks after it.
"$bin" -db "$db" serve -listen 127.0.0.1:0 >"$tmp/serve.out" 2>&1 &
bg=$!
wait_for "$tmp/serve.out" 'Formation serves'
expect 0 stack list
has "$out" 'drained'
expect 0 stack create served
expect 0 deploy served -t "$testdata/vpc.tf.json"
has "$out" 'Stack served: DEPLOYMENT_COMPLETE'
kill -TERM "$bg"
wait "$bg" || fail "serve did not stop cleanly on SIGTERM"
bg=
[ ! -e "$sock" ] || fail "serve left its socket"
expect 0 resources served
has "$out" 'CREATION_COMPLETE'
# A killed owner's socket is stale: never trusted, replaced by the next owner.
"$bin" -db "$db" -sim-latency 1h deploy quick -t "$testdata/vpc.tf.json" >"$tmp/killed.out" 2>&1 &
bg=$!
wait_for "$tmp/killed.out" 'Creating...'
kill -KILL "$bg"
{ wait "$bg"; } 2>/dev/null || true  # killed, as meant
bg=
[ -S "$sock" ] || { cat "$tmp/killed.out" >&2; fail "the killed owner's socket is not there to test"; }
expect 0 stack list
has "$out" 'quick'
[ ! -e "$sock" ] || fail "the stale socket was not replaced and removed"
db=$tmp/formation.db

echo "cli-scenario: Terraform's conventions: tfvars files, TF_VAR_, validate, fmt, output"
conv=$tmp/conv
mkdir -p "$conv"
cp "$testdata"/network/*.tf "$conv/"
printf 'prefix = "fromfile"\n' >"$conv/terraform.tfvars"
printf '{"subnets": 1}\n' >"$conv/a.auto.tfvars.json"
expect 0 stack create conv
TF_VAR_prefix=fromenv TF_VAR_subnets=5 expect 0 -json deploy conv -t "$conv"
ndjson
has "$out" 'huaweicloud_vpc_subnet.subnet[0]'
if grep -qF 'subnet[1]' "$out"; then fail "$last: TF_VAR_subnets won over a.auto.tfvars.json"; fi
expect 0 template conv
has "$out" 'prefix  = "fromfile"'
has "$out" 'subnets = 1'
TF_VAR_subnets=2 expect 0 -json preview -stack conv -t "$conv" -var prefix=fromcli
has "$out" 'fromcli-vpc'
expect 0 -json preview -stack conv -t "$conv" -var subnets=2
has "$out" '"format_version": "1.2"'
has "$out" '"address": "huaweicloud_vpc_subnet.subnet[1]"'
grep -A3 '"actions": \[' "$out" | grep -q '"create"' || fail "$last: no create action in Terraform's format"
has "$out" '"prior_state": {'
expect 0 output conv vpc_id -raw
[ "$(wc -c <"$out")" -eq 36 ] || fail "$last: want the bare 36-character id"
expect 0 output conv
grep -q '^vpc_id = "[0-9a-f-]\{36\}"$' "$out" || fail "$last: not NAME = VALUE"
expect 0 validate -t "$conv"
has "$out" 'Success! The configuration is valid.'
expect 2 -json validate -t "$testdata/broken.tf"
has "$out" '"valid": false'
expect 0 fmt -check "$conv"
printf 'prefix="x"\n' >"$conv/terraform.tfvars"
expect 3 fmt -check "$conv"
has "$out" "$conv/terraform.tfvars"
expect 0 fmt "$conv"
grep -qx 'prefix = "x"' "$conv/terraform.tfvars" || fail "$last: the file is not formatted"
expect 2 stak list
has "$err" '(did you mean stack?)'
expect 0 stack delete conv

echo "cli-scenario: a template with a local module"
expect 0 preview -t "$testdata/modules"
has "$out" '# module.net[1].huaweicloud_vpc.vpc will be created'
expect 0 stack create mods -t "$testdata/modules"
expect 0 -json resources mods
has "$out" '"module_address": "module.net[0]"'
expect 0 preview -stack mods -t "$testdata/modules"
has "$out" 'No changes.'
printf 'module "up" {\n  source = "../elsewhere"\n}\n' >"$tmp/outside.tf"
expect 2 preview -t "$tmp/outside.tf"
has "$err" 'RF.10011030: '
expect 0 stack delete mods

echo "cli-scenario: Terraform's JSON plan, read by a Rego policy written for terraform show -json"
expect 0 stack create pol -t "$testdata/network" -var prefix=a
expect 0 plan create pol p1 -t "$testdata/network" -var prefix=b -var subnets=1
expect 0 -json plan show pol p1
(cd "$testdata/../../.." && go run ./.ci/policy cmd/formation/testdata/policy/terraform.rego) <"$out" >"$tmp/deny" ||
	fail "the policy could not read the plan"
[ "$(cat "$tmp/deny")" = 'huaweicloud_vpc_subnet.subnet[1] would be deleted' ] ||
	{ cat "$tmp/deny" >&2; fail "the policy denied other than the subnet's deletion"; }
expect 0 stack delete pol

echo "cli-scenario: delete the stack"
expect 0 -json stack delete web
ndjson
tail -n 1 "$out" | grep -qF '"status":"DELETED"' || fail "$last: the result is not DELETED"
expect 2 stack show web
refused RF.10014001
expect 0 sim list
[ "$(wc -l <"$out")" -eq 1 ] || fail "$last: the world still holds resources"

echo "cli-scenario: ok"
