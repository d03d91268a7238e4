"""Small helpers shared by the peer comparison scripts (imported as a sibling module: the
scripts run as `python3 Benchmarks/peers/<script>.py`, so their folder is on sys.path)."""


def loadavg():
    """The 1-, 5- and 15-minute load averages as one string ("n/a" when /proc is missing)."""
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "n/a"
