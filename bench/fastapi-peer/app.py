"""The comparison peer for bench/versus-fastapi.sh: a TOTP gateway as the original design describes
it, in FastAPI + pyotp. Seeds come from MFAGATE_SEED_<CLIENT>_<SERVICE> environment variables, an
optional Bearer token (PEER_TOKEN) guards the routes, and every request writes one log line. It has
no policy, rate limits or durable audit: it is the baseline mfagate is measured against, not a
product. Run with Debian's python3-fastapi, python3-uvicorn and python3-pyotp:

    MFAGATE_SEED_BENCH_AWS=JBSWY3DPEHPK3PXP PEER_TOKEN=t /usr/bin/python3 -m uvicorn app:app --app-dir bench/fastapi-peer
"""
import hmac
import logging
import os
import time

import pyotp
from fastapi import FastAPI, Header, HTTPException

log = logging.getLogger("peer")
logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

SEEDS = {}
for name, value in os.environ.items():
    if name.startswith("MFAGATE_SEED_"):
        parts = name[len("MFAGATE_SEED_"):].lower().split("_", 1)
        if len(parts) == 2:
            SEEDS[parts[0] + "-" + parts[1].replace("_", "-")] = pyotp.TOTP(value)
TOKEN = os.environ.get("PEER_TOKEN", "")

app = FastAPI()


def check(authorization):
    if TOKEN and not (authorization and hmac.compare_digest(authorization, "Bearer " + TOKEN)):
        raise HTTPException(status_code=401, detail="unauthenticated")


def issue(label):
    totp = SEEDS.get(label)
    if totp is None:
        raise HTTPException(status_code=404, detail="unknown label")
    now = time.time()
    log.info("code issued label=%s", label)
    return totp.at(now), totp.interval - int(now) % totp.interval


@app.get("/totp/{client}/{service}")
def totp_route(client: str, service: str, authorization: str | None = Header(default=None)):
    check(authorization)
    code, valid_for = issue(f"{client}-{service}".lower())
    return {"client": client, "service": service, "code": code, "valid_for": valid_for}


@app.get("/code")
def code_route(label: str, authorization: str | None = Header(default=None)):
    check(authorization)
    code, valid_for = issue(label.lower())
    return {"code": code, "valid_for": valid_for}


@app.get("/healthz")
def healthz():
    return {"status": "ok"}
