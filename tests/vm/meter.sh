#!/bin/bash
# Pulse water meters: gpio-sim drives pulses into the station's libgpiod
# meter driver, through the kernel's edge events and debounce; water is
# counted to the pulse, a burst faster than the meter can give is noise.
. "$(dirname "$0")/lib.sh"

vm_start
vm_serve 180
finish
