# Check a cancelscout bundle's step chain and close record with nothing but Python's stdlib.
# Usage: python3 verify_bundle_standalone.py BUNDLE_FOLDER   (exit 0 and "chain OK" when intact)
import hashlib
import json
import sys


def sha(data):
    return hashlib.sha256(data).hexdigest()


def read(name):
    with open(f"{sys.argv[1]}/{name}", "rb") as handle:
        return handle.read()


manifest = json.loads(read("manifest.json"))
lines = read("steps.jsonl").split(b"\n")
if lines.pop() != b"":
    sys.exit("steps.jsonl: the last line is torn (no newline at the end)")
genesis = sha(b"cancelscout-genesis:" + manifest["run_id"].encode())
prev = genesis
for number, line in enumerate(lines, 1):
    record = json.loads(line)
    if record["index"] != number or record["prev"] != prev:
        sys.exit(f"steps.jsonl: the chain breaks at record {number}")
    for artifact in record["artifacts"]:  # each screenshot / DOM file named by the record
        if sha(read(artifact["name"])) != artifact["sha256"]:
            sys.exit(f"{artifact['name']}: differs from the hash in record {number}")
    prev = sha(line)
chain = manifest["chain"]
if (chain["genesis"], chain["head"], chain["records"]) != (genesis, prev, len(lines)):
    sys.exit("steps.jsonl: genesis, head or record count differs from manifest.json 'chain'")
own = {key: value for key, value in manifest.items() if key not in ("chain", "files")}
canonical = json.dumps(own, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
close = json.loads(lines[-1])
if close["action"] != "close" or close["manifest_fields_sha256"] != sha(canonical):
    sys.exit(f"manifest.json: its fields do not match the close record {len(lines)}")
print(f"chain OK: {len(lines)} records, head {prev}")
