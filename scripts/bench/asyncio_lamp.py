"""Baseline lamp for the end-to-end benchmark only: the common way this lamp is written in
Python asyncio (readexactly for the header, then for the value). ON, OFF and COLOR change the
state, unknown types are skipped, wrong lengths counted as malformed. On EOF it prints
{"applied", "unknown", "malformed", "on", "color", "peak_rss"} to stderr and exits.

Usage: python3 scripts/bench/asyncio_lamp.py PORT
"""
import asyncio
import json
import sys


async def main(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    counts = {"applied": 0, "unknown": 0, "malformed": 0}
    on = False
    color = 0xFFFFFF
    try:
        while True:
            header = await reader.readexactly(3)
            value = await reader.readexactly(int.from_bytes(header[1:3], "big"))
            kind = header[0]
            if kind in (0x12, 0x13):
                if value:
                    counts["malformed"] += 1
                    continue
                on = kind == 0x12
            elif kind == 0x20:
                if len(value) != 3:
                    counts["malformed"] += 1
                    continue
                color = int.from_bytes(value, "big")
            else:
                counts["unknown"] += 1
                continue
            counts["applied"] += 1
    except asyncio.IncompleteReadError:
        pass
    # VmHWM, not ru_maxrss: ru_maxrss keeps the forking parent's size across exec.
    with open("/proc/self/status") as status:
        peak = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))
    stats = {**counts, "on": on, "color": f"#{color:06x}", "peak_rss": peak}
    print(json.dumps(stats, separators=(",", ":")), file=sys.stderr, flush=True)
    writer.close()


asyncio.run(main(int(sys.argv[1])))
