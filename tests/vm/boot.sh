#!/bin/bash
# The rig itself: the guest boots on the rig's kernel, runs the station's
# binary and console, and offers gpio-sim.
. "$(dirname "$0")/lib.sh"

vm_start
vm_serve 120
finish
