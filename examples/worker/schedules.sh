#!/bin/sh
# The app's recurring jobs, kept in the repo and applied with `sh schedules.sh` (idempotent:
# --replace keeps each schedule's history). Fired by `qjob cron run` (the Procfile's clock: line,
# any number of dynos) or `qjob cron tick` from a scheduled CI job. Against the local emulators:
#   eval "$(qjob emulator env)" && sh schedules.sh && qjob cron run
set -e
# The report as a one-off dyno at 07:00 Berlin time on weekdays; skipped while the last one still runs.
qjob cron add report --schedule "0 7 * * 1-5" --timezone Europe/Berlin --run-once "node report.js" --ttl 30m --overlap skip --replace
# A sweep job for the workers every ten minutes (message id sweep@<fire time>).
qjob cron add sweep --every 10m --send '{"id": 1, "ms": 10}' -q "${QUEUE_NAME:-jobs}" --content-type application/json --replace
# Business-hours formation.
qjob cron add workers-up --schedule "0 8 * * 1-5" --timezone Europe/Berlin --scale worker=2 --replace
qjob cron add workers-down --schedule "0 19 * * 1-5" --timezone Europe/Berlin --scale worker=0 --replace
qjob cron list
