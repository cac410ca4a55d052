#!/usr/bin/env python3
"""Regenerates test/signing/vectors/ucloud-sdk-vectors.json: seeded random UCloud API requests signed by the
official SDKs' OWN code, which test/signing/ucloud.test.ts checks nodes/signing/ucloud.ts against (CI has no network,
so the fixture is committed; this script documents and repeats how it was made).

No SDK code is copied into this repository: the SDKs are imported from checkouts given on the command line.

  ucloud-sdk-python3 (primary): ucloud.core.client.Client._build_http_request, the request the client POSTs:
      top-level None dropped, ucloud/core/typesystem/encoder.py encode() flattening, ucloud/core/auth/_cfg.py
      verify_ac() adding PublicKey and the Signature. Needs `requests` importable (the client module imports it;
      nothing is sent).
  ucloud-sdk-go (second opinion, optional): scripts/signing/ucloud-vectors-go/main.go, built in GOPATH mode against
      the checkout (its vendor/ supplies the dependencies: nothing is downloaded), runs request.NewFormEncoder(...)
      .Encode on a generic request: ucloud/request/encoder_form.go flattening, ucloud/auth Credential.Apply.

Get the SDKs outside this repository, at the commits the fixture records, e.g.
    git clone https://github.com/ucloud/ucloud-sdk-python3 /tmp/ucloud-ref/py
    git -C /tmp/ucloud-ref/py checkout 32d3c696f2245007b5cb8bc191e5907fb1da9c10          # 0.11.100
    git clone https://github.com/ucloud/ucloud-sdk-go /tmp/ucloud-ref/go
    git -C /tmp/ucloud-ref/go checkout ff76b12bf9c780a6464a337bb0f51a2a6b2a5ca4           # 0.22.98
(or `git archive <commit> ucloud/__init__.py ucloud/version.py ucloud/core` / `... go.mod ucloud private vendor`
from a mirror, then pass --python-sdk-commit / --go-sdk-commit), then from the repository root:
    python3 scripts/signing/ucloud-vectors.py --python-sdk /tmp/ucloud-ref/py --go-sdk /tmp/ucloud-ref/go

Three groups of cases (see "groups" in the output):
  cases   random requests whose every value both SDKs write the same way, except that Go drops empty strings:
          nested objects and arrays (Key.N, Key.Sub, Key.N.Sub), booleans, ints (small to int64, some beyond:
          Python only), floats whose repr has no exponent, non-ASCII, spaces, specials, empty values, names that
          sort differently by UTF-16 and by code point, temporary keys (SecurityToken).
  floats  random requests with floats below 1e-4, which Python writes with an exponent (1e-05) and Go plainly.
  edges   one input per rule the SDKs disagree on or that is not a UCloud shape, each SDK's answer recorded.
"""
import argparse
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
GO_DRIVER = os.path.join(HERE, "ucloud-vectors-go", "main.go")
DEFAULT_OUT = os.path.join(HERE, "..", "..", "test", "signing", "vectors", "ucloud-sdk-vectors.json")

MAX_SAFE = 2**53 - 1

REALISTIC_NAMES = [
    "GroupId", "BackupId", "BackupName", "Offset", "Limit", "BeginTime", "EndTime", "ChargeType", "Quantity",
    "Tag", "Remark", "Ips", "UHostIds", "Disks", "NetInterface", "Filters", "Labels", "Name", "Size", "Enabled",
    "Password", "Memory", "CPU", "Type", "IsBoot", "TemplateParams", "Backends", "Key", "Value", "Bandwidth",
]
# Go's generic request insists these are strings (request.BaseGenericRequest.SetPayload).
STRING_NAMES = ["Action", "Region", "Zone", "ProjectId"]
RESERVED = {"PublicKey", "Signature", "SecurityToken"}

NAME_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
NAME_SPECIALS = [" ", "!", "~", "*", "'", "(", ")", ":", "@", "+", "=", "&", "%", "/", "é", "中", "ｚ", "\ue000", "😀"]
VALUE_SPECIALS = list(" !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~\t\n\r") + [
    "中文", "é", "ß", "😀", "𝄞", "\u0301", "\u00a0", "\ufeff", "\u2028", "ｚ", "\ue000", "ü",
]
VALUE_WORDS = ["None", "null", "true", "false", "1e5", "%20", "+", "=", "&a=b", "0", "-1", "cn-bj2", "uredis-abc"]


def rand_name(rng):
    r = rng.random()
    if r < 0.4:
        return rng.choice(REALISTIC_NAMES)
    n = rng.randint(1, 10)
    chars = [rng.choice(NAME_CHARS) for _ in range(n)]
    if r > 0.85:
        chars.insert(rng.randint(0, n), rng.choice(NAME_SPECIALS))
    name = "".join(chars)
    return name if not name.startswith("$") else "x" + name


def rand_string(rng, allow_empty):
    r = rng.random()
    if allow_empty and r < 0.08:
        return ""
    if r < 0.18:
        return rng.choice(VALUE_WORDS)
    parts = []
    for _ in range(rng.randint(1, 8)):
        q = rng.random()
        if q < 0.6:
            parts.append(rng.choice(NAME_CHARS))
        else:
            parts.append(rng.choice(VALUE_SPECIALS))
    return "".join(parts)


def rand_int(rng, wide):
    r = rng.random()
    if r < 0.45:
        return rng.randint(0, 1000)
    if r < 0.65:
        return rng.randint(-100000, -1)
    if r < 0.85:
        return rng.randint(-MAX_SAFE, MAX_SAFE)
    if r < 0.95 or not wide:
        return rng.choice([-1, 1]) * rng.randint(MAX_SAFE + 1, 2**63 - 1)
    return rng.choice([-1, 1]) * rng.randint(2**63, 2**80)  # Python only: Go has no type for it


def rand_float(rng, tiny):
    if tiny:
        # below 1e-4: Python's repr switches to exponent notation there, Go's 'f' format does not
        v = rng.uniform(1, 10) * 10 ** rng.randint(-14, -5)
        if rng.random() < 0.3:
            v = float("%.*g" % (rng.randint(1, 4), v))
        return -v if rng.random() < 0.3 else v
    r = rng.random()
    if r < 0.2:
        return float(rng.randint(-10**6, 10**6))  # integral float: both print the integer
    if r < 0.3:
        return float(rng.choice([2**52, -(2**52), 2**53 - 1, 2**31, 1e15]))
    v = rng.uniform(1, 10) * 10 ** rng.randint(-4, 14)
    if v < 1e-4:
        v = 1e-4
    if rng.random() < 0.4:
        v = round(v, rng.randint(0, 6))
        if v == 0:
            v = 0.5
    return -v if rng.random() < 0.3 else v


def rand_scalar(rng, tiny, allow_empty):
    r = rng.random()
    if r < 0.5:
        return rand_string(rng, allow_empty)
    if r < 0.68:
        return rand_int(rng, wide=True)
    if r < 0.85:
        return rand_float(rng, tiny and rng.random() < 0.6)
    return rng.random() < 0.5


def rand_object(rng, depth, tiny, allow_empty, top=False):
    obj = {}
    count = rng.randint(1, 7) if top else rng.randint(0, 4)
    for _ in range(count):
        name = rand_name(rng)
        if name in obj or name in RESERVED or name in STRING_NAMES:
            continue
        obj[name] = rand_value(rng, depth, tiny, allow_empty)
    return obj


def rand_value(rng, depth, tiny, allow_empty):
    r = rng.random()
    if depth >= 3 or r < 0.6:
        return rand_scalar(rng, tiny, allow_empty)
    if r < 0.8:
        items = []
        for _ in range(rng.randint(0, 4)):
            if rng.random() < 0.3 and depth < 2:
                items.append(rand_object(rng, depth + 1, tiny, allow_empty))
            else:
                items.append(rand_scalar(rng, tiny, allow_empty))
        if len(items) > 10:
            items = items[:10]
        if rng.random() < 0.05:
            items = [rand_scalar(rng, tiny, allow_empty) for _ in range(12)]  # Key.10 sorts before Key.2
        return items
    return rand_object(rng, depth + 1, tiny, allow_empty)


def rand_credentials(rng, case):
    r = rng.random()
    if r < 0.5:
        case["publicKey"] = "ucloud%s@example.com%d" % (
            "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 10))),
            rng.randint(10**18, 10**19 - 1),
        )
    else:
        case["publicKey"] = rand_string(rng, False) + "".join(rng.choice(NAME_CHARS) for _ in range(8))
    if rng.random() < 0.7:
        case["privateKey"] = "%040x" % rng.getrandbits(160)
    else:
        case["privateKey"] = rand_string(rng, False) + "%x" % rng.getrandbits(64)
    if rng.random() < 0.15:
        case["securityToken"] = rand_string(rng, False) + "%x" % rng.getrandbits(32)


def rand_case(rng, case_id, tiny):
    allow_empty = not tiny
    params = {}
    if rng.random() < 0.9:
        params["Action"] = rng.choice(["DescribeURedisBackup", "CreateURedisBackup", "DescribeURedisBackupURL",
                                       "DescribeURedisGroup", "DescribeUHostInstance"])
    if rng.random() < 0.7:
        params["Region"] = rng.choice(["cn-bj2", "cn-sh2", "hk", "us-ca", rand_string(rng, allow_empty)])
    if rng.random() < 0.3:
        params["Zone"] = rand_string(rng, allow_empty)
    if rng.random() < 0.3:
        params["ProjectId"] = "org-" + "".join(rng.choice(NAME_CHARS) for _ in range(6))
    params.update(rand_object(rng, 0, tiny, allow_empty, top=True))
    if rng.random() < 0.1:
        # siblings that differ first at an astral character vs U+E000..U+FFFF: UTF-16 order != code point order
        stem = rng.choice(["Tag", "X", ""])
        for suffix in ["😀", "ｚ", "\ue000", "𝄞z", "\uffff"]:
            params[stem + suffix] = rand_scalar(rng, tiny, allow_empty)
    case = {"id": case_id}
    rand_credentials(rng, case)
    case["input"] = params
    return case


def edge_cases():
    pk, sk = "ucloudsomeone@example.com1296235120854146120", "46f09bb9fab4f12dfc160dae12273d5332b5debe"
    edges = [
        ("empty-string", {"Action": "X", "Name": ""}),
        ("empty-string-in-array", {"Action": "X", "Ips": ["", "10.0.0.1"]}),
        ("empty-string-in-object", {"Action": "X", "Led": {"Name": "", "On": True}}),
        ("negative-zero", {"Action": "X", "Size": -0.0}),
        ("float-1e-05", {"Action": "X", "Size": 1e-05}),
        ("float-1.5e-10", {"Action": "X", "Size": 1.5e-10}),
        ("float-integral-42.0", {"Action": "X", "Size": 42.0}),
        ("float-integral-beyond-2^53", {"Action": "X", "Size": 1e23}),
        ("int-2^53+1", {"Action": "X", "Size": 2**53 + 1}),
        ("int-beyond-int64", {"Action": "X", "Size": 2**64}),
        ("infinity", {"Action": "X", "Size": float("inf")}),
        ("nan", {"Action": "X", "Size": float("nan")}),
        ("top-level-none", {"Action": "X", "Name": None}),
        ("nested-none", {"Action": "X", "Led": {"Name": None}}),
        ("none-in-array", {"Action": "X", "Ips": [None, "10.0.0.1"]}),
        ("array-in-array", {"Action": "X", "Ips": [["a", "b"]]}),
        ("empty-array-and-object", {"Action": "X", "Ips": [], "Led": {}}),
        ("booleans-in-array", {"Action": "X", "Flags": [True, False]}),
        ("utf16-vs-code-point-order", {"Action": "X", "Tag😀": "a", "Tagｚ": "b", "Tag\ue000": "c"}),
    ]
    return [{"id": name, "publicKey": pk, "privateKey": sk, "input": params} for name, params in edges]


def to_json(v):
    """The fixture's typed JSON: ints beyond 2^53 and non-finite floats tagged, floats keep their '.' or exponent."""
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, int):
        return v if abs(v) <= MAX_SAFE else {"$int": str(v)}
    if isinstance(v, float):
        if math.isfinite(v):
            return v
        return {"$float": "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")}
    if isinstance(v, list):
        return [to_json(x) for x in v]
    if isinstance(v, dict):
        return {k: to_json(x) for k, x in v.items()}
    raise TypeError(type(v))


def python_sign(client_cls, case):
    client = client_cls({"public_key": case["publicKey"], "private_key": case["privateKey"]})
    args = dict(case["input"])
    if "securityToken" in case:
        # The Python SDK has no temporary keys; the Go SDK signs SecurityToken like any other parameter.
        args["SecurityToken"] = case["securityToken"]
    try:
        data = client._build_http_request(args).data
    except Exception as e:  # an edge the SDK refuses
        return {"error": "%s: %s" % (type(e).__name__, e)}
    return {"params": dict(sorted(data.items()))}


def git_commit(path, given):
    if given:
        return given
    try:
        return subprocess.check_output(["git", "-C", path, "rev-parse", "HEAD"], text=True).strip()
    except Exception:
        return "unknown (pass --*-sdk-commit)"


def run_go(go_sdk, cases):
    gopath = tempfile.mkdtemp(prefix="ucloud-vectors-gopath-")
    try:
        os.makedirs(os.path.join(gopath, "src", "github.com", "ucloud"))
        os.symlink(os.path.abspath(go_sdk), os.path.join(gopath, "src", "github.com", "ucloud", "ucloud-sdk-go"))
        driver_dir = os.path.join(gopath, "src", "ucloudvectors")
        os.makedirs(driver_dir)
        shutil.copy(GO_DRIVER, driver_dir)
        env = dict(os.environ, GO111MODULE="off", GOPATH=gopath, GOFLAGS="", GOPROXY="off")
        payload = {"cases": [{k: (to_json(v) if k == "input" else v) for k, v in c.items()} for c in cases]}
        out = subprocess.run(["go", "run", "."], cwd=driver_dir, env=env, input=json.dumps(payload),
                             capture_output=True, text=True, check=True).stdout
        return json.loads(out)
    finally:
        shutil.rmtree(gopath, ignore_errors=True)


def go_record(r, python):
    """Go's answer; its params only when they are not exactly Python's (the fixture stays small)."""
    if "error" in r:
        return {"error": r["error"]}
    if "skipped" in r:
        return {"skipped": r["skipped"]}
    rec = {"signature": r["signature"]}
    if python.get("params") != r["params"]:
        rec["params"] = dict(sorted(r["params"].items()))
    return rec


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--python-sdk", required=True, help="checkout of github.com/ucloud/ucloud-sdk-python3")
    ap.add_argument("--python-sdk-commit", help="its commit, when the path is not a git checkout")
    ap.add_argument("--go-sdk", help="checkout of github.com/ucloud/ucloud-sdk-go (needs `go` on PATH)")
    ap.add_argument("--go-sdk-commit", help="its commit, when the path is not a git checkout")
    ap.add_argument("--seed", type=int, default=20260611)
    ap.add_argument("--cases", type=int, default=400)
    ap.add_argument("--float-cases", type=int, default=100)
    ap.add_argument("--out", default=DEFAULT_OUT)
    a = ap.parse_args()

    sys.path.insert(0, os.path.abspath(a.python_sdk))
    from ucloud.core.client import Client  # noqa: E402  (the SDK's own client)
    from ucloud.version import version as python_version  # noqa: E402

    rng = random.Random(a.seed)
    groups = {
        "cases": [rand_case(rng, "c%03d" % i, tiny=False) for i in range(a.cases)],
        "floats": [rand_case(rng, "f%03d" % i, tiny=True) for i in range(a.float_cases)],
        "edges": edge_cases(),
    }
    all_cases = [c for g in groups.values() for c in g]
    go = None
    if a.go_sdk:
        go = run_go(a.go_sdk, all_cases)
        go_by_id = {r["id"]: r for r in go["results"]}

    out_groups = {}
    for name, cases in groups.items():
        rows = []
        for c in cases:
            row = {k: (to_json(v) if k == "input" else v) for k, v in c.items()}
            row["python"] = python_sign(Client, c)
            if go is not None:
                row["go"] = go_record(go_by_id[c["id"]], row["python"])
            rows.append(row)
        out_groups[name] = rows

    doc = {
        "description": "UCloud API signatures computed by the official SDKs' own code on seeded random inputs; "
        "checked against nodes/signing/ucloud.ts by test/signing/ucloud.test.ts.",
        "generatedBy": "python3 scripts/signing/ucloud-vectors.py --python-sdk <ucloud-sdk-python3> "
        "--go-sdk <ucloud-sdk-go> --seed %d --cases %d --float-cases %d" % (a.seed, a.cases, a.float_cases),
        "seed": a.seed,
        "inputEncoding": "JSON; a number with '.' or an exponent was a Python float, any other number an int; "
        "{\"$int\": digits} is an int beyond 2^53, {\"$float\": inf|-inf|nan} a non-finite float. "
        "securityToken: Go signs it as the SecurityToken parameter; Python got it as an ordinary parameter. "
        "python.params / go.params: the form fields the SDK sends, Signature included; go.params is left out when "
        "it is exactly python.params.",
        "sdks": {
            "python": {
                "repository": "https://github.com/ucloud/ucloud-sdk-python3",
                "version": python_version,
                "commit": git_commit(a.python_sdk, a.python_sdk_commit),
                "code": "ucloud/core/client/_client.py Client._build_http_request (drops top-level None) -> "
                "ucloud/core/typesystem/encoder.py encode/encode_value -> ucloud/core/auth/_cfg.py verify_ac",
                "python": sys.version.split()[0],
            },
        },
        "groups": out_groups,
    }
    if go is not None:
        doc["sdks"]["go"] = {
            "repository": "https://github.com/ucloud/ucloud-sdk-go",
            "version": go["sdk"]["version"],
            "commit": git_commit(a.go_sdk, a.go_sdk_commit),
            "code": "scripts/signing/ucloud-vectors-go/main.go: request.BaseGenericRequest.SetPayload -> "
            "request.NewFormEncoder(cfg, cred).Encode (ucloud/request/encoder_form.go EncodeForm/encodeMapToForm/"
            "encodeOne, ucloud/auth/credential.go Apply, ucloud/auth/signature.go sign); the POST body parsed "
            "back (the driver also checks auth.CalculateSignature agrees)",
            "go": subprocess.check_output(["go", "env", "GOVERSION"], text=True).strip(),
        }

    with open(a.out, "w", encoding="utf-8") as f:
        f.write("{\n")
        head = [k for k in doc if k != "groups"]
        for k in head:
            f.write("  %s: %s,\n" % (json.dumps(k), json.dumps(doc[k], ensure_ascii=False)))
        f.write('  "groups": {\n')
        names = list(out_groups)
        for gi, name in enumerate(names):
            f.write("    %s: [\n" % json.dumps(name))
            rows = out_groups[name]
            for ri, row in enumerate(rows):
                sep = "," if ri < len(rows) - 1 else ""
                f.write("      %s%s\n" % (json.dumps(row, allow_nan=False), sep))
            f.write("    ]%s\n" % ("," if gi < len(names) - 1 else ""))
        f.write("  }\n}\n")
    print("wrote %s: %s" % (a.out, ", ".join("%d %s" % (len(v), k) for k, v in out_groups.items())))


if __name__ == "__main__":
    main()
