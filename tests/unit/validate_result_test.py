#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tests of tests/lib/validate-result, the cases as data.

Each mutation edits a real document (tests/fixtures) in one way the format
forbids; the validator must reject the result with a message that holds the
given text, JSON path included.  The valid documents, and valid additions a
later version may make, must be accepted.  The validator runs as the tests
run it (its own path, its own python), once for all the documents of a table.

Written in python rather than shell: the mutations are edits at JSON paths,
which python does in a line each and shell could not do without jq.
"""
import copy
import json
import os
import re
import subprocess
import tempfile
import unittest

ROOT = os.path.realpath(os.path.join(os.path.dirname(__file__), "..", ".."))
VALIDATOR = os.path.join(ROOT, "tests", "lib", "validate-result")
SCHEMA = os.path.join(ROOT, "docs", "result.schema.json")
SYSCALLS_DEF = os.path.join(ROOT, "include", "syscalls.def")
FORMAT_DOC = os.path.join(ROOT, "docs", "output-format.md")
BASIC = "tests/fixtures/report/basic.json"        # hand-made: five files, every side
TRACE = "tests/fixtures/result/per-process.json"  # written by iotrace --per-process
VALID = ["tests/fixtures/report/basic.json", "tests/fixtures/report/b.json",
         "tests/fixtures/report/c.json", "tests/fuzz/corpus/basic.json",
         "tests/fuzz/corpus/dd-trace.json", "tests/fuzz/corpus/foreign.json", TRACE]
OWN_BUCKETS = [BASIC, "tests/fixtures/report/b.json", "tests/fuzz/corpus/dd-trace.json", TRACE]

# An edit is (operation, JSON path, value):
#   set   the value at the path (created when missing)
#   del   the key or item at the path
#   copy  the value at the path, copied from the path given as value
#   swap  the values at the path and at the path given as value
#   text  replace the text given as path by value in the written document
#   bytes the whole document is value (bytes)
# A case is (name, document, edits, text the message must hold[, validator options]).
P0 = "files[0]"
MAPPED = {"faults": 3, "write_faults": 1, "first_fault_ns": 5000, "last_fault_ns": 9000000}
# BASIC's filter object with trace-time filters its files do not all pass
FILTERED = {"pids": [], "comms": [], "command": None, "per_process": False,
            "paths": ["/data"], "exclude": ["/data/dbx"], "fstypes": [], "exclude_fstypes": [],
            "excluded_files": 3}
SC = P0 + ".syscalls"
# two copies of 4096 and 100 bytes into a file, its entry and its copy_write side
COPY_SC = {"calls": 2, "errors": 0, "bytes": 4196, "req_hist": [[4096, 8191, 2]],
           "done_hist": [[64, 127, 1], [4096, 8191, 1]]}
COPY_SIDE = {"calls": 2, "errors": 0, "bytes": 4196, "first_entry_ns": 10, "last_return_ns": 20,
             "seq_calls": 1, "streams": 1, "seq_hist": [[4096, 8191, 1]], "rewrites": 0}
MUTATIONS = [
    # ---- what the schema says ----------------------------------------------------------
    ("schema version", BASIC, [("set", "schema", 3)], "schema: expected 1 or 2, got 3"),
    ("side latencies that miss a call", BASIC, [("set", P0 + ".read.total_ns", 20000000),
                                                 ("set", P0 + ".read.lat_hist", [[4096, 5119, 4999]])],
     "files[0].read.lat_hist: counts add up to 4999, want 5000 (calls)"),
    ("side latencies beyond their histogram", BASIC, [
        ("set", P0 + ".read.total_ns", 1), ("set", P0 + ".read.lat_hist", [[4096, 5119, 5000]])],
     "files[0].read.total_ns: 1 is outside [20480000, 25595000]"),
    ("a side's total_ns without lat_hist", BASIC, [("set", P0 + ".read.total_ns", 7)],
     "files[0].read: 'total_ns' without 'lat_hist'"),
    ("an open flag on more streams than the side has", BASIC, [
        ("set", P0 + ".read.streams", 2), ("set", P0 + ".read.open_flags", {"O_DIRECT": 3})],
     "files[0].read.open_flags.O_DIRECT: 3 > streams 2"),
    ("a copy side without copies", BASIC, [("set", P0 + ".copy_read", COPY_SIDE)],
     "files[0].copy_read.calls: 2, but the copy_read-type syscalls add up to 0"),
    ("copies beyond the copy sides", BASIC, [("set", SC + ".copy_file_range", COPY_SC),
                                              ("set", P0 + ".copy_write", None)],
     "files[0].syscalls.copy_file_range.calls: 2, but copy_read and copy_write hold only 0"),
    ("schema 2 without generation", BASIC, [("set", "schema", 2)],
     "files[0]: missing 'generation'"),
    ("schema 2 side without streams", BASIC, [("set", "schema", 2)]
     + [("set", f"files[{i}].generation", 0) for i in range(5)]
     + [("set", f"files[{i}].former_paths", []) for i in range(5)],
     "files[0].read: missing 'streams'"),
    ("generation beyond 32 bits", BASIC, [("set", P0 + ".generation", 2**32)],
     "files[0].generation: 4294967296 is beyond the maximum 4294967295"),
    ("former path not absolute", BASIC, [("set", P0 + ".former_paths", ["x.tmp"])],
     "files[0].former_paths[0]"),
    ("former path that is the path", BASIC, [("set", P0 + ".former_paths", ["/data/db/table.dat"])],
     "files[0].former_paths: holds the path itself"),
    ("more streams than calls", BASIC, [("set", "files[4].write.streams", 501)],
     "files[4].write.streams: 501 > calls 500"),
    ("top-level key missing", BASIC, [("del", "dropped", None)],
     "(top level): missing 'dropped'"),
    ("FILE key missing", BASIC, [("del", P0 + ".fstype", None)], "files[0]: missing 'fstype'"),
    ("wrong type", BASIC, [("set", P0 + ".ino", "100")],
     "files[0].ino: expected integer, got a string"),
    ("boolean for a count", BASIC, [("set", SC + ".close.errors", False)],
     "files[0].syscalls.close.errors: expected integer, got a boolean"),
    ("fraction for a count", BASIC, [("text", '"ino": 100,', '"ino": 100.0,')],
     "files[0].ino: expected integer, got a number with a fraction or exponent"),
    ("negative count", BASIC, [("set", SC + ".pread64.errors", -1)],
     "files[0].syscalls.pread64.errors: -1 is below the minimum 0"),
    ("beyond 2^64 - 1", BASIC, [("set", P0 + ".ino", 2**64)],
     "files[0].ino: 18446744073709551616 is beyond the maximum 18446744073709551615"),
    ("syscall without calls", BASIC, [("set", SC + ".close.calls", 0)],
     "files[0].syscalls.close.calls: 0 is below the minimum 1"),
    ("side without calls", BASIC, [("set", P0 + ".read.calls", 0)],
     "files[0].read.calls: 0 is below the minimum 1"),
    ("side member missing", BASIC, [("del", P0 + ".write.rewrites", None)],
     "files[0].write: missing 'rewrites'"),
    ("read-type syscall without a histogram", BASIC, [("del", SC + ".pwrite64.done_hist", None)],
     "files[0].syscalls.pwrite64: missing 'done_hist'"),
    ("fsync-type syscall without total_ns", BASIC, [("del", SC + ".fdatasync.total_ns", None)],
     "files[0].syscalls.fdatasync: missing 'total_ns'"),
    ("zero bucket", BASIC, [("set", SC + ".pread64.req_hist[0][2]", 0)],
     "files[0].syscalls.pread64.req_hist[0][2]: 0 is below the minimum 1"),
    ("bucket of two", BASIC, [("set", SC + ".pread64.req_hist[0]", [8192, 5000])],
     "files[0].syscalls.pread64.req_hist[0]: expected [lo, hi, count], got [8192, 5000]"),
    ("bucket of four", BASIC, [("set", SC + ".pread64.req_hist[0]", [8192, 16383, 5000, 1])],
     "files[0].syscalls.pread64.req_hist[0]: expected [lo, hi, count]"),
    ("dev without a colon", BASIC, [("set", P0 + ".dev", "8-1")],
     'files[0].dev: "8-1" does not match'),
    ("dev with a leading zero", BASIC, [("set", P0 + ".dev", "08:1")],
     'files[0].dev: "08:1" does not match'),
    ("relative path", BASIC, [("set", P0 + ".path", "data/db/table.dat")],
     'files[0].path: "data/db/table.dat" does not match'),
    ("path_hex in upper case", BASIC,
     [("set", "files[3].path_hex", "2F746D702F636166E92E747874")],
     "files[3].path_hex: \"2F746D702F636166E92E747874\" does not match"),
    ("start not UTC", BASIC, [("set", "start", "2025-11-26T01:00:00.000000000+01:00")],
     'start: "2025-11-26T01:00:00.000000000+01:00" does not match'),
    ("start without nanoseconds", BASIC, [("set", "start", "2025-11-26T00:00:00Z")],
     'start: "2025-11-26T00:00:00Z" does not match'),
    ("seventeen comms", BASIC, [("set", P0 + ".comms", [f"c{i}" for i in range(17)])],
     "files[0].comms: has 17 items, at most 16 allowed"),
    ("comm twice", BASIC, [("set", P0 + ".comms", ["postgres", "postgres"])],
     "files[0].comms: has an item twice"),
    ("comm of 16 bytes", BASIC, [("set", P0 + ".comms", ["postgres-checkpt"])],
     'files[0].comms[0]: "postgres-checkpt" is longer than 15 characters'),
    ("pid without comm", BASIC, [("set", P0 + ".pid", 42)], "files[0]: 'pid' without 'comm'"),
    ("pid 0", TRACE, [("set", P0 + ".pid", 0)], "files[0].pid: 0 is below the minimum 1"),
    ("per-process FILE without pid", TRACE,
     [("del", P0 + ".pid", None), ("del", P0 + ".comm", None)],
     "files[0]: missing 'pid' (filter.per_process is true)"),
    ("tool of another name", BASIC, [("set", "tool.name", "otrace")],
     'tool.name: expected "iotrace", got "otrace"'),
    ("empty command", BASIC, [("set", "filter.command", [])],
     "filter.command: has 0 items, at least 1 allowed"),
    ("side neither object nor null", BASIC, [("set", P0 + ".fsync", [])],
     "files[0].fsync: expected object or null, got an array"),
    ("syscall name not a name", BASIC, [("copy", SC + '["Pread 64"]', SC + ".pread64")],
     'files[0].syscalls: key "Pread 64" does not match'),
    ("unknown syscall without errors", BASIC, [("set", SC + ".madvise", {"calls": 3})],
     "files[0].syscalls.madvise: missing 'errors'"),
    # ---- JSON itself ----------------------------------------------------------------------
    ("key twice", BASIC, [("text", '"ino": 100,', '"ino": 100, "ino": 101,')],
     'files[0]: key "ino" appears twice'),
    ("NaN", BASIC, [("text", '"ino": 100,', '"ino": NaN,')], "(top level): not JSON"),
    ("not UTF-8", BASIC, [("bytes", None, b'{"schema": 1, "x": "\xff"}')],
     "(top level): not UTF-8: byte 0xff at offset 20"),
    ("truncated", BASIC, [("bytes", None, b'{"schema": 1, ')], "(top level): not JSON"),
    ("nested too deeply", BASIC, [("bytes", None, b'{"x": ' + b"[" * 5000 + b"]" * 5000 + b"}")],
     "(top level): not JSON this validator can read: nested too deeply"),
    # ---- histograms -------------------------------------------------------------------
    ("buckets descending", BASIC,
     [("swap", SC + ".fdatasync.lat_hist[0]", SC + ".fdatasync.lat_hist[1]")],
     "files[0].syscalls.fdatasync.lat_hist[1]: buckets not ascending"),
    ("buckets overlapping", BASIC, [("set", SC + ".fdatasync.lat_hist[1][0]", 917503)],
     "files[0].syscalls.fdatasync.lat_hist[1]: buckets not ascending: lo 917503 is not above"),
    ("lo above hi", BASIC, [("set", SC + ".pread64.req_hist[0]", [16383, 8192, 5000])],
     "files[0].syscalls.pread64.req_hist[0]: lo 16383 > hi 8192"),
    ("unknown syscall's histogram out of order", BASIC,
     [("set", SC + ".madvise", {"calls": 2, "errors": 0, "req_hist": [[8, 15, 1], [0, 0, 1]]})],
     "files[0].syscalls.madvise.req_hist[1]: buckets not ascending"),
    ("req_hist short of calls", BASIC, [("set", SC + ".pread64.req_hist[0][2]", 4999)],
     "files[0].syscalls.pread64.req_hist: counts add up to 4999, want 5000 (calls)"),
    ("done_hist counts the failed calls", BASIC, [("set", SC + ".pwrite64.done_hist[0][2]", 2000)],
     "files[0].syscalls.pwrite64.done_hist: counts add up to 2000, want 1990 (calls - errors)"),
    ("lat_hist short of calls", BASIC, [("set", SC + ".fdatasync.lat_hist[2][2]", 4)],
     "files[0].syscalls.fdatasync.lat_hist: counts add up to 49, want 50 (calls)"),
    ("fsync.lat_hist short of calls", BASIC, [("set", P0 + ".fsync.lat_hist[2][2]", 4)],
     "files[0].fsync.lat_hist: counts add up to 49, want 50 (calls)"),
    ("seq_hist short of seq_calls", BASIC, [("set", P0 + ".read.seq_hist[0][2]", 1199)],
     "files[0].read.seq_hist: counts add up to 1199, want 1200 (seq_calls)"),
    ("foreign bucket with --own-buckets", BASIC, [("set", SC + ".pread64.req_hist[0][0]", 8000)],
     "files[0].syscalls.pread64.req_hist[0]: [8000, 16383] is not a bucket of iotrace's size "
     "scheme", ["--own-buckets"]),
    ("size bucket for a latency with --own-buckets", BASIC,
     [("set", P0 + ".fsync.lat_hist[0]", [524288, 1048575, 20])],
     "files[0].fsync.lat_hist[0]: [524288, 1048575] is not a bucket of iotrace's latency "
     "scheme", ["--own-buckets"]),
    # ---- counters -----------------------------------------------------------------------
    ("errors above calls", BASIC, [("set", SC + ".close.errors", 3)],
     "files[0].syscalls.close: errors 3 > calls 2"),
    ("fsync errors above calls", BASIC, [("set", P0 + ".fsync.errors", 51)],
     "files[0].fsync: errors 51 > calls 50"),
    ("bytes beyond done_hist", BASIC, [("set", SC + ".pread64.bytes", 81920000)],
     "files[0].syscalls.pread64.bytes: 81920000 is outside [40960000, 81915000], what "
     "done_hist allows"),
    ("seq_calls above the successful calls", BASIC,
     [("set", P0 + ".write.seq_calls", 1991), ("set", P0 + ".write.seq_hist[0][2]", 1991)],
     "files[0].write.seq_calls: 1991 > the 1990 calls that succeeded"),
    ("bytes below seq_hist", BASIC, [("set", "files[2].read.bytes", 1000),
                                     ("set", "files[2].syscalls.read.bytes", 0),
                                     ("set", "files[2].syscalls.readv.bytes", 1000),
                                     ("set", "files[2].syscalls.read.done_hist", [[0, 0, 4]]),
                                     ("set", "files[2].syscalls.readv.done_hist",
                                      [[0, 1023, 2]])],
     "files[2].read.bytes: 1000 is less than the 9216 bytes seq_hist counts at least"),
    ("rewrites as many as calls", BASIC, [("set", P0 + ".write.rewrites", 2000)],
     "files[0].write.rewrites: 2000 is not below calls 2000"),
    ("last return without a success", TRACE, [("set", "files[7].write.last_return_ns", 50032034)],
     "files[7].write.last_return_ns: a time, but no call succeeded (want null)"),
    # ---- sums over syscalls ---------------------------------------------------------------
    ("read.calls beyond its syscalls", BASIC, [("set", P0 + ".read.calls", 5001)],
     "files[0].read.calls: 5001, but the read-type syscalls add up to 5000"),
    ("read.bytes below its syscalls", BASIC, [("set", "files[2].read.bytes", 11191)],
     "files[2].read.bytes: 11191, but the read-type syscalls add up to 11192"),
    ("write.errors beside its syscalls", BASIC, [("set", P0 + ".write.errors", 11)],
     "files[0].write.errors: 11, but the write-type syscalls add up to 10"),
    ("read null beside read syscalls", BASIC, [("set", P0 + ".read", None)],
     "files[0].read: null, but its read-type syscalls have 5000 calls"),
    ("side without its syscalls", BASIC, [("del", "files[4].syscalls.write", None)],
     "files[4].write.calls: 500, but the write-type syscalls add up to 0"),
    ("fsync.total_ns beside its syscalls", BASIC, [("set", P0 + ".fsync.total_ns", 100500001)],
     "files[0].fsync.total_ns: 100500001, but the fsync-type syscalls add up to 100500000"),
    ("fsync null beside fdatasync", BASIC, [("set", P0 + ".fsync", None)],
     "files[0].fsync: null, but fsync-type syscalls have 50 calls"),
    ("fsync without fsync-type syscalls", TRACE, [("del", "files[11].syscalls.fsync", None)],
     "files[11].fsync.calls: 1, but the fsync-type syscalls add up to 0"),
    ("sendfile's side beyond sendfile", TRACE, [("set", "files[9].read.calls", 11)],
     "files[9].read.calls: 11, but the read-type syscalls add up to 0 and sendfile at most 10"),
    ("sendfile not held by the sides", TRACE, [("set", "files[9].syscalls.sendfile.calls", 12)],
     "files[9].syscalls.sendfile.calls: 12, but read and write hold only 11 beyond"),
    # ---- times --------------------------------------------------------------------------
    ("first entry after the end", BASIC, [("set", "files[4].write.first_entry_ns", 10000000001),
                                          ("set", "files[4].write.last_return_ns", None)],
     "files[4].write.first_entry_ns: 10000000001 is after the end of the trace"),
    ("last return after the end", BASIC, [("set", P0 + ".read.last_return_ns", 10000000001)],
     "files[0].read.last_return_ns: 10000000001 is outside [first_entry_ns 1000000, "
     "duration_ns 10000000000]"),
    ("last return before the first entry", BASIC, [("set", P0 + ".read.last_return_ns", 999999)],
     "files[0].read.last_return_ns: 999999 is outside [first_entry_ns 1000000"),
    ("start and start_unix_ns apart", BASIC, [("set", "start_unix_ns", 1764115200000000001)],
     'start: "2025-11-26T00:00:00.000000000Z" is not the instant of start_unix_ns '
     "(2025-11-26T00:00:00.000000001Z)"),
    ("start on a day that does not exist", BASIC,
     [("set", "start", "2025-02-30T00:00:00.000000000Z")],
     "is not the instant of start_unix_ns"),
    # ---- identity and order -------------------------------------------------------------
    ("files not sorted", BASIC, [("swap", "files[0]", "files[1]")],
     "files[1].path: \"/data/db/table.dat\" sorts before the path of files[0]"),
    ("files sorted as text, not as bytes", BASIC, [
        ("set", "files[3].path", "/tmp/x\ufffd"), ("set", "files[3].path_hex", "2f746d702f78f5"),
        ("set", "files[4].path", "/tmp/x\U0001f600")],
     'files[4].path: "/tmp/x\U0001f600" sorts before the path of files[3]'),
    ("the same record twice", BASIC, [("copy", "files[1]", "files[0]")],
     "files[1]: a second record of the same path, dev, ino, generation and pid"),
    ("path_hex not the path", BASIC, [("set", "files[3].path_hex", "2f746d702f636166e92e747878")],
     "files[3].path_hex: its bytes, invalid ones as U+FFFD, are not the path"),
    ("path_hex replaced by maximal subparts", BASIC, [
        ("set", "files[3].path", "/tmp/a\ufffd("),
        ("set", "files[3].path_hex", "2f746d702f61e28228")],
     "files[3].path_hex: its bytes, invalid ones as U+FFFD, are not the path"),
    ("dev beyond Linux", BASIC, [("set", P0 + ".dev", "4096:1")],
     'files[0].dev: "4096:1" is beyond a Linux dev_t'),
    # ---- page faults on mappings --------------------------------------------------------
    ("more write faults than faults", BASIC, [("set", P0 + ".mapped", dict(MAPPED, write_faults=4))],
     "files[0].mapped.write_faults: 4 > faults 3"),
    ("a fault after the end", BASIC, [
        ("set", P0 + ".mapped", dict(MAPPED, last_fault_ns=10000000001))],
     "files[0].mapped.last_fault_ns: 10000000001 is outside"),
    ("mapped with no fault", BASIC, [("set", P0 + ".mapped", dict(MAPPED, faults=0))],
     "files[0].mapped.faults"),
    ("page_cache with no page", BASIC, [("set", P0 + ".page_cache", {"pages_added": 0})],
     "files[0].page_cache.pages_added"),
    # ---- trace-time filters: every FILE passes them by its first name ----------------------
    ("a file outside filter.paths", BASIC, [("set", "filter", FILTERED)],
     'files[2].path: "/etc/app/config.yaml" is below none of filter.paths'),
    ("/database is not below /data", BASIC, [
        ("set", "filter", FILTERED), ("set", "filter.paths", ["/data", "/database"]),
        ("set", "filter.exclude", []), ("set", "files[1].path", "/database/x")],
     'files[2].path: "/etc/app/config.yaml" is below none of filter.paths'),
    ("a file below filter.exclude", BASIC, [
        ("set", "filter", FILTERED), ("set", "filter.paths", []),
        ("set", "filter.exclude", ["/data/db"])],
     'files[0].path: "/data/db/table.dat" is below filter.exclude "/data/db"'),
    ("judged by the first name, not the last", BASIC, [
        ("set", "filter", FILTERED), ("set", "filter.paths", []),
        ("set", "filter.exclude", ["/old"]), ("set", P0 + ".former_paths", ["/old/t.dat"])],
     'files[0].path: "/old/t.dat" is below filter.exclude "/old"'),
    ("a file of another fstype", BASIC, [
        ("set", "filter", FILTERED), ("set", "filter.paths", []),
        ("set", "filter.fstypes", ["ext4", "tmpfs"])],
     'files[4].fstype: "xfs" is none of filter.fstypes'),
    ("a file of an excluded fstype", BASIC, [
        ("set", "filter", FILTERED), ("set", "filter.paths", []),
        ("set", "filter.exclude_fstypes", ["tmpfs"])],
     'files[3].fstype: "tmpfs" is in filter.exclude_fstypes'),
    ("filter lists without excluded_files", BASIC, [
        ("set", "filter", FILTERED), ("del", "filter.excluded_files", None)],
     "excluded_files"),
]

# Valid variations: later additions the format allows, and other writers' choices.
ADDITIONS = [
    ("page faults on a file's mappings", BASIC, [("set", P0 + ".mapped", MAPPED)]),
    ("pages added to the page cache", BASIC, [("set", P0 + ".page_cache", {"pages_added": 64})]),
    ("trace-time filters every file passes", BASIC, [
        ("set", "filter", FILTERED), ("set", "filter.paths", ["/data", "/etc/app/config.yaml",
                                                              "/tmp", "/var"]),
        ("set", "filter.exclude", ["/data/dbx", "/var/log/app"]),
        ("set", "filter.exclude_fstypes", ["proc"])]),
    ("unknown keys at every level", BASIC, [
        ("set", "future", {"x": 1}), ("set", "tool.build", "abc"), ("set", "host.cpus", 4),
        ("set", "filter.uids", [0]), ("set", "dropped.paths", 2), ("set", P0 + ".mode", "0644"),
        ("set", SC + ".pread64.lat_hist", [[0, 0, 1]]), ("set", P0 + ".read.p99", 5),
        ("set", P0 + ".write.note", None), ("set", P0 + ".fsync.max_ns", 7)]),
    ("open flags", BASIC, [("set", P0 + ".read.streams", 2),
                           ("set", P0 + ".read.open_flags", {"O_DIRECT": 2, "O_NOATIME": 1})]),
    ("side latencies", BASIC, [("set", P0 + ".read.total_ns", 21000000),
                               ("set", P0 + ".read.lat_hist", [[4096, 5119, 5000]])]),
    ("a copy into the file", BASIC, [
        ("set", SC + ".copy_file_range", COPY_SC), ("set", P0 + ".copy_write", COPY_SIDE)]),
    ("an unknown syscall with all the members", BASIC, [
        ("set", SC + ".future_call", {
            "calls": 3, "errors": 1, "bytes": 100, "total_ns": 5, "req_hist": [[0, 99, 3]],
            "done_hist": [[100, 100, 1]], "lat_hist": [[1, 1, 1], [2, 2, 2]]})]),
    ("another writer's bucket scheme", BASIC, [
        ("set", SC + ".pread64.req_hist", [[0, 9999, 1000], [10000, 19999, 4000]])]),
    ("a reused inode number: two generations", BASIC, [
        ("copy", "files[1]", "files[0]"), ("set", "files[0].generation", 7),
        ("set", "files[1].generation", 8)]),
    ("a report's group", BASIC, [
        ("set", P0 + ".path", "/[ext]/*.dat"), ("set", P0 + ".dev", "0:0"),
        ("set", P0 + ".ino", 0), ("set", P0 + ".fstype", "mixed")]),
    ("a path of every byte but NUL", BASIC, [
        ("set", "files[4].path", "/var/log/\u0001\n\"\\ \u00e9\U0001f600"),
        ("set", "files[4].path_hex", "2f7661722f6c6f672f010a225c20c3a9f09f9880")]),
    ("sorted by bytes, not as text", BASIC, [
        ("set", "files[3].path", "/tmp/x\U0001f600"), ("del", "files[3].path_hex", None),
        ("set", "files[4].path", "/tmp/x\ufffd"), ("set", "files[4].path_hex", "2f746d702f78f5")]),
    ("each invalid byte one U+FFFD: truncated, overlong, surrogate", BASIC, [
        ("set", "files[3].path", "/tmp/a\ufffd\ufffd(" + "\ufffd" * 5 + "z"),
        ("set", "files[3].path_hex", "2f746d702f61e28228c0afeda0807a")]),
]

OWN_ADDITIONS = [
    ("the open-ended last buckets", BASIC, [
        ("set", SC + ".pread64.req_hist", [[0, 0, 1], [1, 1, 1], [2**62, 2**64 - 1, 4998]]),
        ("set", P0 + ".fsync.lat_hist", [[3, 3, 1], [4, 4, 1], [8, 9, 1], [16, 19, 1],
                                         [1024, 1279, 1], [6 << 38, (7 << 38) - 1, 1],
                                         [7 << 38, 2**64 - 1, 44]])]),
]


# ---- applying edits -----------------------------------------------------------------------

def steps(path):
    """"files[0].syscalls["a b"].x" -> ["files", 0, "syscalls", "a b", "x"]"""
    out = []
    for m in re.finditer(r'\[(\d+)\]|\["([^"]*)"\]|([^.\[\]]+)', path):
        out.append(int(m[1]) if m[1] is not None else m[2] if m[2] is not None else m[3])
    return out


def locate(doc, path):
    *head, last = steps(path)
    for k in head:
        doc = doc[k]
    return doc, last


def apply(doc, edits):
    """The document after the edits, as bytes."""
    doc = copy.deepcopy(doc)
    texts = []
    for op, path, value in edits:
        if op == "bytes":
            return value
        if op == "text":
            texts.append((path, value))
            continue
        parent, key = locate(doc, path)
        if op == "set":
            parent[key] = copy.deepcopy(value)
        elif op == "del":
            del parent[key]
        elif op == "copy":
            src, skey = locate(doc, value)
            parent[key] = copy.deepcopy(src[skey])
        elif op == "swap":
            other, okey = locate(doc, value)
            parent[key], other[okey] = other[okey], parent[key]
    text = json.dumps(doc, indent=2, ensure_ascii=False)
    for old, new in texts:
        if old not in text:
            raise AssertionError(f"text {old!r} is not in the document")
        text = text.replace(old, new, 1)
    return text.encode("utf-8")


def load(rel):
    with open(os.path.join(ROOT, rel), encoding="utf-8") as fh:
        return json.load(fh)


def run(args):
    return subprocess.run([VALIDATOR] + args, capture_output=True, text=True, timeout=120)


def lines_by_file(out):
    """{file: the rest of its line} of the validator's output."""
    res = {}
    for line in out.splitlines():
        name, sep, rest = line.partition(": ")
        res[name] = rest
    return res


class Mutations(unittest.TestCase):
    """Every mutation is rejected, each with its own message."""

    def check_table(self, cases, opts):
        with tempfile.TemporaryDirectory() as tmp:
            paths = []
            for i, (name, base, edits, _) in enumerate(cases):
                doc = load(base)
                raw = apply(doc, edits)
                self.assertNotEqual(raw, apply(doc, []), f"{name}: the edits change nothing")
                paths.append(os.path.join(tmp, f"case{i}.json"))
                with open(paths[-1], "wb") as fh:
                    fh.write(raw)
            p = run(opts + paths)
            self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
            got = lines_by_file(p.stdout)
            for path, (name, base, _, want) in zip(paths, cases):
                with self.subTest(name):
                    self.assertIn(path, got, f"no line for {name}: {p.stdout}")
                    self.assertNotIn("ok (", got[path])
                    self.assertIn(want, got[path])

    def test_each_mutation_is_rejected_with_its_message(self):
        plain = [c[:4] for c in MUTATIONS if len(c) == 4]
        self.check_table(plain, [])

    def test_foreign_buckets_are_rejected_with_own_buckets(self):
        own = [c[:4] for c in MUTATIONS if len(c) == 5 and c[4] == ["--own-buckets"]]
        self.assertTrue(own)
        self.check_table(own, ["--own-buckets"])

    def test_the_same_foreign_buckets_are_valid_without_it(self):
        own = [c for c in MUTATIONS if len(c) == 5]
        with tempfile.TemporaryDirectory() as tmp:
            paths = []
            for i, (name, base, edits, _, _) in enumerate(own):
                paths.append(os.path.join(tmp, f"case{i}.json"))
                with open(paths[-1], "wb") as fh:
                    fh.write(apply(load(base), edits))
            p = run(paths)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)


class ValidDocuments(unittest.TestCase):
    """Real documents and the additions the format allows are accepted."""

    def accept(self, rels_or_docs, opts):
        with tempfile.TemporaryDirectory() as tmp:
            paths = []
            for i, item in enumerate(rels_or_docs):
                if isinstance(item, str):
                    paths.append(os.path.join(ROOT, item))
                    continue
                paths.append(os.path.join(tmp, f"doc{i}.json"))
                with open(paths[-1], "wb") as fh:
                    fh.write(item)
            p = run(opts + paths)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            got = lines_by_file(p.stdout)
            for path in paths:
                self.assertRegex(got.get(path, ""), r"^ok \([0-9]+ files\)$", path)

    def test_fixtures_are_valid(self):
        self.accept(VALID, [])

    def test_the_tracer_s_documents_use_its_own_buckets(self):
        self.accept(OWN_BUCKETS, ["--own-buckets"])

    def test_additions_the_format_allows_are_valid(self):
        self.accept([apply(load(base), edits) for _, base, edits in ADDITIONS], [])

    def test_every_bucket_bound_of_our_schemes_is_accepted(self):
        self.accept([apply(load(base), edits) for _, base, edits in OWN_ADDITIONS],
                    ["--own-buckets"])

    def test_the_count_of_files_is_reported(self):
        p = run([os.path.join(ROOT, BASIC)])
        self.assertEqual(p.stdout, os.path.join(ROOT, BASIC) + ": ok (5 files)\n")


class CommandLine(unittest.TestCase):
    def test_no_file_is_a_usage_error(self):
        p = run([])
        self.assertEqual(p.returncode, 2)
        self.assertIn("usage: validate-result", p.stderr)

    def test_an_unknown_option_is_a_usage_error(self):
        p = run(["--strict", os.path.join(ROOT, BASIC)])
        self.assertEqual(p.returncode, 2)

    def test_one_bad_document_fails_the_run_and_the_others_still_get_their_line(self):
        missing = os.path.join(ROOT, "no-such.json")
        p = run([missing, os.path.join(ROOT, BASIC)])
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stdout.splitlines(), [
            f"{missing}: No such file or directory",
            f"{os.path.join(ROOT, BASIC)}: ok (5 files)"])


def syscalls_def():
    """[(name, kind in the schema's terms)] of include/syscalls.def, in its order: the kind
    from the line's SC_KIND_* field, sendfile's from its second descriptor (OUT_FD)."""
    kind_of = {"SC_KIND_READ": "read_type", "SC_KIND_WRITE": "write_type",
               "SC_KIND_SYNC": "sync_type", "SC_KIND_CLOSE": "close", "SC_KIND_COPY": "copy_type"}
    out = []
    with open(SYSCALLS_DEF, encoding="utf-8") as fh:
        for args in re.findall(r"^X\((.*)\)\s*$", fh.read(), re.M):
            fields = [f.strip() for f in re.split(r",(?![^(]*\))", args)]
            kind = next(kind_of[f] for f in fields if f in kind_of)
            sendfile = any(f.startswith("OUT_FD(") for f in fields)
            out.append((fields[0], "sendfile" if sendfile and kind == "read_type" else kind))
    # the operations of asynchronous I/O after them (enum sc_idx, include/iotrace_abi.h):
    # SC_aio_* and SC_uring_*, whose entries are named io_uring_*
    with open(os.path.join(ROOT, "include", "iotrace_abi.h"), encoding="utf-8") as fh:
        ops = re.findall(r"^\s*SC_((?:aio|uring)_\w+),", fh.read(), re.M)
    for op in ops:
        name = "io_" + op if op.startswith("uring_") else op
        kind = ("async_sync_type" if "sync" in op else
                "async_write_type" if "write" in op else "async_read_type")
        out.append((name, kind))
    return out


def doc_blocks(lang):
    """The code blocks of docs/output-format.md fenced as ```lang."""
    blocks, inside, keep, cur = [], False, False, []
    with open(FORMAT_DOC, encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("```"):
                if inside and keep:
                    blocks.append("".join(cur))
                inside, keep, cur = not inside, line.strip() == "```" + lang, []
            elif inside and keep:
                cur.append(line)
    return blocks


class FormatDocs(unittest.TestCase):
    """The schema and docs/output-format.md agree with include/syscalls.def."""

    def test_the_schema_names_the_syscalls_of_syscalls_def_with_their_kinds(self):
        want = dict(syscalls_def())
        with open(SCHEMA, encoding="utf-8") as fh:
            props = json.load(fh)["$defs"]["file"]["properties"]["syscalls"]["properties"]
        got = {n: s["$ref"].rsplit("/", 1)[1] for n, s in props.items()}
        self.assertGreater(len(want), 10)
        self.assertEqual(got, want)

    def test_the_example_document_is_valid(self):
        blocks = doc_blocks("json")
        self.assertEqual(len(blocks), 1)
        p = subprocess.run([VALIDATOR, "--own-buckets", "-"], input=blocks[0],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual((p.returncode, p.stdout), (0, "-: ok (1 files)\n"), p.stderr)

    def test_the_example_csv_header_has_the_documented_columns(self):
        cols = ["path", "dev", "ino", "generation", "fstype", "deleted", "former_paths", "comms"]
        for side in ("read", "write", "copy_read", "copy_write", "async_read", "async_write"):
            cols += [f"{side}.{k}" for k in ("calls", "errors", "bytes", "seq_calls", "streams",
                                            "first_entry_ns", "last_return_ns", "total_ns")]
            cols += [f"{side}.rewrites"] if side.endswith("write") else []
        cols += ["fsync.calls", "fsync.errors", "fsync.total_ns"]
        for name, _ in syscalls_def():
            cols += [f"syscalls.{name}.{k}" for k in ("calls", "errors", "bytes")]
        header, row = doc_blocks("")[-1].splitlines()
        self.assertEqual(header.split(","), cols)
        self.assertEqual(len(row.split(",")), len(cols))


if __name__ == "__main__":
    unittest.main()
