"""Baseline lamp for the end-to-end benchmark only: the common way this lamp is written in
Python asyncio (readexactly for the header, then for the value). Prints one JSON line when
FRAMES commands were applied: {"frames", "ms", "peak_rss"}.

Usage: python3 scripts/bench/asyncio_lamp.py PORT FRAMES
"""
import asyncio
import json
import sys
import time


async def main(port: int, frames: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    state = {"on": False, "color": (255, 255, 255)}
    applied = 0
    started = 0.0
    while applied < frames:
        header = await reader.readexactly(3)
        value = await reader.readexactly(int.from_bytes(header[1:3], "big"))
        kind = header[0]
        if kind == 0x12 and not value:
            state["on"] = True
        elif kind == 0x13 and not value:
            state["on"] = False
        elif kind == 0x20 and len(value) == 3:
            state["color"] = (value[0], value[1], value[2])
        else:
            continue
        if applied == 0:
            started = time.perf_counter()
        applied += 1
    elapsed = (time.perf_counter() - started) * 1000
    # VmHWM, not ru_maxrss: ru_maxrss keeps the forking parent's size across exec.
    with open("/proc/self/status") as status:
        peak = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))
    print(json.dumps({"frames": applied, "ms": elapsed, "peak_rss": peak}), flush=True)
    writer.close()


asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
