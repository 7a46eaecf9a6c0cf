#!/usr/bin/env python3
"""Google's protobuf runtime against our headers, for tests/api_crosscheck.rs.

Loads the message types from a FileDescriptorSet (protoc --descriptor_set_out of proto/net/*.proto,
so no generated Python code and no protoc/runtime version coupling), then for each case read as
JSON from stdin:
  * decodes the Rust header with Python's strict base64 and Google's parser, re-serialises it
    (deterministic) and reports the bytes;
  * builds the same message from its protobuf-JSON form (field names, base64 bytes) and reports
    the serialised bytes.
The Rust side asserts both equal its own encoding byte for byte.

  proto_check.py DESCRIPTOR_SET < cases.json > results.json

Install: .venv/bin/pip install protobuf
"""
import base64
import json
import sys

from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory


def main() -> int:
    fds = descriptor_pb2.FileDescriptorSet()
    with open(sys.argv[1], "rb") as f:
        fds.ParseFromString(f.read())
    pool = descriptor_pool.DescriptorPool()
    for fd in fds.file:
        pool.Add(fd)
    cases = json.load(sys.stdin)
    out = []
    for case in cases:
        cls = message_factory.GetMessageClass(pool.FindMessageTypeByName(case["type"]))
        raw = base64.b64decode(case["b64"], validate=True)
        parsed = cls()
        parsed.ParseFromString(raw)
        built = json_format.ParseDict(case["json"], cls())
        out.append(
            {
                "reencoded": base64.b64encode(parsed.SerializeToString(deterministic=True)).decode(),
                "from_json": base64.b64encode(built.SerializeToString(deterministic=True)).decode(),
                "equal": parsed == built,
            }
        )
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
