"""Connects to a port again and again and resets each connection (SO_LINGER 0) right away.

Usage: reset_flood.py PORT COUNT PER_SECOND. Prints "sent N" after every 20 connections and
"done" after COUNT.
"""
import socket
import struct
import sys
import time

port, count, per_second = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
linger = struct.pack("ii", 1, 0)
for sent in range(1, count + 1):
    sock = socket.socket()
    try:
        sock.connect(("127.0.0.1", port))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
    except OSError:
        pass
    sock.close()
    if sent % 20 == 0:
        print(f"sent {sent}", flush=True)
    time.sleep(1 / per_second)
print("done", flush=True)
