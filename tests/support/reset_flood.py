"""Connects to a port again and again and resets each connection (SO_LINGER 0) right away.

Usage: reset_flood.py PORT COUNT PER_SECOND. Prints "done" after COUNT connections.
"""
import socket
import struct
import sys
import time

port, count, per_second = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
linger = struct.pack("ii", 1, 0)
for _ in range(count):
    sock = socket.socket()
    try:
        sock.connect(("127.0.0.1", port))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
    except OSError:
        pass
    sock.close()
    time.sleep(1 / per_second)
print("done", flush=True)
