#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Sourced by run.sh: reads a guest's serial console log (pure text in, text
# out, no qemu), so the verdict rules are tested on recorded consoles.  The
# markers are the ones init.sh prints, each on a line of its own:
#   IOTRACE-VM init                    /init started
#   IOTRACE-VM info release=R ...      the guest's kernel and features
#   IOTRACE-VM begin uptime=S          the scenario starts
#   IOTRACE-VM end rc=N uptime=S       the scenario ended with status N
#   IOTRACE-VM collect begin|end       around base64 of a tar.gz of the results
# A serial console ends lines with \r\n and kernel messages may come between
# any two lines; every function here allows for both.
set -u

# console_verdict LOG TIMED_OUT: prints "VERDICT RC BOOT_s CMD_s" ("-" where
# unknown).  The verdicts, first match wins:
#   NOBOOT   no init marker: the kernel never ran /init (whatever else happened)
#   PANIC    a kernel panic after /init started (oops=panic: any oops)
#   TIMEOUT  the host stopped qemu (TIMED_OUT is 1)
#   PASS     the end marker with rc=0, FAIL with any other rc
#   CRASH    /init ran, the VM ended without an end marker
console_verdict() {
	tr -d '\r' < "$1" | awk -v timed_out="$2" '
		function val(key,   i) {
			for (i = 1; i <= NF; i++)
				if (index($i, key "=") == 1)
					return substr($i, length(key) + 2)
			return "-"
		}
		/^IOTRACE-VM init$/ { init = 1 }
		/^IOTRACE-VM begin / { begin = val("uptime") }
		/^IOTRACE-VM end / { ended = 1; rc = val("rc"); end = val("uptime") }
		/Kernel panic - not syncing/ { panic = 1 }
		END {
			if (!init) v = "NOBOOT"
			else if (panic) v = "PANIC"
			else if (timed_out == 1) v = "TIMEOUT"
			else if (ended) v = rc == "0" ? "PASS" : "FAIL"
			else v = "CRASH"
			boot = begin == "" ? "-" : begin
			cmd = "-"
			if (ended && begin != "" && begin != "-" && end != "-")
				cmd = sprintf("%.2f", end - begin)
			print v, (ended ? rc : "-"), boot, cmd
		}'
}

# console_output LOG: the scenario's output, the lines between the begin and
# end markers (to the end of the log when the guest died before the end)
console_output() {
	tr -d '\r' < "$1" | awk '/^IOTRACE-VM end / { exit } on { print } /^IOTRACE-VM begin / { on = 1 }'
}

# console_release LOG: the guest kernel's release from the info marker
console_release() {
	tr -d '\r' < "$1" | awk '/^IOTRACE-VM info / {
		for (i = 3; i <= NF; i++) if (index($i, "release=") == 1) { print substr($i, 9); exit } }'
}

# console_collect LOG DIR: unpacks the collected files into DIR.  Fails when
# there are none or the end marker is missing (a cut-off archive); lines that
# are not base64 (kernel messages) are dropped.
console_collect() {
	local log=$1 dir=$2
	tr -d '\r' < "$log" | grep -qx 'IOTRACE-VM collect end' || return 1
	mkdir -p "$dir" || return 1
	tr -d '\r' < "$log" |
		awk '/^IOTRACE-VM collect end$/ { exit } on { print } /^IOTRACE-VM collect begin$/ { on = 1 }' |
		grep -E '^[A-Za-z0-9+/=]+$' | base64 -d | tar -xzf - -C "$dir"
}
