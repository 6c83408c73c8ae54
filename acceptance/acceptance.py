"""The acceptance suite of issue 21: settles the open questions about Lex V2 conversation logs by
experiment, against the twin (LocalStack with our Lex V2 plugin) or, only when asked explicitly,
a real sandbox account; prints one table row per question to paste into the fidelity docs.

Everything it creates is named after the run id and tagged `lex-logs-acceptance=<run id>`, and is
removed at the end, on failure and on Ctrl-C; `--cleanup RUN_ID` removes what a killed run left.
Run it through scripts/acceptance (which builds lex-logs-setup). See README, "The acceptance
suite"."""

import argparse
import os
import secrets
import signal
import sys
import time
import traceback
import urllib.request

from botocore.exceptions import BotoCoreError, ClientError

import questions as q
from setup import World
from twin_expectations import TWIN_ANSWERS
from world import Names, Target, cleanup, twin_account

FLAG = "--i-understand-this-creates-resources"
QUESTIONS = {
    1: "May a principal holding only the operator policy put an inline policy on a Lex "
       "service-linked role?",
    2: "Which role makes a published version's log arrive: the version's roleArn or the bot's "
       "current one?",
    3: "Does Lex present aws:SourceAccount / aws:SourceArn when it assumes the bot role?",
    4: "Dimensions of the conversation-log delivery metrics (AWS/Lex)",
    5: "Key layout of the audio log object",
    6: "How long after UpdateBotAlias does the first log arrive?",
    7: "DeleteBotVersion's error for a version an alias uses",
}


class Interrupted(Exception):
    pass


def refuse(message: str):
    """Stop before any AWS call: exit status 2, the reason on stderr."""
    print(f"acceptance: {message}", file=sys.stderr)
    sys.exit(2)


def parse(argv):
    p = argparse.ArgumentParser(prog="scripts/acceptance", description=__doc__.split("\n\n")[0])
    p.add_argument("--endpoint-url", default=os.environ.get("AWS_ENDPOINT_URL"),
                   help="the twin's endpoint (LocalStack); also AWS_ENDPOINT_URL. No flag needed")
    p.add_argument("--profile", help="real account: the AWS profile of a sandbox account")
    p.add_argument("--region", help="real account: the region (twin: default us-east-1)")
    p.add_argument(FLAG, dest="creates", action="store_true",
                   help="real account: say you accept that the run creates (and then removes) "
                        "resources there; or ACCEPTANCE_CREATES_RESOURCES=yes")
    p.add_argument("--cleanup", metavar="RUN_ID",
                   help="remove what the run RUN_ID left (after a killed run); same target flags")
    p.add_argument("--delivery-wait", type=float,
                   help="seconds to wait for one log line (twin 2, real 180)")
    p.add_argument("--metrics-wait", type=float,
                   help="seconds to wait for the delivery-failure metric (twin 2, real 900)")
    return p.parse_args(argv)


def is_twin(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(endpoint.rstrip("/") + "/_localstack/health", timeout=5) as r:
            return b'"lexv2-models"' in r.read()
    except OSError:
        return False


def resolve_target(args, run_id: str) -> Target:
    """The twin when an emulator endpoint is given; a real account only with profile, region
    and the explicit flag. Exits with 2 (and says why) otherwise."""
    if args.endpoint_url:
        if not is_twin(args.endpoint_url):
            refuse(f"{args.endpoint_url} is not the twin (no lexv2-models in its "
                     "/_localstack/health); start it with localstack/start, or drop "
                     "--endpoint-url / AWS_ENDPOINT_URL to run against a real account")
        return Target(twin=True, region=args.region or "us-east-1", endpoint=args.endpoint_url,
                      profile=None, run_id=run_id, delivery_wait=args.delivery_wait or 2,
                      metrics_wait=args.metrics_wait or 2)
    creates = args.creates or os.environ.get("ACCEPTANCE_CREATES_RESOURCES") == "yes"
    missing = [what for what, ok in (("--profile PROFILE", args.profile),
                                     ("--region REGION", args.region),
                                     (f"{FLAG} (or ACCEPTANCE_CREATES_RESOURCES=yes)",
                                      creates or args.cleanup)) if not ok]
    if missing:
        refuse("refusing to run against a real AWS account without "
                 + ", ".join(missing) + ". It creates a bot, IAM roles, a user, log groups and a "
                 "bucket there (and removes them): use a sandbox account. For the twin, pass "
                 "--endpoint-url http://127.0.0.1:4566")
    try:
        return Target(twin=False, region=args.region, endpoint=None, profile=args.profile,
                      run_id=run_id, delivery_wait=args.delivery_wait or 180,
                      metrics_wait=args.metrics_wait or 900)
    except (BotoCoreError, ClientError) as err:
        refuse(f"cannot reach the account of profile {args.profile} in {args.region}: {err} "
               f"(log in first, e.g. aws sso login --profile {args.profile})")


def on_signal(signum, _frame):
    raise Interrupted(f"signal {signum}")


def run_questions(world: World, tool: str, answers: dict):
    def ask(number, experiment):
        print(f"== question {number}: {QUESTIONS[number]}", flush=True)
        started = time.monotonic()
        try:
            answers[number] = experiment()
        except Interrupted:
            raise
        except Exception as err:  # one question failing must not lose the others
            traceback.print_exc()
            answers[number] = (f"not settled: the experiment failed ({type(err).__name__}: "
                               f"{err})", "see the traceback above")
        print(f"   {answers[number][0]}  ({time.monotonic() - started:.1f} s)", flush=True)

    ask(2, lambda: q.q2_which_role_delivers(world))
    ask(5, lambda: q.q5_audio_key_layout(world))
    ask(6, lambda: q.q6_first_log_after_update(world))
    # Question 4 sends its failing turn now and reads the metrics last, so that a real
    # account's metrics have the other questions' time to show up.
    print("== question 4, first part: a turn whose log no role may write", flush=True)
    try:
        q.q4_send_failing_turn(world)
    except Interrupted:
        raise
    except Exception:
        traceback.print_exc()
    ask(3, lambda: q.q3_trust_condition_keys(world))
    ask(1, lambda: q.q1_operator_puts_slr_inline_policy(world, tool))
    ask(7, lambda: q.q7_delete_version_in_use(world))
    ask(4, lambda: q.q4_metric_dimensions(world))


def table(target: Target, run_id: str, answers: dict) -> str:
    def cell(text):
        return text.replace("|", "\\|").replace("\n", " ")
    lines = [f"Observed on {target.where()}, run {run_id}, "
             f"{time.strftime('%Y-%m-%d', time.gmtime())}:", "",
             "| # | Question | Answer observed | How it was observed |",
             "| --- | --- | --- | --- |"]
    for number, question in QUESTIONS.items():
        answer, how = answers.get(number, ("not run (the run stopped before it)", "—"))
        lines.append(f"| {number} | {cell(question)} | {cell(answer)} | {cell(how)} |")
    return "\n".join(lines)


def main(argv) -> int:
    args = parse(argv)
    run_id = (args.cleanup or secrets.token_hex(4)).lower()
    if len(run_id) != 8 or any(c not in "0123456789abcdef" for c in run_id):
        refuse(f"run id {run_id!r} is not 8 hex digits (as printed by a run)")
    target = resolve_target(args, run_id)
    names = Names(run_id, target.account)
    if args.cleanup:
        left = cleanup(target, names)
        print("\n".join(left) if left else f"run {run_id}: nothing left on {target.where()}")
        return 1 if left else 0

    print(f"acceptance run {run_id} on {target.where()}\n  if it is killed, remove what it "
          f"left with: scripts/acceptance --cleanup {run_id} "
          + (f"--endpoint-url {target.endpoint}" if target.twin
             else f"--profile {target.profile} --region {target.region}"), flush=True)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    answers, failed = {}, None
    try:
        world = World(target, names)
        print("== creating the bot, roles, log groups and bucket", flush=True)
        world.create()
        run_questions(world, os.environ.get("LEX_LOGS_SETUP_BIN", "target/debug/lex-logs-setup"),
                      answers)
    except Interrupted as err:
        failed = f"interrupted ({err})"
    except Exception as err:
        traceback.print_exc()
        failed = f"setup failed: {type(err).__name__}: {err}"
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, lambda *_: print("  (cleaning up; wait)", flush=True))
        print("== removing everything the run created", flush=True)
        left = cleanup(target, names)
    print()
    print(table(target, run_id, answers))
    print()
    status = 0
    if left:
        print(f"NOT REMOVED (retry with scripts/acceptance --cleanup {run_id}):\n  "
              + "\n  ".join(left))
        status = 1
    else:
        print(f"removed everything run {run_id} created")
    if failed:
        print(f"acceptance: {failed}")
        return 1
    if target.twin:
        wrong = {n: a[0] for n, a in answers.items() if a[0] != TWIN_ANSWERS[n]}
        for number, got in wrong.items():
            print(f"acceptance: question {number}: the twin answered {got!r}, its model says "
                  f"{TWIN_ANSWERS[number]!r} (acceptance/twin_expectations.py): the twin or the "
                  "suite changed; update the fidelity tables and the expectation together")
        status = status or (1 if wrong or len(answers) < len(QUESTIONS) else 0)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
