#!/usr/bin/env bash
# Cross-check the committed hive fixtures (testdata/hivefacts/*.hiv, made by
# internal/hivewriter) against three independent readers from Debian:
# reglookup, regfexport (libregf-utils) and hivexsh (libhivex-bin). For each
# fixture the generator's own description of what it wrote (keys, values,
# types, data, last-write times; genfixtures -expect) is compared with what
# each tool reads; one PASS/FAIL line per file and tool. A fourth check
# exports each clean fixture to .reg with hivexregedit (libwin-hivex-perl)
# and confirms hivedump finds the same host/guest facts in that .reg as in
# the hive: the .reg parser against an independent .reg writer.
#
# The tools do not replay transaction logs, so the dirty fixture is checked
# against its base state (the LOG1 is checked by the Go tests through the
# hive reader). Not part of go test: run it by hand, needs apt and python3.
#
#   bash scripts/crosscheck-hive.sh
#   FIXDIR=/tmp/altered bash scripts/crosscheck-hive.sh   # a copy to check that damage FAILs
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v reglookup >/dev/null || need+=(reglookup)
command -v regfexport >/dev/null || need+=(libregf-utils)
command -v hivexsh >/dev/null || need+=(libhivex-bin)
command -v hivexregedit >/dev/null || need+=(libwin-hivex-perl)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v python3 >/dev/null || { echo "python3 is required"; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go run ./internal/hivewriter/cmd/genfixtures -expect "$tmp/expect" >/dev/null
go build -o "$tmp/hivedump" ./examples/hivedump

python3 - "$tmp" "${FIXDIR:-testdata/hivefacts}" <<'PY'
import csv, io, json, os, re, subprocess, sys, datetime

tmp, fixdir = sys.argv[1], sys.argv[2]
REG_SZ, REG_EXPAND_SZ, REG_DWORD = 1, 2, 4
failures = 0

def norm_expected(exp):
    """{key_path_upper: (path, {name_upper: (name, type, data)}, subkeys, unix)}"""
    out = {}
    for path, k in exp.items():
        vals = {n.upper(): (n, v["type"], v["data"]) for n, v in k["values"].items()}
        out[path.upper()] = (path, vals, sorted(s.upper() for s in k["subkeys"]), k["unix"])
    return out

def compare(tool, name, exp, got_keys, got_vals, got_times=None, got_subkeys=None):
    """got_keys: set of upper paths; got_vals: {(PATH, NAME): (type, data)}"""
    errs = []
    want_keys = set(exp)
    if got_keys != want_keys:
        missing = sorted(want_keys - got_keys)[:3]
        extra = sorted(got_keys - want_keys)[:3]
        errs.append(f"keys differ: missing {missing} extra {extra}")
    want_vals = {}
    for kp, (path, vals, subs, unix) in exp.items():
        for vn, (n, t, d) in vals.items():
            want_vals[(kp, vn)] = (t, d)
    for key, want in want_vals.items():
        got = got_vals.get(key)
        if got is None:
            errs.append(f"value {key} missing")
        elif got != want:
            errs.append(f"value {key}: want {want} got {got}")
    for key in set(got_vals) - set(want_vals):
        errs.append(f"extra value {key}")
    if got_times is not None:
        for kp, (path, vals, subs, unix) in exp.items():
            if got_times.get(kp) != unix:
                errs.append(f"mtime of {path!r}: want {unix} got {got_times.get(kp)}")
    if got_subkeys is not None:
        for kp, (path, vals, subs, unix) in exp.items():
            if got_subkeys.get(kp) != subs:
                errs.append(f"subkeys of {path!r} differ")
    global failures
    if errs:
        failures += 1
        print(f"FAIL {name} {tool}: {len(errs)} differences; first: {errs[0]}")
    else:
        nvals = len(want_vals)
        print(f"PASS {name} {tool}: {len(exp)} keys, {nvals} values")

def unescape_reglookup(s):
    return re.sub(r"%([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), s)

def check_reglookup(name, hive, exp):
    out = subprocess.run(["reglookup", hive], capture_output=True, text=True, check=True).stdout
    keys, vals, times = set(), {}, {}
    for row in list(csv.reader(io.StringIO(out)))[1:]:
        path, typ, value, mtime = row[0], row[1], row[2], row[3]
        if typ == "KEY":
            kp = "\\".join(unescape_reglookup(p) for p in path.strip("/").split("/") if p)
            keys.add(kp.upper())
            t = datetime.datetime.strptime(mtime, "%Y-%m-%d %H:%M:%S").replace(tzinfo=datetime.timezone.utc)
            times[kp.upper()] = int(t.timestamp())
            continue
        parts = path.split("/")
        kp = "\\".join(unescape_reglookup(p) for p in parts[1:-1] if p)
        vn = unescape_reglookup(parts[-1])
        t = {"SZ": REG_SZ, "EXPAND_SZ": REG_EXPAND_SZ, "DWORD": REG_DWORD}.get(typ, typ)
        d = unescape_reglookup(value)
        if t == REG_DWORD:
            d = str(int(d, 16))
        vals[(kp.upper(), vn.upper())] = (t, d)
    compare("reglookup", name, exp, keys, vals, got_times=times)

def check_regfexport(name, hive, exp, root):
    out = subprocess.run(["regfexport", hive], capture_output=True, text=True, check=True).stdout
    keys, vals = set(), {}
    cur, vname, vtype = None, None, None
    for line in out.splitlines():
        if line.startswith("Key path: "):
            p = line[len("Key path: "):]
            p = p[len(root):].lstrip("\\") if p.startswith(root) else p
            cur = p.upper()
            keys.add(cur)
        elif line.startswith("Value: "):
            n = line[len("Value: "):].split(" ", 1)[1]
            vname = "" if n == "(default)" else n
        elif line.startswith("Type: "):
            m = re.search(r"\((REG_[A-Z_]+)\)", line)
            vtype = {"REG_SZ": REG_SZ, "REG_EXPAND_SZ": REG_EXPAND_SZ, "REG_DWORD_LITTLE_ENDIAN": REG_DWORD}.get(m.group(1), m.group(1))
        elif line.startswith("Data: ") or line == "Data:":
            vals[(cur, vname.upper())] = (vtype, line[len("Data: "):] if line.startswith("Data: ") else "")
    compare("regfexport", name, exp, keys, vals)

def parse_hivex_value(line):
    m = re.match(r'^(@|"((?:[^"\\]|\\.)*)")=(.*)$', line)
    if not m:
        raise ValueError(line)
    n = "" if m.group(1) == "@" else re.sub(r"\\(.)", r"\1", m.group(2))
    if n == "@":  # hivexsh quirk: it prints the default value as "@"=
        n = ""
    rest = m.group(3)
    if rest.startswith('"'):
        return n, REG_SZ, re.sub(r"\\(.)", r"\1", rest[1:-1])
    if rest.startswith("dword:"):
        return n, REG_DWORD, str(int(rest[6:], 16))
    m1 = re.match(r'str\((\w+)\):"(.*)"$', rest)  # hivexsh's REG_EXPAND_SZ and friends
    if m1:
        return n, int(m1.group(1), 16), re.sub(r"\\(.)", r"\1", m1.group(2))
    m2 = re.match(r"hex\((\w+)\):(.*)", rest)
    if m2:
        t = int(m2.group(1), 16)
        data = bytes(int(b, 16) for b in m2.group(2).split(",") if b)
        if t in (REG_SZ, REG_EXPAND_SZ):
            return n, t, data.decode("utf-16-le").rstrip("\x00")
        return n, t, data.hex()
    return n, "?", rest

def hivexsh(hive, script):
    sf = os.path.join(tmp, "hivexsh.txt")
    with open(sf, "w") as fh:
        fh.write(script)
    return subprocess.run(["hivexsh", "-f", sf, hive], capture_output=True, text=True)

def check_hivexsh(name, hive, exp):
    keys, vals, subkeys = set(), {}, {}
    for kp, (path, _, _, _) in exp.items():
        r = hivexsh(hive, f"cd \\{path}\nlsval\n")
        if r.returncode != 0:
            continue
        keys.add(kp)
        for line in r.stdout.splitlines():
            if line.strip():
                n, t, d = parse_hivex_value(line)
                vals[(kp, n.upper())] = (t, d)
        r = hivexsh(hive, f"cd \\{path}\nls\n")
        subkeys[kp] = sorted(s.upper() for s in r.stdout.splitlines() if s)
    compare("hivexsh", name, exp, keys, vals, got_subkeys=subkeys)

def check_hivexregedit(name, hive, exp):
    if os.path.exists(hive + ".LOG1"):
        print(f"SKIP {name} hivexregedit+ParseReg: dirty (hivexregedit does not replay logs)")
        return
    reg = os.path.join(tmp, name + ".reg")
    with open(reg, "wb") as fh:
        subprocess.run(["hivexregedit", "--export", "--prefix", "HKEY_LOCAL_MACHINE\\SOFTWARE", hive, "\\"], stdout=fh, check=True)
    r = subprocess.run([os.path.join(tmp, "hivedump"), hive, reg], capture_output=True, text=True)
    objs = [json.loads(l) for l in r.stdout.splitlines()]
    if r.returncode != 0 or len(objs) != 2:
        raise RuntimeError(f"hivedump exit {r.returncode}: {r.stderr.strip()}")
    a, b = objs
    for o in (a, b):
        if o.get("guest"):
            o["guest"].pop("auto_last_write", None)
    errs = [k for k in ("side", "host", "guest") if a[k] != b[k]]
    if b["kind"] != "reg-export":
        errs.append("kind " + b["kind"])
    if b["problems"]:
        errs.append("problems " + "; ".join(b["problems"][:2]))
    global failures
    if errs:
        failures += 1
        print(f"FAIL {name} hivexregedit+ParseReg: differs in {errs}")
    else:
        print(f"PASS {name} hivexregedit+ParseReg: side {b['side']}, same facts as the hive")

for f in sorted(os.listdir(fixdir)):
    if not f.endswith(".hiv"):
        continue
    with open(os.path.join(tmp, "expect", f + ".json")) as fh:
        raw = json.load(fh)
    exp = norm_expected(raw)
    root = raw[""]["root_name"]
    hive = os.path.join(fixdir, f)
    for fn, args in ((check_reglookup, ()), (check_regfexport, (root,)), (check_hivexsh, ()), (check_hivexregedit, ())):
        try:
            fn(f, hive, exp, *args)
        except Exception as e:  # a tool crash is a failure, not a script error
            failures += 1
            print(f"FAIL {f} {fn.__name__[6:]}: {type(e).__name__}: {e}")

print(f"{'ALL PASS' if failures == 0 else f'{failures} FAIL'}")
sys.exit(1 if failures else 0)
PY
