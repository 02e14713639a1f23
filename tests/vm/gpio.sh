#!/bin/bash
# Pumps on relays: the station's libgpiod driver drives gpio-sim lines
# named like relay boards, active-high and active-low; the kernel's view of
# each line is read in sysfs at every step, and its trace of driven values
# shows what the station did before a signal ended it.
. "$(dirname "$0")/lib.sh"

vm_start
vm_serve 240
finish
